import { isAscii, isUtf8 } from 'node:buffer';
import { IngestBatch, sampleColumns, samplesValid, scanCanonicalBatch, signedPartOf, type SampleColumns, type SampleWire } from '@locus/protocol';
import { ed25519Check, type Ed25519Check } from './ed25519.js';

/** A batch's members but `samples`, checked. */
export type BatchEnvelope = Omit<IngestBatch, 'samples'>;

/**
 * The expensive part of taking in a batch, separate from storing it so that it can run on a
 * worker thread: the JSON parsed, the samples checked (samplesValid) and laid out as columns,
 * the rest checked by its schema (IngestBatch), and the signature checked against the bytes
 * received.
 */
export type DecodedBatch =
  | {
      readonly kind: 'decoded';
      readonly batch: BatchEnvelope;
      readonly instants: number;
      readonly columns: SampleColumns;
      /**
       * The signature verified over the signed part of the received text (signedPartOf); false
       * when it did not, or the text is not in canonical form: the caller then checks the
       * canonical re-encoding of the whole batch.
       */
      readonly signed: boolean;
    }
  /** Not JSON. */
  | { readonly kind: 'malformed'; readonly message: string }
  /** Not an object of the batch's schema: zod, on the server's thread, says what is wrong. */
  | { readonly kind: 'invalid' };

/**
 * A batch's text: ASCII (an agent's batch nearly always is) decoded as Latin-1, twice as fast as
 * UTF-8 and the same text.
 */
export const batchText = (bytes: Buffer): string => (isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8'));

/** Why a body whose bytes are not UTF-8 (Latin-1 or another legacy character set) is not JSON: it would be read with U+FFFD in their place, and stored so. */
export const NOT_UTF8 = 'its bytes are not UTF-8; send JSON as UTF-8';

/**
 * Parses a batch with plain JSON.parse, where other routes also scan the text for "__proto__"
 * and "constructor" keys: JSON.parse makes such keys own properties (it never sets a
 * prototype), and every object of a batch is checked strictly (samplesValid, zod strict
 * objects), so a batch carrying one is refused before anything else reads it.
 */
export function parseBatch(bytes: Buffer): { ok: true; body: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, body: JSON.parse(batchText(bytes)) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/**
 * Decodes a batch; `verify` checks the signed part's signature (synchronously on a worker,
 * off-thread on the server's). A batch in agents' own layout is read straight into columns
 * (scanCanonicalBatch); any other text is parsed and checked as a whole.
 */
export async function decodeBatch(bytes: Buffer, verify: (part: Buffer, hostKey: string, signature: string) => boolean | Promise<boolean>): Promise<DecodedBatch> {
  if (!isAscii(bytes) && !isUtf8(bytes)) return { kind: 'malformed', message: NOT_UTF8 };
  const scanned = scanCanonicalBatch(bytes);
  if (scanned) {
    const batch = checkedEnvelope(scanned.envelope);
    return batch ? { kind: 'decoded', batch, instants: scanned.instants, columns: scanned.columns, signed: await signedAsReceived(bytes, scanned.envelope, verify) } : { kind: 'invalid' };
  }
  const parsed = parseBatch(bytes);
  if (!parsed.ok) return { kind: 'malformed', message: parsed.message };
  const body = parsed.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { kind: 'invalid' };
  const { samples, ...envelope } = body as Record<string, unknown>;
  const batch = checkedEnvelope(envelope);
  if (!batch || !samplesValid(samples)) return { kind: 'invalid' };
  const instants = samples as SampleWire[];
  return { kind: 'decoded', batch, instants: instants.length, columns: sampleColumns(instants.map((s) => ({ at: Date.parse(s.at), gpus: s.gpus }))), signed: await signedAsReceived(bytes, envelope, verify) };
}

/** The members but `samples` as the batch's schema reads them (samples are checked apart); undefined if it refuses them. */
function checkedEnvelope(envelope: Readonly<Record<string, unknown>>): BatchEnvelope | undefined {
  const checked = IngestBatch.safeParse({ ...envelope, samples: [] });
  if (!checked.success) return undefined;
  const { samples: _none, ...batch } = checked.data;
  return batch;
}

/** Whether the batch's signature verifies over the signed part of the text as received (see signedPartOf). */
async function signedAsReceived(bytes: Buffer, envelope: Readonly<Record<string, unknown>>, verify: (part: Buffer, hostKey: string, signature: string) => boolean | Promise<boolean>): Promise<boolean> {
  const { hostKey, signature } = envelope;
  if (typeof hostKey !== 'string' || typeof signature !== 'string') return false;
  // The members sorting after "signature" are the envelope's; "samples" sorts before it.
  const part = signedPartOf(bytes, envelope as { signature: string });
  return part !== undefined && (await verify(part, hostKey, signature));
}

/** Whether the server reads a batch's text again: for zod's message on an invalid one, or to check the signature over its canonical re-encoding. */
export const needsBytes = (decoded: DecodedBatch): boolean => decoded.kind === 'invalid' || (decoded.kind === 'decoded' && !decoded.signed);

/** How this thread checks signatures on decoder threads (ed25519Check), loaded at first use. */
let check: ReturnType<typeof ed25519Check> | undefined;

/** What checks signatures in decodeBatchSync on this thread: libsodium where it loads, else node:crypto. */
export const decoderCheck = (): ReturnType<typeof ed25519Check> => (check ??= ed25519Check());

/** decodeBatch as a worker thread runs it: the signature checked right there, by libsodium where it loads (ed25519Check). */
export function decodeBatchSync(bytes: Buffer): Promise<DecodedBatch> {
  const verify: Ed25519Check = decoderCheck().verify;
  return decodeBatch(bytes, (part, hostKey, signature) => verify('ingest', part, hostKey, signature));
}

import { z } from 'zod';
import type { KeyObject } from 'node:crypto';
import { canonicalJson, receivedCanonicalBytes, type Json } from './canonical.js';
import { signJson, verifyBytesAsync, verifyJson, type PublicKeyText, type SignaturePurpose } from './keys.js';
import { CountryCode, Instant, isInstant, Name, PROTOCOL_VERSION, PublicKey, Signature } from './messages.js';

const version = z.literal(PROTOCOL_VERSION);
const count = z.number().int().min(0);
const maybe = <T extends z.ZodType>(t: T) => t.nullable();
export const GpuUuid = z.string().min(1).max(100);

/** What identifies a GPU across reports: its UUID, and its serial where the board has one. */
export const GpuIdentityWire = z.strictObject({
  index: count,
  uuid: GpuUuid,
  name: z.string().max(200),
  serial: maybe(z.string().max(100)),
  boardPartNumber: maybe(z.string().max(100)),
  pciBusId: z.string().max(40),
  vbiosVersion: maybe(z.string().max(100)),
});
export type GpuIdentityWire = z.infer<typeof GpuIdentityWire>;

export const HostInventoryWire = z.strictObject({
  hostname: z.string().max(255),
  machineId: maybe(z.string().max(100)),
  os: z.string().max(255),
  kernel: z.string().max(255),
  cpu: z.strictObject({ model: z.string().max(255), cores: count }),
  memoryBytes: count,
  nics: z.array(z.strictObject({ name: z.string().max(64), mac: z.string().max(64), addresses: z.array(z.string().max(64)).max(64) })).max(64),
  driverVersion: maybe(z.string().max(64)),
  cudaVersion: maybe(z.string().max(64)),
  gpus: z.array(GpuIdentityWire).max(64),
  /** The Locus agent's own version (absent from agents before it was sent): which hosts an upgrade has reached. */
  agentVersion: z.string().min(1).max(64).optional(),
});
export type HostInventoryWire = z.infer<typeof HostInventoryWire>;
/** An inventory as this build's agent sends it: with its version (signed bodies hold no absent members). */
export type SentInventoryWire = Omit<HostInventoryWire, 'agentVersion'> & { readonly agentVersion: string };

/** One GPU's readings in a sample; units are in the names, null where the GPU does not report. */
export const GpuMetricsWire = z.strictObject({
  uuid: GpuUuid,
  temperatureC: maybe(z.number()),
  memoryTemperatureC: maybe(z.number()),
  powerDrawW: maybe(z.number()),
  powerLimitW: maybe(z.number()),
  energyMj: maybe(z.number()),
  smClockMHz: maybe(z.number()),
  memoryClockMHz: maybe(z.number()),
  gpuUtilizationPct: maybe(z.number()),
  memoryUtilizationPct: maybe(z.number()),
  framebufferUsedMiB: maybe(z.number()),
  framebufferTotalMiB: maybe(z.number()),
  eccVolatileUncorrected: maybe(z.number()),
  eccAggregateUncorrected: maybe(z.number()),
  remappedRowsPending: maybe(z.boolean()),
  pcieReplayCounter: maybe(z.number()),
  clockEventReasons: maybe(z.array(z.string().max(64)).max(16)),
});
export type GpuMetricsWire = z.infer<typeof GpuMetricsWire>;

export const SampleWire = z.strictObject({ at: Instant, gpus: z.array(GpuMetricsWire).max(64) });
export type SampleWire = z.infer<typeof SampleWire>;
/** Samples in one batch at most. */
export const MAX_BATCH_SAMPLES = 1000;

/**
 * The longest an agent waits between attempts to deliver while the server cannot take its
 * batches (its waits double from a second, with full jitter, up to this). After a break of the
 * servers, every agent has tried again within this long of their return: the server holds
 * silence alerts at least this long (Alerting.upSince).
 */
export const AGENT_RETRY_MAX_MS = 300_000;

/** An object as JSON.parse makes them (no inherited members for a named read to find). */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
const reading = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v));
function reasons(v: unknown): boolean {
  if (v === null) return true;
  if (!Array.isArray(v) || v.length > 16) return false;
  // Index by index: a hole is not a string (where every() would skip it).
  for (let i = 0; i < v.length; i++) {
    const r: unknown = v[i];
    if (typeof r !== 'string' || r.length > 64) return false;
  }
  return true;
}
const GPU_METRICS_KEYS = Object.keys(GpuMetricsWire.shape).length;

/** GpuMetricsWire, field by field: named reads stay fast where a loop over key names does not. */
function gpuMetricsValid(g: unknown): boolean {
  if (!isPlainObject(g) || Object.keys(g).length !== GPU_METRICS_KEYS) return false;
  const { uuid } = g;
  return (
    typeof uuid === 'string' &&
    uuid.length >= 1 &&
    uuid.length <= 100 &&
    reading(g.temperatureC) &&
    reading(g.memoryTemperatureC) &&
    reading(g.powerDrawW) &&
    reading(g.powerLimitW) &&
    reading(g.energyMj) &&
    reading(g.smClockMHz) &&
    reading(g.memoryClockMHz) &&
    reading(g.gpuUtilizationPct) &&
    reading(g.memoryUtilizationPct) &&
    reading(g.framebufferUsedMiB) &&
    reading(g.framebufferTotalMiB) &&
    reading(g.eccVolatileUncorrected) &&
    reading(g.eccAggregateUncorrected) &&
    (g.remappedRowsPending === null || typeof g.remappedRowsPending === 'boolean') &&
    reading(g.pcieReplayCounter) &&
    reasons(g.clockEventReasons)
  );
}

/**
 * Whether `samples` is a batch's valid samples array: exactly what z.array(SampleWire).max(1000)
 * accepts, checked in place without copying. zod makes a copy of every object it checks, which
 * at ingest rates (thousands of readings a batch) costs more than storing them; the server
 * checks samples with this and the rest of a batch, and anything refused, with zod (whose
 * messages say what is wrong).
 */
export function samplesValid(samples: unknown): boolean {
  if (!Array.isArray(samples) || samples.length > MAX_BATCH_SAMPLES) return false;
  for (const s of samples) {
    if (!isPlainObject(s) || Object.keys(s).length !== 2) return false;
    const { at, gpus } = s;
    if (typeof at !== 'string' || !isInstant(at) || !Array.isArray(gpus) || gpus.length > 64) return false;
    for (const g of gpus) if (!gpuMetricsValid(g)) return false;
  }
  return true;
}

export const HEALTH = z.enum(['healthy', 'degraded', 'unhealthy', 'unknown']);
export const ACTION = z.enum(['none', 'restart_app', 'reset_gpu', 'reboot', 'inspect_hardware']);

/** The longest text an event carries (an Xid's log message, a health reason); the agent cuts to it. */
export const MAX_EVENT_TEXT = 2000;

/** Something that happened, sent once (its id is the agent's, and the server keeps it idempotent). */
export const EventWire = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('xid'), id: z.uuid(), at: Instant, gpu: maybe(GpuUuid), pciBusId: z.string().max(40), xid: z.number().int().min(0).max(10_000), message: z.string().max(MAX_EVENT_TEXT) }),
  z.strictObject({ kind: z.literal('health'), id: z.uuid(), at: Instant, component: z.string().max(64), gpu: maybe(GpuUuid), health: HEALTH, reason: z.string().max(MAX_EVENT_TEXT), suggestedAction: maybe(ACTION) }),
  z.strictObject({ kind: z.literal('inventory'), id: z.uuid(), at: Instant, inventory: HostInventoryWire }),
]);
export type EventWire = z.infer<typeof EventWire>;

/** Agent → server: a batch from the outbox, signed by the agent's key; `batchId` makes resending harmless. */
export const IngestBatch = z.strictObject({
  v: version,
  batchId: z.uuid(),
  hostKey: PublicKey,
  sentAt: Instant,
  samples: z.array(SampleWire).max(MAX_BATCH_SAMPLES),
  events: z.array(EventWire).max(1000),
  signature: Signature,
});
export type IngestBatch = z.infer<typeof IngestBatch>;

export const IngestResponse = z.strictObject({ batchId: z.uuid(), duplicate: z.boolean(), samples: count, events: count });
export type IngestResponse = z.infer<typeof IngestResponse>;

/** Agent → server, once: join an organization with an enrollment token, proving the host key. */
export const EnrollRequest = z.strictObject({
  v: version,
  token: z.string().min(10).max(200),
  hostKey: PublicKey,
  name: Name,
  claimedCountry: maybe(CountryCode),
  inventory: HostInventoryWire,
  at: Instant,
  signature: Signature,
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const EnrollResponse = z.strictObject({ nodeId: z.string(), orgId: z.string(), samplingIntervalS: z.number().int().positive() });
export type EnrollResponse = z.infer<typeof EnrollResponse>;

/** Agent → server: leave; signed so that nobody else can remove a node. */
export const UnenrollRequest = z.strictObject({ v: version, hostKey: PublicKey, at: Instant, signature: Signature });
export type UnenrollRequest = z.infer<typeof UnenrollRequest>;

/** Signs an object: the signature covers every field but `signature`, canonically encoded. */
export function signBody<const T extends Record<string, Json>>(purpose: SignaturePurpose, body: T, key: KeyObject): T & { signature: string } {
  return { ...body, signature: signJson(purpose, body, key) };
}

export function verifyBody(purpose: SignaturePurpose, body: { readonly signature: string }, publicKey: PublicKeyText): boolean {
  const { signature, ...rest } = body;
  return verifyJson(purpose, rest as Json, publicKey, signature);
}

/** As verifyBody, checking the signature off the caller's thread (see verifyBytesAsync). */
export function verifyBodyAsync(purpose: SignaturePurpose, body: { readonly signature: string }, publicKey: PublicKeyText): Promise<boolean> {
  const { signature, ...rest } = body;
  const bytes = receivedCanonicalBytes(rest as Json);
  return bytes === undefined ? Promise.resolve(false) : verifyBytesAsync(purpose, bytes, publicKey, signature);
}

/**
 * The text a signed body goes on the wire as: its canonical JSON, signature included. The
 * signed bytes are then the received text less its "signature" member, and a server checks
 * the signature against them without encoding the body again (see signedPartOf).
 */
export const wireText = (body: { readonly signature: string }): string => canonicalJson(body as unknown as Json);

/**
 * The bytes a received body's signature covers, cut from the body's text as received when the
 * sender wrote it as wireText does: the text less its top-level "signature" member, which in
 * canonical order sits right before the members whose keys sort after "signature". Undefined
 * when the text does not end so (another encoder's layout, whitespace); verify the canonical
 * re-encoding then.
 *
 * The cut text is exactly what the key's holder signed when the signature verifies over it, and
 * the body parsed from the whole text has the same members as that text plus "signature" (the
 * member's quotes are not escaped, so it cannot sit inside a string, and the final brace closes
 * the top-level object), so checking these bytes is as strong as checking the re-encoding.
 */
export function signedPartOf(text: Uint8Array, body: { readonly signature: string }): Buffer | undefined {
  const members = body as unknown as Record<string, Json>;
  let after = '';
  for (const key of Object.keys(members).sort()) {
    if (key <= 'signature') continue;
    const value = receivedCanonicalBytes(members[key]!);
    if (value === undefined) return undefined;
    after += `,${JSON.stringify(key)}:${value.toString('utf8')}`;
  }
  const ending = Buffer.from(`"signature":${JSON.stringify(body.signature)}${after}}`, 'utf8');
  const start = text.length - ending.length;
  if (start < 1 || !Buffer.from(text.buffer, text.byteOffset + start, ending.length).equals(ending)) return undefined;
  const before = text[start - 1];
  if (before === 0x2c) return Buffer.concat([text.subarray(0, start - 1), Buffer.from(`${after}}`, 'utf8')]);
  if (before === 0x7b && start === 1) return Buffer.from(`{${after.slice(1)}}`, 'utf8');
  return undefined;
}


import { z } from 'zod';
import { fromBase64url } from './base64url.js';
import { weakPublicKey } from './weak-keys.js';

/** The protocol version every message carries; a peer refuses versions it does not speak. */
export const PROTOCOL_VERSION = 1;
const version = z.literal(PROTOCOL_VERSION);

const base64url = (bytes: number) =>
  z
    .string()
    .length(Math.ceil((bytes * 4) / 3))
    .regex(/^[A-Za-z0-9_-]+$/, 'must be unpadded base64url');

/**
 * An Ed25519 public key (32 bytes); it doubles as the key's identity. Keys under which signatures
 * verify without a private key, and second encodings of a point, are refused (weakPublicKey).
 */
export const PublicKey = base64url(32).superRefine((text, ctx) => {
  const bytes = fromBase64url(text, 32);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be unpadded base64url' });
    return;
  }
  const weak = weakPublicKey(bytes);
  if (weak !== undefined) ctx.addIssue({ code: 'custom', message: `is not a usable Ed25519 key: it ${weak}` });
});
/** A fresh random challenge (32 bytes). */
export const Nonce = base64url(32);
/** An Ed25519 signature (64 bytes). */
export const Signature = base64url(64);
/** A SHA-256 digest (32 bytes). */
export const Digest = base64url(32);
export const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code');
export const LandmarkId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-"');
/** An instant as ISO 8601 UTC with milliseconds, e.g. 2026-11-29T03:14:41.123Z. */
const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Whether a text is an instant as toISOString writes it: a real date and time (no 30 February, no hour 24). */
export function isInstant(text: string): boolean {
  if (!INSTANT_PATTERN.test(text)) return false;
  const ms = Date.parse(text);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === text;
}
export const Instant = z.string().regex(INSTANT_PATTERN, 'must be ISO 8601 UTC with milliseconds').refine(isInstant, 'is not a real date and time');

/**
 * Characters text is shown with but that are no text: C0 and C1 controls and DEL (ESC could clear
 * a terminal or recolour what follows it in a CLI's table) and the Unicode bidirectional controls
 * (which can make a text read as another, in a dashboard as in a log: Trojan Source,
 * CVE-2021-42574). A name may not hold one; the CLI escapes them in text it quotes.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTER = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
/** The first character of a text a name must not hold, as U+XXXX; undefined when there is none. */
export function forbiddenNameCharacter(text: string): string | undefined {
  const m = CONTROL_CHARACTER.exec(text);
  return m ? `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}
/** A text people read, `what` it is (as "a name"): 1 to `max` characters, no control characters. */
export const readableText = (what: string, max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .superRefine((text, ctx) => {
      const bad = forbiddenNameCharacter(text);
      if (bad) ctx.addIssue({ code: 'custom', message: `holds ${bad}, a control character, which ${what} may not hold` });
    });
/** A name people read (a zone, a node, an API token, a landmark): 1 to 200 characters, no control characters. */
export const Name = readableText('a name', 200);

/** A landmark: where it is and the key that signs its measurements. */
export const LandmarkInfo = z.strictObject({
  id: LandmarkId,
  name: z.string().max(200),
  country: CountryCode,
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  publicKey: PublicKey,
});
export type LandmarkInfo = z.infer<typeof LandmarkInfo>;

/**
 * What a landmark measured and signs: the minimum RTT over `rounds` challenge/response
 * rounds with one host key, timed on the landmark's own monotonic clock.
 */
export const Measurement = z.strictObject({
  v: version,
  landmarkId: LandmarkId,
  /** Where the landmark stands, signed with the rest, so that a proof cannot move it. */
  landmarkAt: z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }),
  hostKey: PublicKey,
  /** SHA-256 of the concatenated raw nonces, in round order: binds the measurement to its challenges. */
  noncesHash: Digest,
  rounds: z.number().int().min(1).max(1000),
  minRttMs: z.number().min(0).max(60_000),
  medianRttMs: z.number().min(0).max(60_000),
  /** The landmark's wall clock when the last round ended. */
  measuredAt: Instant,
});
export type Measurement = z.infer<typeof Measurement>;

export const SignedMeasurement = z.strictObject({ measurement: Measurement, signature: Signature });
export type SignedMeasurement = z.infer<typeof SignedMeasurement>;

/**
 * The longest a landmark waits between attempts to deliver measurements while the server cannot
 * take them (its waits double from a second, with full jitter, up to this). After a break of the
 * servers, every landmark has tried again within this long of their return: the server holds
 * landmark-silent alerts at least this long.
 */
export const LANDMARK_RETRY_MAX_MS = 60_000;

/** Landmark → server: measurements to store (HTTP POST). */
export const MeasurementBatch = z.strictObject({ measurements: z.array(SignedMeasurement).min(1).max(1000) });
export type MeasurementBatch = z.infer<typeof MeasurementBatch>;

// Host ↔ landmark, as JSON text frames over a WebSocket the host opens.

export const HostHello = z.strictObject({ type: z.literal('hello'), v: version, hostKey: PublicKey, software: z.string().max(100).optional() });
/**
 * The `software` of a landmark's hello when it calibrates against a peer (`locus landmark
 * calibrate`): the peer measures it and answers the measurement, but does not deliver it to the
 * server, which keeps measurements of nodes only (a landmark's key is no node's, and one not yet
 * registered would be refused as an unknown host, against the peer's status). Unsigned: a host
 * that claims it only keeps its own measurements from the server, which can never make its
 * verdict tighter.
 */
export const CALIBRATION_SOFTWARE = 'locus-landmark-calibrate';
export const ChallengeResponse = z.strictObject({ type: z.literal('response'), v: version, seq: z.number().int().min(0), signature: Signature });
export const HostMessage = z.discriminatedUnion('type', [HostHello, ChallengeResponse]);
export type HostMessage = z.infer<typeof HostMessage>;

export const LandmarkWelcome = z.strictObject({ type: z.literal('welcome'), v: version, landmark: LandmarkInfo });
export const Challenge = z.strictObject({ type: z.literal('challenge'), v: version, seq: z.number().int().min(0), nonce: Nonce });
export const MeasurementNotice = z.strictObject({ type: z.literal('measurement'), v: version, signed: SignedMeasurement });
export const ProtocolErrorMessage = z.strictObject({ type: z.literal('error'), v: version, code: z.string(), message: z.string() });
export const LandmarkMessage = z.discriminatedUnion('type', [LandmarkWelcome, Challenge, MeasurementNotice, ProtocolErrorMessage]);
export type LandmarkMessage = z.infer<typeof LandmarkMessage>;

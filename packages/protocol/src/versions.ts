import { PROTOCOL_VERSION } from './messages.js';

/**
 * The protocol versions this build reads; it writes PROTOCOL_VERSION. A server keeps reading
 * every version it has read before, so that servers are upgraded first and agents and landmarks
 * after (docs/protocol.md, Versions). A body of a version the server does not read is refused
 * as such (LOCUS_ERR_PROTO_VERSION, with the versions it reads), and its sender holds what it
 * would send, rather than drop it, until a server takes it.
 */
export const PROTOCOL_VERSIONS: readonly number[] = [PROTOCOL_VERSION];

const versionOf = (value: unknown): unknown => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { v?: unknown }).v : undefined);
const isForeign = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0 && !PROTOCOL_VERSIONS.includes(v as number);

/**
 * The protocol version a body says it is, when this build does not read it: its own `v` (an
 * agent's enrollment, batch or unenrollment), or that of a measurement it carries (a landmark's
 * delivery). Undefined when every version it names is one this build reads, or it names none
 * (then it is judged by its schema alone).
 */
export function foreignVersion(body: unknown): number | undefined {
  const own = versionOf(body);
  if (isForeign(own)) return own;
  const measurements = typeof body === 'object' && body !== null ? (body as { measurements?: unknown }).measurements : undefined;
  if (!Array.isArray(measurements)) return undefined;
  for (const m of measurements as unknown[]) {
    const v = versionOf(typeof m === 'object' && m !== null ? (m as { measurement?: unknown }).measurement : undefined);
    if (isForeign(v)) return v;
  }
  return undefined;
}

/** Says which versions a server reads, for the message of a refusal. */
export const readVersions = (): string => (PROTOCOL_VERSIONS.length === 1 ? `version ${PROTOCOL_VERSIONS[0]}` : `versions ${PROTOCOL_VERSIONS.join(', ')}`);

/**
 * How long a sender whose protocol version the server does not read waits before it tries again:
 * half to all of its longest backoff, at random, so that a fleet held together does not come back
 * at once (docs/protocol.md, Versions).
 */
export const heldRetryMs = (maxMs: number, random: () => number): number => Math.round(maxMs * (0.5 + random() / 2));

/** The User-Agent of a landmark's deliveries to a server: `locus-landmark/VERSION`. */
const LANDMARK_AGENT = /^locus-landmark\/([0-9A-Za-z][0-9A-Za-z.+-]{0,31})(?:\s|$)/;

/** The User-Agent header a landmark of this software version sends its deliveries with. */
export const landmarkUserAgent = (version: string): string => `locus-landmark/${version}`;

/**
 * The landmark software version a delivery's User-Agent names; undefined for any other (a
 * client of its own, an older landmark that named none). A server keeps it on each landmark
 * whose measurements the delivery stored, so that an operator sees how far an upgrade went.
 */
export function landmarkVersionOf(userAgent: string | undefined): string | undefined {
  return userAgent === undefined ? undefined : LANDMARK_AGENT.exec(userAgent)?.[1];
}

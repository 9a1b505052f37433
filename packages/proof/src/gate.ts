import { verifyMeasurementSignature, verifyMeasurementSignatureAsync, type LandmarkInfo, type ProtocolErrorCode, type SignedMeasurement } from '@locus/protocol';

export interface GateOptions {
  /** Oldest accepted measurement, in ms before now. */
  readonly maxAgeMs: number;
  /** How far in the future a measurement may be dated (landmark clock skew). */
  readonly maxSkewMs: number;
}

export const DEFAULT_GATE: GateOptions = Object.freeze({ maxAgeMs: 24 * 3600_000, maxSkewMs: 60_000 });

/**
 * `signed`: the refused measurement verifies under the landmark's key (its place, its clock was
 * wrong), so its landmark made it; without it, anyone could have (a forgery, an unknown id).
 */
export type GateResult = { readonly ok: true } | { readonly ok: false; readonly code: ProtocolErrorCode; readonly message: string; readonly signed?: true };

/**
 * Whether a signed measurement may be used, apart from replay: from a registered landmark,
 * signed by its key, at its registered place, and fresh. Stateless; replay is the caller's
 * to refuse (by nonce hash), as MeasurementGate does in memory and a database by a unique key.
 */
export function checkMeasurement(signed: SignedMeasurement, landmarks: ReadonlyMap<string, LandmarkInfo>, now: Date, options: GateOptions = DEFAULT_GATE): GateResult {
  const landmark = landmarks.get(signed.measurement.landmarkId);
  return landmark ? checkSigned(signed, landmark, verifyMeasurementSignature(signed, landmark.publicKey), now, options) : unknownLandmark(signed);
}

/**
 * As checkMeasurement, the signature checked on libuv's thread pool: a server checking a
 * landmark's delivery of hundreds of measurements keeps its own thread for requests, and the
 * checks run on the machine's other cores.
 */
export async function checkMeasurementAsync(signed: SignedMeasurement, landmarks: ReadonlyMap<string, LandmarkInfo>, now: Date, options: GateOptions = DEFAULT_GATE): Promise<GateResult> {
  const landmark = landmarks.get(signed.measurement.landmarkId);
  return landmark ? checkSigned(signed, landmark, await verifyMeasurementSignatureAsync(signed, landmark.publicKey), now, options) : unknownLandmark(signed);
}

const unknownLandmark = (signed: SignedMeasurement): GateResult => ({ ok: false, code: 'LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK', message: `landmark "${signed.measurement.landmarkId}" is not registered` });

/** The checks after the landmark is found, `verified`: whether its signature verifies under the landmark's key. */
function checkSigned(signed: SignedMeasurement, landmark: LandmarkInfo, verified: boolean, now: Date, options: GateOptions): GateResult {
  const m = signed.measurement;
  if (!verified) return { ok: false, code: 'LOCUS_ERR_MEASUREMENT_SIGNATURE', message: `signature does not verify under landmark "${m.landmarkId}"'s key` };
  if (m.landmarkAt.lat !== landmark.lat || m.landmarkAt.lon !== landmark.lon) {
    return { ok: false, code: 'LOCUS_ERR_MEASUREMENT_SIGNATURE', message: `landmark "${m.landmarkId}" signed a place other than its registered one`, signed: true };
  }
  const age = now.getTime() - Date.parse(m.measuredAt);
  if (age > options.maxAgeMs) return { ok: false, code: 'LOCUS_ERR_MEASUREMENT_STALE', message: `measured ${Math.round(age / 1000)} s ago, beyond the ${options.maxAgeMs / 1000} s window`, signed: true };
  if (-age > options.maxSkewMs) return { ok: false, code: 'LOCUS_ERR_MEASUREMENT_STALE', message: `dated ${Math.round(-age / 1000)} s in the future`, signed: true };
  return { ok: true };
}

/**
 * checkMeasurement plus replay protection in memory: remembers the nonce hashes it accepted
 * until they are too old to be accepted again.
 */
export class MeasurementGate {
  readonly #landmarks: ReadonlyMap<string, LandmarkInfo>;
  readonly #options: GateOptions;
  readonly #seen = new Map<string, number>();

  constructor(landmarks: Iterable<LandmarkInfo>, options: GateOptions = DEFAULT_GATE) {
    this.#landmarks = new Map([...landmarks].map((l) => [l.id, l]));
    this.#options = options;
  }

  check(signed: SignedMeasurement, now: Date): GateResult {
    const verdict = checkMeasurement(signed, this.#landmarks, now, this.#options);
    if (!verdict.ok) return verdict;
    const m = signed.measurement;
    this.#forgetOlderThan(now.getTime() - this.#options.maxAgeMs);
    if (this.#seen.has(m.noncesHash)) return { ok: false, code: 'LOCUS_ERR_MEASUREMENT_REPLAYED', message: `nonces ${m.noncesHash} were already used` };
    this.#seen.set(m.noncesHash, Date.parse(m.measuredAt));
    return { ok: true };
  }

  /** Entries arrive roughly in time order, so the oldest are first: stop at the first young one. */
  #forgetOlderThan(limit: number): void {
    for (const [hash, at] of this.#seen) {
      if (at >= limit) break;
      this.#seen.delete(hash);
    }
  }
}

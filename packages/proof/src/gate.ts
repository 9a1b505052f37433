import { verifyMeasurementSignature, type LandmarkInfo, type ProtocolErrorCode, type SignedMeasurement } from '@locus/protocol';

export interface GateOptions {
  /** Oldest accepted measurement, in ms before now. */
  readonly maxAgeMs: number;
  /** How far in the future a measurement may be dated (landmark clock skew). */
  readonly maxSkewMs: number;
}

export const DEFAULT_GATE: GateOptions = Object.freeze({ maxAgeMs: 24 * 3600_000, maxSkewMs: 60_000 });

export type GateResult = { readonly ok: true } | { readonly ok: false; readonly code: ProtocolErrorCode; readonly message: string };

/**
 * Decides whether a signed measurement may be used: from a registered landmark, signed by
 * its key, at its registered place, fresh, and never seen before (by its nonces). Keeps the
 * nonce hashes it has accepted until they are too old to be accepted again.
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
    const m = signed.measurement;
    const landmark = this.#landmarks.get(m.landmarkId);
    if (!landmark) return { ok: false, code: 'LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK', message: `landmark "${m.landmarkId}" is not registered` };
    if (!verifyMeasurementSignature(signed, landmark.publicKey)) {
      return { ok: false, code: 'LOCUS_ERR_MEASUREMENT_SIGNATURE', message: `signature does not verify under landmark "${m.landmarkId}"'s key` };
    }
    if (m.landmarkAt.lat !== landmark.lat || m.landmarkAt.lon !== landmark.lon) {
      return { ok: false, code: 'LOCUS_ERR_MEASUREMENT_SIGNATURE', message: `landmark "${m.landmarkId}" signed a place other than its registered one` };
    }
    const at = Date.parse(m.measuredAt);
    const age = now.getTime() - at;
    if (age > this.#options.maxAgeMs) return { ok: false, code: 'LOCUS_ERR_MEASUREMENT_STALE', message: `measured ${Math.round(age / 1000)} s ago, beyond the ${this.#options.maxAgeMs / 1000} s window` };
    if (-age > this.#options.maxSkewMs) return { ok: false, code: 'LOCUS_ERR_MEASUREMENT_STALE', message: `dated ${Math.round(-age / 1000)} s in the future` };
    this.#forgetOlderThan(now.getTime() - this.#options.maxAgeMs);
    if (this.#seen.has(m.noncesHash)) return { ok: false, code: 'LOCUS_ERR_MEASUREMENT_REPLAYED', message: `nonces ${m.noncesHash} were already used` };
    this.#seen.set(m.noncesHash, at);
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

import { GEO_ENGINE_VERSION, verifyTarget, type CountryCode, type World, km, type SpeedModel, kmPerMs } from '@locus/geo';
import { PROTOCOL_VERSION, type LandmarkInfo, type ProofBundle, type ProofParameters, type SignedMeasurement } from '@locus/protocol';
import { boundsFromMeasurements } from './bounds.js';
import { toVerdictRecord } from './record.js';

export interface ProofInput {
  readonly hostKey: string;
  readonly claimed: CountryCode | null;
  readonly landmarks: readonly LandmarkInfo[];
  /** The host's measurements; only those of this host, within maxAgeMs of createdAt, are kept. */
  readonly measurements: readonly SignedMeasurement[];
  readonly speed: ProofParameters['speed'];
  readonly restricted: readonly CountryCode[];
  readonly marginKm: number;
  readonly maxAgeMs: number;
  /** The fastest the host is taken to move, km/h (DEFAULT_TRAVEL.maxSpeedKmPerH): the verdict is of where it can be at createdAt. */
  readonly travelKmPerH: number;
  readonly createdAt: Date;
}

export const speedModelOf = (speed: ProofParameters['speed']): SpeedModel => (typeof speed === 'number' ? kmPerMs(speed) : speed);

/** Builds a proof bundle: the verdict the measurements give, with everything needed to check it. */
export function buildProof(world: World, input: ProofInput): ProofBundle {
  const oldest = input.createdAt.getTime() - input.maxAgeMs;
  // Only measurements of landmarks the builder trusts (a revoked landmark is not among them): the
  // bundle must carry the landmark of every measurement it holds.
  const trusted = new Set(input.landmarks.map((l) => l.id));
  const measurements = input.measurements.filter((s) => {
    const at = Date.parse(s.measurement.measuredAt);
    return s.measurement.hostKey === input.hostKey && trusted.has(s.measurement.landmarkId) && at >= oldest && at <= input.createdAt.getTime();
  });
  const used = new Set(measurements.map((s) => s.measurement.landmarkId));
  const landmarks = input.landmarks.filter((l) => used.has(l.id));
  const parameters: ProofParameters = {
    speed: input.speed,
    restricted: [...input.restricted],
    marginKm: input.marginKm,
    maxAgeMs: input.maxAgeMs,
    travelKmPerH: input.travelKmPerH,
    engine: GEO_ENGINE_VERSION,
    borders: world.source,
    ...(world.overlayReviewed === undefined ? {} : { overlayReviewed: world.overlayReviewed }),
  };
  const speed = speedModelOf(input.speed);
  const verdict = verifyTarget(world, boundsFromMeasurements(landmarks, measurements, input.createdAt.getTime(), { speed, maxSpeedKmPerH: input.travelKmPerH }), input.claimed, {
    speed,
    restricted: new Set(input.restricted),
    marginKm: km(input.marginKm),
  });
  return {
    v: PROTOCOL_VERSION,
    kind: 'locus-proof',
    createdAt: input.createdAt.toISOString(),
    host: { hostKey: input.hostKey, claimed: input.claimed },
    parameters,
    landmarks,
    measurements,
    verdict: toVerdictRecord(verdict),
  };
}

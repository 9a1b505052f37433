import type { Verdict } from '@locus/geo';
import type { VerdictRecord } from '@locus/protocol';

const round = (n: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/**
 * A verdict as published, with fixed precision: area to the km², radius to 0.1 km, the
 * estimate to 4 decimals (about 11 m). `empty` appears only when true.
 */
export function toVerdictRecord(v: Verdict): VerdictRecord {
  return {
    claimed: v.claimed,
    claim: v.claim,
    restricted: v.restricted,
    possibleCountries: [...v.possibleCountries],
    areaKm2: Math.round(v.areaKm2),
    radiusKm: v.radiusKm === null ? null : round(v.radiusKm, 1),
    estimate: v.estimate === null ? null : { lat: round(v.estimate.lat, 4), lon: round(v.estimate.lon, 4) },
    countryEstimate: v.countryEstimate,
    ...(v.empty ? { empty: true as const } : {}),
  };
}

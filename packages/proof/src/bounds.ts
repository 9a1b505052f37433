import { boundsAt, degrees, ms, type GrowthOptions, type RttBound, type TimedBound } from '@locus/geo';
import type { LandmarkInfo, SignedMeasurement } from '@locus/protocol';

/**
 * One bound per landmark, in the order of `landmarks`, on where the host is at `at` (ms since
 * epoch): of its measurements, the least RTT grown by the way a host moving at
 * `growth.maxSpeedKmPerH` can have travelled since (boundsAt; delay only adds). A speed of 0
 * gives each landmark's least RTT, which holds only a host that did not move.
 */
export function boundsFromMeasurements(landmarks: readonly LandmarkInfo[], measurements: readonly SignedMeasurement[], at: number, growth: GrowthOptions): RttBound[] {
  const best = new Map(boundsAt(timedBoundsFromMeasurements(landmarks, measurements), at, growth).map((b) => [b.measured.landmark, b.rtt]));
  return landmarks.flatMap((l) => {
    const rtt = best.get(l.id);
    return rtt === undefined ? [] : [{ lat: degrees(l.lat), lon: degrees(l.lon), rtt: ms(rtt) }];
  });
}

/** Each measurement as a timed bound, for checks over time (a key answering from two places). */
export function timedBoundsFromMeasurements(landmarks: readonly LandmarkInfo[], measurements: readonly SignedMeasurement[]): TimedBound[] {
  const known = new Map(landmarks.map((l) => [l.id, l]));
  return measurements.flatMap(({ measurement: m }) => {
    const l = known.get(m.landmarkId);
    return l ? [{ landmark: l.id, lat: degrees(l.lat), lon: degrees(l.lon), rtt: ms(m.minRttMs), at: Date.parse(m.measuredAt) }] : [];
  });
}

import { degrees, ms, type RttBound, type TimedBound } from '@locus/geo';
import type { LandmarkInfo, SignedMeasurement } from '@locus/protocol';

/** One bound per landmark: the smallest minimum RTT among its measurements (delay only adds). */
export function boundsFromMeasurements(landmarks: readonly LandmarkInfo[], measurements: readonly SignedMeasurement[]): RttBound[] {
  const best = new Map<string, number>();
  for (const { measurement: m } of measurements) best.set(m.landmarkId, Math.min(best.get(m.landmarkId) ?? Infinity, m.minRttMs));
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

import { SPEED_OF_LIGHT_VACUUM, distanceLowerBoundKm, degrees, type LatLon } from '@locus/geo';
import type { LandmarkInfo, Measurement } from '@locus/protocol';

export interface CalibrationCheck {
  readonly peer: LandmarkInfo;
  readonly distanceKm: number;
  readonly minRttMs: number;
  /** The least RTT light in vacuum allows between the two registered places. */
  readonly vacuumBoundMs: number;
  /** The speed the measurement implies, as a fraction of c. */
  readonly fractionOfC: number;
  /** False when the RTT beats light: one of the two landmarks is not where it says. */
  readonly consistent: boolean;
}

/**
 * Compares a landmark-to-landmark RTT with the vacuum bound for their registered places.
 * Uses a lower bound on the geodesic distance, so "inconsistent" is never a false alarm
 * from geometry.
 */
export function checkPeer(self: LatLon, peer: LandmarkInfo, measurement: Pick<Measurement, 'minRttMs'>): CalibrationCheck {
  const distanceKm = distanceLowerBoundKm(self, { lat: degrees(peer.lat), lon: degrees(peer.lon) });
  const vacuumBoundMs = (2 * distanceKm) / SPEED_OF_LIGHT_VACUUM;
  const rtt = measurement.minRttMs;
  return {
    peer,
    distanceKm,
    minRttMs: rtt,
    vacuumBoundMs,
    fractionOfC: rtt > 0 ? (2 * distanceKm) / rtt / SPEED_OF_LIGHT_VACUUM : distanceKm > 0 ? Infinity : 0,
    consistent: rtt >= vacuumBoundMs,
  };
}

import { SPEED_OF_LIGHT_VACUUM, distanceLowerBoundKm, degrees, type LatLon } from '@locus/geo';
import type { LandmarkInfo, Measurement } from '@locus/protocol';

/**
 * Where a peer is taken to stand: its entry in a list of landmarks the operator trusts (as the
 * server registered them), or else the place it signed into its measurement, which the server
 * holds it to (a measurement signed at another place than the registered one is refused).
 * Never the place it states when it greets a host: that is unsigned.
 */
export type PeerPlace =
  | { readonly at: LatLon; readonly from: 'trusted' | 'signed' }
  /** The trust list has no landmark with the peer's key, or lists its id with another key. */
  | { readonly untrusted: string };

export function peerPlace(peer: Pick<LandmarkInfo, 'id' | 'publicKey'>, measurement: Pick<Measurement, 'landmarkAt'>, trusted?: readonly LandmarkInfo[]): PeerPlace {
  if (trusted === undefined) return { at: { lat: degrees(measurement.landmarkAt.lat), lon: degrees(measurement.landmarkAt.lon) }, from: 'signed' };
  const entry = trusted.find((t) => t.publicKey === peer.publicKey);
  if (entry === undefined) {
    const sameId = trusted.some((t) => t.id === peer.id);
    return { untrusted: sameId ? `its key is not the one the trust list gives ${peer.id}` : 'its key is not in the trust list' };
  }
  if (entry.id !== peer.id) return { untrusted: `its key is ${entry.id}'s in the trust list, not ${peer.id}'s` };
  return { at: { lat: degrees(entry.lat), lon: degrees(entry.lon) }, from: 'trusted' };
}

export interface CalibrationCheck {
  readonly peer: LandmarkInfo;
  /** The peer's place the check used (peerPlace), which may differ from the one it greets with. */
  readonly peerAt: LatLon;
  readonly distanceKm: number;
  readonly minRttMs: number;
  /** The least RTT light in vacuum allows between the two places. */
  readonly vacuumBoundMs: number;
  /** The speed the measurement implies, as a fraction of c. */
  readonly fractionOfC: number;
  /** False when the RTT beats light: one of the two landmarks is not where it says. */
  readonly consistent: boolean;
}

/**
 * Compares a landmark-to-landmark RTT with the vacuum bound between this landmark's place and
 * the peer's (`peerAt`, from peerPlace). Uses a lower bound on the geodesic distance, so
 * "inconsistent" is never a false alarm from geometry.
 */
export function checkPeer(self: LatLon, peer: LandmarkInfo, peerAt: LatLon, measurement: Pick<Measurement, 'minRttMs'>): CalibrationCheck {
  const distanceKm = distanceLowerBoundKm(self, peerAt);
  const vacuumBoundMs = (2 * distanceKm) / SPEED_OF_LIGHT_VACUUM;
  const rtt = measurement.minRttMs;
  return {
    peer,
    peerAt,
    distanceKm,
    minRttMs: rtt,
    vacuumBoundMs,
    fractionOfC: rtt > 0 ? (2 * distanceKm) / rtt / SPEED_OF_LIGHT_VACUUM : distanceKm > 0 ? Infinity : 0,
    consistent: rtt >= vacuumBoundMs,
  };
}

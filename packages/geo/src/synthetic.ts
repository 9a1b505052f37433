import { SPEED_OF_LIGHT_FIBER, WGS84_A, WGS84_E2, WGS84_MIN_RADIUS } from './constants.js';
import { km, ms, type Km, type Ms } from './units.js';
import { angleBetween, fromLatLon, type LatLon } from './vec3.js';

/**
 * The largest radius of curvature of WGS84 (at the poles): a / √(1 − e²). No geodesic is
 * longer than this times its angle on the unit sphere, so distances built with it never
 * understate the truth.
 */
const MAX_RADIUS: Km = km(WGS84_A / Math.sqrt(1 - WGS84_E2));

/** An upper bound on the WGS84 geodesic distance between two places. */
export const distanceUpperBoundKm = (a: LatLon, b: LatLon): Km =>
  km(angleBetween(fromLatLon(a.lat, a.lon), fromLatLon(b.lat, b.lon)) * MAX_RADIUS);

/** A lower bound on the WGS84 geodesic distance: every curve is at least a(1 − e²) km per radian (see bound.ts). */
export const distanceLowerBoundKm = (a: LatLon, b: LatLon): Km =>
  km(angleBetween(fromLatLon(a.lat, a.lon), fromLatLon(b.lat, b.lon)) * WGS84_MIN_RADIUS);

export interface PathModel {
  /** Route length over straight-line distance; real routes run 1.2–2× longer. */
  readonly stretch: number;
  /** Fixed cost per round trip: serialisation, switching, the answering process. */
  readonly overheadMs: Ms;
}

export const TYPICAL_PATH: PathModel = { stretch: 1.5, overheadMs: ms(0.2) };

/**
 * A realistic round-trip time between two places: light in fibre along a stretched route,
 * plus overhead. It never beats the vacuum bound, so regions built from it hold the truth.
 */
export function syntheticRtt(a: LatLon, b: LatLon, path: PathModel = TYPICAL_PATH): Ms {
  return ms(((2 * distanceUpperBoundKm(a, b)) / SPEED_OF_LIGHT_FIBER) * Math.max(1, path.stretch) + Math.max(0, path.overheadMs));
}

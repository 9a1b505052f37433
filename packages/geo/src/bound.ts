import { WGS84_A, WGS84_E2, WGS84_MIN_RADIUS } from './constants.js';
import { speedOf, type SpeedModel } from './speed.js';
import { km, radians, toRadians, type Degrees, type Km, type Ms, type Radians } from './units.js';

/** One-way distance bound from a round-trip time: d ≤ rtt/2 · v. */
export function maxDistanceKm(rtt: Ms, model: SpeedModel): Km {
  return km((rtt / 2) * speedOf(model));
}

/** Meridional radius of curvature of WGS84 at a geodetic latitude. */
export function meridionalRadius(lat: Radians): Km {
  const s = Math.sin(lat);
  return km((WGS84_A * (1 - WGS84_E2)) / Math.pow(1 - WGS84_E2 * s * s, 1.5));
}

/**
 * The sphere angle (geodetic latitude and longitude taken as sphere coordinates) that
 * contains every point within `distance` km of geodesic distance on the WGS84 ellipsoid
 * from a point at `lat`.
 *
 * Why it is conservative: the ellipsoid's line element is ds² = M² dφ² + N² cos²φ dλ² with
 * N ≥ M, so any curve is at least min M times as long as its image on the unit sphere. A
 * geodesic of length d cannot leave the latitude band lat ± d / M(0) (M(0) is the global
 * minimum), so M's minimum over that band bounds the whole path.
 */
export function capAngleForDistance(lat: Degrees, distance: Km): Radians {
  const phi = toRadians(lat);
  const reach = distance / WGS84_MIN_RADIUS;
  const lo = phi - reach;
  const hi = phi + reach;
  const closestToEquator = lo <= 0 && hi >= 0 ? 0 : Math.min(Math.abs(lo), Math.abs(hi));
  return radians(distance / meridionalRadius(radians(Math.min(closestToEquator, Math.PI / 2))));
}

import { km, kmPerMs, type Km, type KmPerMs } from './units.js';

/** Speed of light in vacuum: the only bound no network can beat. */
export const SPEED_OF_LIGHT_VACUUM: KmPerMs = kmPerMs(299.792458);
/** Two thirds of c: the usual group speed of light in optical fibre. Not a hard bound. */
export const SPEED_OF_LIGHT_FIBER: KmPerMs = kmPerMs((299.792458 * 2) / 3);

/** WGS84 semi-major axis. */
export const WGS84_A: Km = km(6378.137);
/** WGS84 flattening. */
export const WGS84_F = 1 / 298.257223563;
/** WGS84 first eccentricity squared. */
export const WGS84_E2 = WGS84_F * (2 - WGS84_F);
/**
 * The smallest radius of curvature of the WGS84 ellipsoid: the meridional radius at the
 * equator, a(1 − e²). Every curve on the ellipsoid is at least this many km per radian of
 * its image on the unit sphere (same latitude and longitude), which makes it the
 * conservative conversion from geodesic kilometres to sphere angles.
 */
export const WGS84_MIN_RADIUS: Km = km(WGS84_A * (1 - WGS84_E2));
/** IUGG mean Earth radius, used only to report areas and distances, never for bounds. */
export const MEAN_EARTH_RADIUS: Km = km(6371.0088);

/** Breadth of the territorial sea under UNCLOS art. 3: 12 nautical miles. */
export const TERRITORIAL_SEA: Km = km(12 * 1.852);
/**
 * Default distance beyond the feasible region within which a country counts as possible:
 * the territorial sea (a host there is in that country) plus 2.8 km for the border data
 * (0.2 km quantisation in world-atlas, generalisation of the 1:10m lines).
 */
export const DEFAULT_BORDER_MARGIN: Km = km(25);

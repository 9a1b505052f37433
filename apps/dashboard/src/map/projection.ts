import { geoCircle, geoEqualEarth, type GeoProjection } from 'd3-geo';
import type { RegionShape } from './rings.js';

/** Kilometres per degree of arc on the mean Earth radius (6371.0088 km). */
export const KM_PER_DEGREE = (6371.0088 * Math.PI) / 180;

/** A cap of `radiusKm` around a place, as a d3-geo polygon. */
export function capShape(lat: number, lon: number, radiusKm: number) {
  return geoCircle().center([lon, lat]).radius(radiusKm / KM_PER_DEGREE).precision(1)();
}

export interface Focus {
  readonly shape: RegionShape;
  readonly lat: number | null;
  readonly lon: number | null;
}

/** Regions smaller than this are shown with their surroundings, so a 20 km region still has a map around it. */
const MIN_VIEW_RADIUS_KM = 700;
const PAD = 12;

/**
 * An Equal Earth projection of the whole world, or, when focused, turned to face the regions
 * and fitted to them (and at least MIN_VIEW_RADIUS_KM around each estimate).
 */
export function projectionFor(width: number, height: number, focus: readonly Focus[] | undefined): GeoProjection {
  const extent: [[number, number], [number, number]] = [
    [PAD, PAD],
    [width - PAD, height - PAD],
  ];
  const shapes = focus?.filter((f) => f.shape.type !== 'Sphere') ?? [];
  if (shapes.length === 0) return geoEqualEarth().fitExtent(extent, { type: 'Sphere' });
  const lons = shapes.flatMap((f) => (f.lon === null ? [] : [f.lon]));
  const centre = lons.length === 0 ? 0 : meanLongitude(lons);
  const context = shapes.flatMap((f) => (f.lat === null || f.lon === null ? [] : [capShape(f.lat, f.lon, MIN_VIEW_RADIUS_KM)]));
  const geometries = [...shapes.map((f) => f.shape), ...context] as GeoJSON.Geometry[];
  return geoEqualEarth()
    .rotate([-centre, 0])
    .fitExtent(extent, { type: 'GeometryCollection', geometries });
}

/** The mean of longitudes on the circle (so 179° and -179° average to 180°, not 0°). */
export function meanLongitude(lons: readonly number[]): number {
  const rad = Math.PI / 180;
  const x = lons.reduce((s, l) => s + Math.cos(l * rad), 0);
  const y = lons.reduce((s, l) => s + Math.sin(l * rad), 0);
  return Math.atan2(y, x) / rad;
}

import type { RegionFeature } from '../api/types.js';
import { capShape } from './projection.js';

/**
 * A cap as a region feature in the API's winding (region on the left, RFC 7946), so that it is
 * drawn like any region; a null radius is the whole Earth.
 */
export function capFeature(lat: number, lon: number, radiusKm: number | null): RegionFeature {
  const estimate = { lat, lon };
  if (radiusKm === null) return { type: 'Feature', geometry: null, properties: { empty: false, whole: true, estimate: null, radiusKm: null } };
  // d3's circle keeps what it encloses on the right of its ring: reversed, it reads as the API's.
  const ring = capShape(lat, lon, Math.max(radiusKm, 1)).coordinates[0]!.map(([x, y]) => [x!, y!] as const).reverse();
  return { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { empty: false, whole: false, estimate, radiusKm } };
}

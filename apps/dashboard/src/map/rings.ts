import type { RegionFeature } from '../api/types.js';

/** A polygon in d3-geo's winding: each ring has what it encloses on its RIGHT. */
export interface D3Polygon {
  readonly type: 'Polygon';
  readonly coordinates: [number, number][][];
}

export type RegionShape = D3Polygon | { readonly type: 'Sphere' };

/**
 * The API's rings follow RFC 7946 (region on the left); d3-geo reads a ring as enclosing what
 * lies on its right, so the same ring unreversed would fill the whole world minus the region.
 * Returns new arrays; the input is left as it was.
 */
export function toD3Polygon(geometry: NonNullable<RegionFeature['geometry']>): D3Polygon {
  return { type: 'Polygon', coordinates: geometry.coordinates.map((ring) => ring.map(([lon, lat]) => [lon, lat] as [number, number]).reverse()) };
}

/** What to draw for a region: its polygon, the whole sphere, or nothing (an empty region). */
export function regionShape(outline: RegionFeature): RegionShape | null {
  if (outline.properties.whole) return { type: 'Sphere' };
  return outline.geometry ? toD3Polygon(outline.geometry) : null;
}

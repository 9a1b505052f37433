import { geoArea, geoContains } from 'd3-geo';
import { describe, expect, it } from 'vitest';
import { degrees, ms, regionFromRtts, regionOutline } from '@locus/geo';
import type { RegionFeature } from '../api/types.js';
import { regionShape, toD3Polygon } from './rings.js';

/** A real region as the server outlines it: a host near Singapore, bounded by three landmarks. */
function singaporeOutline(): NonNullable<RegionFeature['geometry']> {
  const bound = (lat: number, lon: number, rtt: number) => ({ lat: degrees(lat), lon: degrees(lon), rtt: ms(rtt) });
  const region = regionFromRtts([bound(1.3521, 103.8198, 1.5), bound(35.6762, 139.6503, 40), bound(19.076, 72.8777, 28)], 'vacuum');
  return { type: 'Polygon', coordinates: regionOutline(region) };
}
const feature = (geometry: RegionFeature['geometry'], flags: { empty?: boolean; whole?: boolean } = {}): RegionFeature => ({
  type: 'Feature',
  geometry,
  properties: { empty: flags.empty ?? false, whole: flags.whole ?? false, estimate: null, radiusKm: null },
});

describe('toD3Polygon', () => {
  it('turns a server region into a d3 polygon that holds the region, not the rest of the world', () => {
    const outline = singaporeOutline();
    const polygon = toD3Polygon(outline);
    expect(geoContains(polygon, [103.8198, 1.3521])).toBe(true);
    expect(geoContains(polygon, [8.68, 50.11])).toBe(false);
    // A 225 km cap is about 1.6e-3 steradians; the whole sphere is 4π.
    expect(geoArea(polygon)).toBeLessThan(0.01);
    // The unreversed rings would fill the world minus the region.
    expect(geoArea({ type: 'Polygon', coordinates: outline.coordinates as [number, number][][] })).toBeGreaterThan(4 * Math.PI - 0.01);
  });

  it('reverses every ring of a polygon with a hole, and leaves its input as it was', () => {
    // RFC 7946: outer ring counterclockwise, the hole clockwise.
    const outer: [number, number][] = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]];
    const hole: [number, number][] = [[4, 4], [4, 6], [6, 6], [6, 4], [4, 4]];
    const geometry = { type: 'Polygon' as const, coordinates: [outer, hole] };
    const polygon = toD3Polygon(geometry);
    expect(polygon.coordinates).toEqual([[...outer].reverse(), [...hole].reverse()]);
    expect(geometry.coordinates[0]![1]).toEqual([10, 0]);
    expect(geoContains(polygon, [2, 2])).toBe(true);
    expect(geoContains(polygon, [5, 5])).toBe(false);
  });
});

describe('regionShape', () => {
  it('draws a whole-world region as the sphere and an empty region as nothing', () => {
    expect(regionShape(feature(null, { whole: true }))).toEqual({ type: 'Sphere' });
    expect(regionShape(feature(null, { empty: true }))).toBeNull();
    expect(regionShape(feature(singaporeOutline()))?.type).toBe('Polygon');
  });
});

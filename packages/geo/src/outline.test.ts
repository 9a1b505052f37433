import { describe, expect, it } from 'vitest';
import { geoArea, geoContains } from 'd3-geo';
import { makeCap } from './cap.js';
import { regionArea } from './measure.js';
import { regionOutline } from './outline.js';
import { regionFromCaps } from './region.js';
import { degrees, radians } from './units.js';
import { fromLatLon } from './vec3.js';

const cap = (lat: number, lon: number, angleDeg: number) => makeCap(fromLatLon(degrees(lat), degrees(lon)), radians((angleDeg * Math.PI) / 180));
/** d3-geo reads rings the other way round (clockwise around what they enclose). */
const asD3 = (rings: [number, number][][]) => ({ type: 'Polygon' as const, coordinates: rings.map((r) => [...r].reverse()) });

describe('regionOutline', () => {
  it.each([
    ['one cap', [cap(50, 8, 5)]],
    ['a lens', [cap(0, 0, 10), cap(0, 15, 10)]],
    ['three caps', [cap(0, 0, 10), cap(0, 12, 8), cap(6, 6, 7)]],
    ['a cap over the antimeridian', [cap(-17, 179, 6)]],
    ['two pieces', [cap(0, 0, 20), cap(90, 0, 95), cap(-90, 0, 95), cap(0, 180, 172)]],
  ])('draws %s as closed rings that d3 reads as the same region and area', (_, caps) => {
    const region = regionFromCaps(caps);
    const rings = regionOutline(region, 0.25);
    for (const r of rings) expect(r.at(-1)).toEqual(r[0]);
    const polygon = asD3(rings);
    expect(geoArea(polygon) / regionArea(region)).toBeCloseTo(1, 2);
    const c = caps[0]!;
    const centre = [Math.atan2(c.center[1], c.center[0]) * (180 / Math.PI), Math.asin(c.center[2]) * (180 / Math.PI)] as [number, number];
    expect(geoContains(polygon, centre)).toBe(region.caps.every((k) => k.center[0] * c.center[0] + k.center[1] * c.center[1] + k.center[2] * c.center[2] >= k.cos));
  });

  it('has one ring per piece', () => {
    expect(regionOutline(regionFromCaps([cap(0, 0, 20), cap(90, 0, 95), cap(-90, 0, 95), cap(0, 180, 172)]))).toHaveLength(2);
    expect(regionOutline(regionFromCaps([cap(0, 0, 10), cap(0, 15, 10)]))).toHaveLength(1);
  });

  it('has nothing to draw for empty or unbounded regions', () => {
    expect(regionOutline(regionFromCaps([cap(50, 8, 1), cap(35, 139, 1)]))).toEqual([]);
    expect(regionOutline(regionFromCaps([]))).toEqual([]);
  });
});

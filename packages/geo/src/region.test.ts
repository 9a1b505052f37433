import { describe, expect, it } from 'vitest';
import { makeCap } from './cap.js';
import { arcPoint, regionContains, regionFromCaps } from './region.js';
import { degrees, radians } from './units.js';
import { fromLatLon, toLatLon } from './vec3.js';

const cap = (lat: number, lon: number, angleDeg: number) => makeCap(fromLatLon(degrees(lat), degrees(lon)), radians((angleDeg * Math.PI) / 180));
const at = (lat: number, lon: number) => fromLatLon(degrees(lat), degrees(lon));

describe('regionFromCaps', () => {
  it('is the whole sphere without caps', () => {
    const r = regionFromCaps([]);
    expect(r.whole).toBe(true);
    expect(r.empty).toBe(false);
    expect(regionContains(r, at(-89, 12))).toBe(true);
  });

  it('is one full circle for a single cap', () => {
    const r = regionFromCaps([cap(10, 20, 5)]);
    expect(r.arcs).toEqual([{ cap: 0, from: 0, to: 2 * Math.PI }]);
  });

  it('drops a cap that contains a smaller one', () => {
    const r = regionFromCaps([cap(10, 20, 30), cap(10, 21, 5)]);
    expect(r.caps).toHaveLength(1);
    expect(r.caps[0]!.angle).toBeCloseTo((5 * Math.PI) / 180);
  });

  it('keeps one of two identical caps', () => {
    expect(regionFromCaps([cap(0, 0, 3), cap(0, 0, 3)]).caps).toHaveLength(1);
  });

  it('bounds a lens by two arcs whose ends meet at the lens tips', () => {
    const r = regionFromCaps([cap(0, 0, 10), cap(0, 15, 10)]);
    expect(r.empty).toBe(false);
    const ends = r.arcs.flatMap((a) => [arcPoint(r, a, a.from), arcPoint(r, a, a.to)]);
    for (const p of ends) expect(regionContains(r, p)).toBe(true);
    expect(regionContains(r, at(0, 7.5))).toBe(true);
    expect(regionContains(r, at(0, -1))).toBe(false);
  });

  it('is empty when caps do not overlap', () => {
    const r = regionFromCaps([cap(50, 8, 1), cap(35, 139, 1)]);
    expect(r.empty).toBe(true);
    expect(regionContains(r, at(50, 8))).toBe(false);
  });

  it('handles caps larger than a hemisphere', () => {
    const r = regionFromCaps([cap(0, 0, 120), cap(0, 180, 120)]);
    expect(r.empty).toBe(false);
    expect(regionContains(r, at(0, 90))).toBe(true);
    expect(regionContains(r, at(0, 0))).toBe(false);
    expect(regionContains(r, at(89, 0))).toBe(true);
  });

  it('finds both pieces of a region that a cap cuts in two', () => {
    // The band |lat| ≤ 5° within 20° of (0, 0), less everything within 8° of (0, 0).
    const r = regionFromCaps([cap(0, 0, 20), cap(90, 0, 95), cap(-90, 0, 95), cap(0, 180, 172)]);
    expect(r.empty).toBe(false);
    expect(regionContains(r, at(0, 12))).toBe(true);
    expect(regionContains(r, at(0, -12))).toBe(true);
    expect(regionContains(r, at(0, 0))).toBe(false);
    expect(regionContains(r, at(10, 12))).toBe(false);
    const pieces = new Set(r.arcs.map((a) => Math.sign(toLatLon(arcPoint(r, a, (a.from + a.to) / 2)).lon)));
    expect(pieces).toEqual(new Set([-1, 1]));
  });
});

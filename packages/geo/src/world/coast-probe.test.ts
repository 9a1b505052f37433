import { describe, expect, it } from 'vitest';
import { naturalEarthWorld } from './natural-earth.js';
import { probeCoast } from './coast-probe.js';

const world = naturalEarthWorld();
const bare = { ...world, overlay: undefined };

describe('probeCoast', () => {
  it('finds the middle of a gulf the land alone leaves provably outside its holder, and nothing once the overlay draws it', () => {
    // Olyutorsky Gulf, ~230 km across its mouth: regions of tens of km in it said `excluded` before the overlay drew it.
    const box = { country: 'RU', south: 59.4, north: 60.6, west: 166.5, east: 170.5, stepDeg: 0.2 } as const;
    const hits = probeCoast(bare, box);
    expect(hits.length).toBeGreaterThan(5);
    expect(Math.max(...hits.map((h) => h.largestExcludedKm))).toBeGreaterThan(10);
    expect(hits.every((h) => h.gapDeg < 180 && !h.otherLandNear)).toBe(true);
    expect(probeCoast(world, box)).toEqual([]);
  });

  it('reads a box across the antimeridian (the Gulf of Anadyr)', () => {
    const box = { country: 'RU', south: 63.4, north: 64.2, west: 179.0, east: -177.0, stepDeg: 0.2, segmentKm: 200 } as const;
    const hits = probeCoast(bare, box);
    expect(hits.some((h) => h.lon > 0)).toBe(true);
    expect(hits.some((h) => h.lon < 0)).toBe(true);
    expect(probeCoast(world, box)).toEqual([]);
  });

  it("says when another country's land is near, where the waters may be that country's", () => {
    // Between Kunashir and Shikotan, Hokkaido within 100 km.
    const hits = probeCoast(bare, { country: 'RU', south: 43.8, north: 44.2, west: 146.2, east: 146.8, stepDeg: 0.05 });
    expect(hits.some((h) => h.otherLandNear)).toBe(true);
  });

  it('reports progress by row and finds nothing where the country has no land', () => {
    const rows: number[] = [];
    expect(probeCoast(world, { country: 'CU', south: 0, north: 0.4, west: -30, east: -29.6, stepDeg: 0.2, onRow: (done) => rows.push(done) })).toEqual([]);
    expect(rows).toEqual([1, 2, 3]);
  });
});

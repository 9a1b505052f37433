import { describe, expect, it } from 'vitest';
import { DEFAULT_BORDER_MARGIN } from '../constants.js';
import { DEFAULT_RESTRICTED } from '../countries.js';
import { degrees, km } from '../units.js';
import { verifyTarget } from '../verdict.js';
import { naturalEarthWorld } from '../world/natural-earth.js';
import { CELL_COVERED, CELL_RESTRICTED, CELL_SEA, CELL_UNCOVERED, cellCenter, cellOf, coverageGrid, coverageJudge } from './coverage.js';
import { modelDistanceKm, predictLinear } from './rtt-model.js';

const world = naturalEarthWorld();
const restricted = new Set(DEFAULT_RESTRICTED);
const model = { interceptMs: 4, msPerKm: 0.0143 };
const options = { model, speed: 'vacuum' as const, restricted, marginKm: DEFAULT_BORDER_MARGIN };
const at = (lat: number, lon: number) => ({ lat: degrees(lat), lon: degrees(lon) });
const LANDMARKS = [at(50.11, 8.68), at(40.71, -74.0), at(-33.87, 151.21), at(1.35, 103.82)];

describe('coverageJudge', () => {
  it('gives the verdict of verifyTarget on the predicted RTTs, with or without its shortcut', () => {
    const judge = coverageJudge(world, LANDMARKS, options);
    // Points spread over the globe, near landmarks and far from them, on land and at sea.
    const points = Array.from({ length: 60 }, (_, i) => at(-60 + ((i * 37) % 140), -180 + ((i * 97) % 360)));
    for (const p of [...points, ...LANDMARKS]) {
      const bounds = LANDMARKS.map((l) => ({ lat: l.lat, lon: l.lon, rtt: predictLinear(model, km(modelDistanceKm(p, l))) }));
      expect(judge.covered(p), JSON.stringify(p)).toBe(verifyTarget(world, bounds, null, options).restricted === 'excluded');
    }
    expect(judge.verdictCalls()).toBeLessThan(points.length + LANDMARKS.length);
  });

  it('covers a host next to a landmark far from restricted land, and not one next to Russia', () => {
    const judge = coverageJudge(world, LANDMARKS, options);
    expect(judge.covered(at(50.0, 8.5))).toBe(true);
    expect(judge.covered(at(60.17, 24.94))).toBe(false);
  });
});

describe('coverageGrid', () => {
  const grid = coverageGrid(world, LANDMARKS, { ...options, stepDeg: 5 });

  it('marks each land cell covered, uncovered or restricted, and leaves the sea', () => {
    expect(grid.columns).toBe(72);
    expect(grid.rows).toBe(36);
    const statusAt = (lat: number, lon: number) => {
      const { column, row } = cellOf(grid, degrees(lat), degrees(lon));
      return grid.cells[row * grid.columns + column];
    };
    expect(statusAt(62, 95)).toBe(CELL_RESTRICTED); // Siberia
    expect(statusAt(-30, -140)).toBe(CELL_SEA); // South Pacific
    expect(statusAt(46, 103)).toBe(CELL_UNCOVERED); // Mongolia, between Russia and China
    const c = cellCenter(grid, 0, 0);
    expect([c.lat, c.lon]).toEqual([87.5, -177.5]);
    expect([...grid.cells].some((s) => s === CELL_COVERED)).toBe(true);
  });

  it('reports shares that add up', () => {
    const { covered, uncovered, restricted: r } = grid.areaKm2;
    expect(grid.coveredShareOfUnrestricted).toBeCloseTo(covered / (covered + uncovered), 12);
    expect(grid.coveredShareOfLand).toBeCloseTo(covered / (covered + uncovered + r), 12);
    // Land is about 149 million km²; a 5° grid read at cell centres is rough.
    expect(covered + uncovered + r).toBeGreaterThan(1.2e8);
    expect(covered + uncovered + r).toBeLessThan(1.8e8);
  });

  it('rejects a step that does not divide 180°', () => {
    expect(() => coverageGrid(world, LANDMARKS, { ...options, stepDeg: 7 })).toThrow(/divide 180/);
  });
});

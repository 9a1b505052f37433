import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CELL_COVERED, CELL_UNCOVERED, type CoverageGrid } from '@locus/geo';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { statusPolygons } from '../geo/coverage-out.js';
import { runLocus, tempFiles } from '../test-support.js';
import { HELP, parseGeoCoverageArgs } from './geo-coverage.js';

const LANDMARKS = 'id,name,country,lat,lon\nfra,Frankfurt,DE,50.11,8.68\nnyc,New York,US,40.71,-74.0\nsyd,Sydney,AU,-33.87,151.21\n';
const SITES = 'id,lat,lon\nmainz,50.0,8.27\nhelsinki,60.17,24.94\n';
const files = (overrides: Record<string, string> = {}) => tempFiles({ 'landmarks.csv': LANDMARKS, 'sites.csv': SITES, ...overrides });

describe('parseGeoCoverageArgs', () => {
  it('defaults to a 0.5° grid, vacuum and the standard restricted list', () => {
    expect(parseGeoCoverageArgs(['--landmarks', 'l', '--out', 'o'])).toMatchObject({ stepDeg: 0.5, speed: 'vacuum', marginKm: 25, png: undefined, sites: undefined });
  });

  it.each([
    [['--landmarks', 'l'], /missing --out FILE/],
    [['--landmarks', 'l', '--out', 'o', '--step', '0.7'], /--step must be a number of degrees from 0.1 to 10 that divides 180/],
    [['--landmarks', 'l', '--out', 'o', '--step', '20'], /--step must be/],
    [['--landmarks', 'l', '--out', 'o', '--quantile', '0.3'], /--quantile needs --landmark-rtts/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseGeoCoverageArgs(argv)).toThrow(CliError);
    expect(() => parseGeoCoverageArgs(argv)).toThrow(message);
  });
});

describe('statusPolygons', () => {
  it('draws runs of cells as rectangles, merged down the rows, covering exactly those cells', () => {
    // 4 × 2 cells of 45°: row 0 = C C . C, row 1 = C C . .
    const cells = Uint8Array.from([2, 2, 1, 2, 2, 2, 0, 0]);
    const grid = { stepDeg: 90, columns: 4, rows: 2, cells } as unknown as CoverageGrid;
    const polygons = statusPolygons(grid, CELL_COVERED);
    expect(polygons).toEqual([
      [[[90, 0], [180, 0], [180, 90], [90, 90], [90, 0]]],
      [[[-180, -90], [0, -90], [0, 90], [-180, 90], [-180, -90]]],
    ]);
    expect(statusPolygons(grid, CELL_UNCOVERED)).toEqual([[[[0, 0], [90, 0], [90, 90], [0, 90], [0, 0]]]]);
  });
});

describe('locus geo coverage', () => {
  it('writes GeoJSON and a PNG, and prints the covered shares of land and of the sites', async () => {
    const dir = files();
    const r = await runLocus(['geo', 'coverage', '--landmarks', join(dir, 'landmarks.csv'), '--out', join(dir, 'c.geojson'), '--png', join(dir, 'c.png'), '--sites', join(dir, 'sites.csv'), '--step', '10']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^coverage of 3 landmarks on a 10° grid/);
    expect(r.stdout).toMatch(/covered: \d+\.\d% of land outside restricted countries/);
    expect(r.stdout).toMatch(/sites: 1 of 2 covered \(50\.0%\)/);
    const doc = JSON.parse(readFileSync(join(dir, 'c.geojson'), 'utf8')) as {
      type: string;
      locus: { coveredShareOfUnrestrictedLand: number; sites: number; coveredSites: number };
      features: { properties: { status: string }; geometry: { type: string; coordinates: unknown[] } }[];
    };
    expect(doc.type).toBe('FeatureCollection');
    expect(doc.features.map((f) => f.properties.status)).toEqual(['covered', 'uncovered', 'restricted']);
    expect(doc.features.every((f) => f.geometry.type === 'MultiPolygon' && f.geometry.coordinates.length > 0)).toBe(true);
    expect(doc.locus).toMatchObject({ sites: 2, coveredSites: 1 });
    expect(doc.locus.coveredShareOfUnrestrictedLand).toBeGreaterThan(0);
    const png = readFileSync(join(dir, 'c.png'));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(1440);
  });

  it('prints its help', async () => {
    expect((await runLocus(['geo', 'coverage', '--help'])).stdout).toBe(HELP);
  });

  it('exits 2 on bad input, naming the file and line', async () => {
    const dir = files({ 'sites.csv': 'id,lat,lon\nx,100,0\n' });
    const r = await runLocus(['geo', 'coverage', '--landmarks', join(dir, 'landmarks.csv'), '--out', join(dir, 'c.geojson'), '--sites', join(dir, 'sites.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/LOCUS_ERR_INPUT_VALUE: .*sites\.csv line 2: lat "100"/);
  });

  it.each([
    ['in a folder that does not exist', (dir: string) => ['--out', join(dir, 'missing-dir', 'c.geojson')], /cannot write .*c\.geojson: its folder .*missing-dir does not exist\nChoose a file in a folder you can write to\./],
    ['a directory', (dir: string) => ['--out', dir], /cannot write .*: it is a directory/],
    ['a PNG in a folder under a file', (dir: string) => ['--out', join(dir, 'c.geojson'), '--png', join(dir, 'landmarks.csv', 'c.png')], /cannot write .*c\.png: .*landmarks\.csv is not a folder/],
  ])('exits 1 before any work when the output is %s, and writes nothing', async (_, out, message) => {
    const dir = files();
    const before = readdirSync(dir).sort();
    // A 0.5° grid takes seconds: refused before it is drawn.
    const r = await runLocus(['geo', 'coverage', '--landmarks', join(dir, 'landmarks.csv'), ...out(dir)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^locus: error LOCUS_ERR_OUTPUT: locus geo coverage: ${message.source}`));
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('refuses --out and --png naming one file', async () => {
    const dir = files();
    const r = await runLocus(['geo', 'coverage', '--landmarks', join(dir, 'landmarks.csv'), '--out', join(dir, 'c'), '--png', join(dir, '.', 'c')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/LOCUS_ERR_CLI_USAGE: locus geo coverage: --out and --png name the same file/);
  });
});

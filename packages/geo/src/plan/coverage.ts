/**
 * Coverage: where on Earth a well-connected host could prove `restricted: excluded` with a given
 * landmark set. Each land cell of a grid is judged by `verifyTarget` on the RTTs the global model
 * predicts from every landmark to the cell's centre. It is a map of the landmark set's reach, not
 * a promise about any host: a host with slower paths keeps a wider region.
 */
import { MEAN_EARTH_RADIUS } from '../constants.js';
import type { CountryCode } from '../countries.js';
import { degrees, km, type Degrees } from '../units.js';
import { regionFromRtts, verifyTarget, type VerifyOptions } from '../verdict.js';
import { regionHoldsAny, restrictedLandPoints, SKIP_MARGIN_KM } from './planner.js';
import { NO_UNIT, rasterUnitAt } from '../world/raster.js';
import type { World } from '../world/world.js';
import { modelDistanceKm, predictLinear, type LinearRttModel } from './rtt-model.js';
import type { LatLon } from '../vec3.js';

export const CELL_SEA = 0;
/** Land outside restricted countries where a well-connected host could not be proven outside them. */
export const CELL_UNCOVERED = 1;
/** Land where a well-connected host would be proven outside every restricted country. */
export const CELL_COVERED = 2;
/** Land of a restricted country: nobody there can be excluded. */
export const CELL_RESTRICTED = 3;

export interface CoverageGrid {
  readonly stepDeg: number;
  readonly columns: number;
  readonly rows: number;
  /** One CELL_* per cell, row-major from (90°N, 180°W). */
  readonly cells: Uint8Array;
  /** Land area per status, km² (cells weighted by their area on the mean sphere). */
  readonly areaKm2: { readonly covered: number; readonly uncovered: number; readonly restricted: number };
  /** Share of land outside restricted countries that is covered, and of all land. */
  readonly coveredShareOfUnrestricted: number;
  readonly coveredShareOfLand: number;
  readonly verdictCalls: number;
}

export interface CoverageOptions extends VerifyOptions {
  readonly stepDeg: number;
  readonly model: LinearRttModel;
}

export const cellCenter = (grid: { stepDeg: number }, column: number, row: number): LatLon => ({
  lat: degrees(90 - (row + 0.5) * grid.stepDeg),
  lon: degrees(-180 + (column + 0.5) * grid.stepDeg),
});

/** The cell holding a point. */
export function cellOf(grid: { stepDeg: number; columns: number; rows: number }, lat: Degrees, lon: Degrees): { column: number; row: number } {
  const column = Math.min(grid.columns - 1, Math.max(0, Math.floor((lon + 180) / grid.stepDeg)));
  const row = Math.min(grid.rows - 1, Math.max(0, Math.floor((90 - lat) / grid.stepDeg)));
  return { column, row };
}

const isRestrictedUnit = (world: World, unit: number, restricted: ReadonlySet<CountryCode>): boolean =>
  world.units[unit]!.codes.some((c) => restricted.has(c));

/**
 * Whether a well-connected host at a point would be proven outside every restricted country: the
 * verdict of `verifyTarget` on the RTTs the model predicts from each landmark to the point. A
 * region holding a point of restricted land cannot be excluded (see regionHoldsAny), which settles
 * most vast regions without the border query.
 */
export function coverageJudge(world: World, landmarks: readonly LatLon[], options: Omit<CoverageOptions, 'stepDeg'>): { covered: (p: LatLon) => boolean; verdictCalls: () => number } {
  const verify: VerifyOptions = { speed: options.speed, restricted: options.restricted, marginKm: options.marginKm, shareSamples: 1 };
  const restrictedPoints = options.marginKm >= SKIP_MARGIN_KM ? restrictedLandPoints(world, options.restricted) : [];
  let calls = 0;
  return {
    covered: (p) => {
      const bounds = landmarks.map((l) => ({ lat: l.lat, lon: l.lon, rtt: predictLinear(options.model, km(modelDistanceKm(p, l))) }));
      if (regionHoldsAny(regionFromRtts(bounds, options.speed), restrictedPoints)) return false;
      calls++;
      return verifyTarget(world, bounds, null, verify).restricted === 'excluded';
    },
    verdictCalls: () => calls,
  };
}

/**
 * Judges each land cell (land at its centre on the border raster) at its centre. Cells in
 * restricted countries are marked without a verdict: the predicted region holds the cell's centre,
 * so it is never excluded there.
 */
export function coverageGrid(world: World, landmarks: readonly LatLon[], options: CoverageOptions): CoverageGrid {
  const { stepDeg } = options;
  if (!(stepDeg > 0 && stepDeg <= 10 && Number.isInteger(180 / stepDeg))) throw new Error(`grid step must divide 180°, got ${stepDeg}`);
  const columns = Math.round(360 / stepDeg);
  const rows = Math.round(180 / stepDeg);
  const cells = new Uint8Array(columns * rows);
  const judge = coverageJudge(world, landmarks, options);
  const area = { covered: 0, uncovered: 0, restricted: 0 };
  const dLon = (stepDeg * Math.PI) / 180;
  for (let row = 0; row < rows; row++) {
    const north = ((90 - row * stepDeg) * Math.PI) / 180;
    const south = ((90 - (row + 1) * stepDeg) * Math.PI) / 180;
    const cellArea = MEAN_EARTH_RADIUS * MEAN_EARTH_RADIUS * dLon * (Math.sin(north) - Math.sin(south));
    for (let column = 0; column < columns; column++) {
      const p = cellCenter({ stepDeg }, column, row);
      const unit = rasterUnitAt(world.raster, p.lat, p.lon);
      if (unit === NO_UNIT) continue;
      const status = isRestrictedUnit(world, unit, options.restricted) ? CELL_RESTRICTED : judge.covered(p) ? CELL_COVERED : CELL_UNCOVERED;
      cells[row * columns + column] = status;
      if (status === CELL_COVERED) area.covered += cellArea;
      else if (status === CELL_UNCOVERED) area.uncovered += cellArea;
      else area.restricted += cellArea;
    }
  }
  const unrestricted = area.covered + area.uncovered;
  return {
    stepDeg,
    columns,
    rows,
    cells,
    areaKm2: area,
    coveredShareOfUnrestricted: unrestricted === 0 ? 0 : area.covered / unrestricted,
    coveredShareOfLand: area.covered / Math.max(1e-9, unrestricted + area.restricted),
    verdictCalls: judge.verdictCalls(),
  };
}

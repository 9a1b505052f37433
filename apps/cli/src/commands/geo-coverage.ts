import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { coverageGrid, coverageJudge, DEFAULT_BORDER_MARGIN, DEFAULT_MODEL_QUANTILE, DEFAULT_RESTRICTED, describeSpeedModel, km, type CountryCode, type Km, type SpeedModel } from '@locus/geo';
import { CliError, usageError } from '../errors.js';
import { readTextFile } from '../files.js';
import { coverageGeoJson, coveragePng } from '../geo/coverage-out.js';
import { parseDecimal } from '../decimal.js';
import { parseHosts, parseLandmarkRtts, parseLandmarks } from '../geo/inputs.js';
import { globalModelFor } from '../geo/plan.js';
import type { Io } from '../io.js';
import { parseCommandArgs } from './args.js';
import { parseRestricted } from './geo-verify.js';
import { modelOptions, speedOption } from './geo-model-options.js';

const NAME = 'locus geo coverage';

export const HELP = `Usage: ${NAME} --landmarks FILE --out FILE.geojson [options]

Maps where on Earth a well-connected host could prove "restricted: excluded" with these
landmarks: each land cell of a grid is judged by the verdict geo verify gives, on the RTTs the
global model predicts from every landmark to the cell's centre. It models well-connected hosts
(the model's fast quantile); a host with slower paths keeps a wider region, so a covered cell is
where proving is possible, not a promise for every host there.

Inputs:
  --landmarks FILE      id,name,country,lat,lon   the landmarks
  --landmark-rtts FILE  a,b,rtt_ms                landmark-to-landmark RTTs to fit the global
                        model on (default: a built-in fit on the WonderProxy data of 2020);
                        a row faster than light in vacuum between the two is refused
  --sites FILE          id,lat,lon[,country]      places to report the covered share of (optional)

Options:
  --out FILE         write GeoJSON: one MultiPolygon feature per status (covered, uncovered,
                     restricted) and a "locus" member with the figures
  --png FILE         also draw the map as a PNG (equirectangular, landmarks as dots)
  --step DEG         grid step in degrees, dividing 180 (default 0.5)
  --restricted LIST  comma-separated ISO 3166-1 alpha-2 codes (default ${DEFAULT_RESTRICTED.join(',')})
  --speed MODEL      vacuum (default), fiber (2/3 c) or a speed in km/ms, as in geo verify
  --margin-km KM     border margin, as in geo verify (default ${DEFAULT_BORDER_MARGIN})
  --quantile Q       quantile of the global fit, 0 < Q < 1 (default ${DEFAULT_MODEL_QUANTILE}; needs --landmark-rtts)
  -h, --help         show this help

Prints the covered share of land outside restricted countries, of all land, and of --sites.
Exit codes: 0 done; 1 an output file could not be written; 2 bad input.
Example:
  ${NAME} --landmarks landmarks.csv --out coverage.geojson --png coverage.png
`;

export interface GeoCoverageArgs {
  readonly landmarks: string;
  readonly landmarkRtts: string | undefined;
  readonly sites: string | undefined;
  readonly out: string;
  readonly png: string | undefined;
  readonly stepDeg: number;
  readonly restricted: readonly CountryCode[];
  readonly speed: SpeedModel;
  readonly marginKm: Km;
  readonly quantile: number | undefined;
}

/** Parses the command's arguments; undefined means --help was asked for. */
export function parseGeoCoverageArgs(args: readonly string[]): GeoCoverageArgs | undefined {
  const v = parseCommandArgs(NAME, args, {
    landmarks: { type: 'string' },
    'landmark-rtts': { type: 'string' },
    sites: { type: 'string' },
    out: { type: 'string' },
    png: { type: 'string' },
    step: { type: 'string' },
    restricted: { type: 'string' },
    speed: { type: 'string' },
    'margin-km': { type: 'string' },
    quantile: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return undefined;
  const missing = (['landmarks', 'out'] as const).filter((k) => v[k] === undefined || v[k] === '');
  if (missing.length > 0) throw usageError(`${NAME}: missing ${missing.map((m) => `--${m} FILE`).join(' and ')}`, `Run \`${NAME} --help\` for the inputs.`);
  const step = v.step === undefined ? 0.5 : parseDecimal(v.step);
  if (step === undefined || step < 0.1 || step > 10 || Math.abs(180 / step - Math.round(180 / step)) > 1e-9) {
    throw usageError(`${NAME}: --step must be a number of degrees from 0.1 to 10 that divides 180, got "${v.step}"`);
  }
  const speed = speedOption(NAME, v.speed);
  const { margin, quantile } = modelOptions(NAME, v);
  return {
    landmarks: v.landmarks!,
    landmarkRtts: v['landmark-rtts'],
    sites: v.sites,
    out: v.out!,
    png: v.png,
    stepDeg: 180 / Math.round(180 / step),
    restricted: v.restricted === undefined ? DEFAULT_RESTRICTED : parseRestricted(v.restricted, NAME),
    speed,
    marginKm: km(margin),
    quantile,
  };
}

/** Refuses, before the minutes of work, an output path that cannot be written: a directory, or one in a folder that is missing or not writable. */
function checkOutput(path: string): void {
  const fail = (why: string) => new CliError('LOCUS_ERR_OUTPUT', `${NAME}: cannot write ${path}: ${why}`, 'Choose a file in a folder you can write to.');
  const stat = (p: string) => {
    try {
      return statSync(p, { throwIfNoEntry: false });
    } catch {
      return undefined; // ENOTDIR: a file on the way, told below
    }
  };
  const folder = dirname(path);
  const parent = stat(folder);
  if (parent && !parent.isDirectory()) throw fail(`${folder} is not a folder`);
  if (stat(path)?.isDirectory()) throw fail('it is a directory');
  if (!parent) throw fail(`its folder ${folder} does not exist`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw fail(`its folder ${folder} is not writable`);
  }
}

/** Writes the whole file or none of it: a failure (a full disk) leaves no half-written file, and an earlier one at the path as it was. */
function writeOutput(path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new CliError('LOCUS_ERR_OUTPUT', `${NAME}: cannot write ${path}: ${(error as Error).message}`);
  }
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  const opts = parseGeoCoverageArgs(args);
  if (!opts) {
    io.stdout(HELP);
    return 0;
  }
  if (opts.png !== undefined && resolve(opts.png) === resolve(opts.out)) throw usageError(`${NAME}: --out and --png name the same file, ${opts.out}`, 'Give each its own: --out coverage.geojson --png coverage.png.');
  for (const path of [opts.out, opts.png]) if (path !== undefined) checkOutput(path);
  const landmarks = parseLandmarks(opts.landmarks, readTextFile(opts.landmarks, 'landmarks'));
  const pairs = opts.landmarkRtts === undefined ? undefined : parseLandmarkRtts(opts.landmarkRtts, readTextFile(opts.landmarkRtts, 'landmark RTTs'), landmarks, opts.landmarks);
  const sites = opts.sites === undefined ? undefined : parseHosts(opts.sites, readTextFile(opts.sites, 'sites'));
  const { model, source } = globalModelFor(landmarks, pairs, opts.quantile);

  const { naturalEarthWorld, NATURAL_EARTH_SOURCE } = await import('@locus/geo/natural-earth');
  const world = naturalEarthWorld();
  const places = [...landmarks.values()];
  const options = { stepDeg: opts.stepDeg, model, speed: opts.speed, restricted: new Set(opts.restricted), marginKm: opts.marginKm };
  const grid = coverageGrid(world, places, options);
  const judge = coverageJudge(world, places, options);
  const siteList = sites ? [...sites.values()] : [];
  const coveredSites = siteList.filter((s) => judge.covered(s));
  const summary = {
    landmarks: landmarks.size,
    stepDeg: opts.stepDeg,
    speed: opts.speed,
    restricted: opts.restricted,
    marginKm: opts.marginKm,
    model: { source, quantile: model.quantile, interceptMs: Number(model.interceptMs.toFixed(3)), msPerKm: Number(model.msPerKm.toFixed(6)) },
    coveredShareOfUnrestrictedLand: Number(grid.coveredShareOfUnrestricted.toFixed(4)),
    coveredShareOfLand: Number(grid.coveredShareOfLand.toFixed(4)),
    ...(sites ? { sites: siteList.length, coveredSites: coveredSites.length } : {}),
    borders: NATURAL_EARTH_SOURCE,
  };
  writeOutput(opts.out, coverageGeoJson(grid, summary));
  if (opts.png !== undefined) writeOutput(opts.png, coveragePng(grid, places));
  const lines = [
    `coverage of ${landmarks.size} landmarks on a ${opts.stepDeg}° grid (speed ${describeSpeedModel(opts.speed)}, margin ${opts.marginKm} km, restricted ${opts.restricted.join(',') || '(none)'})`,
    `covered: ${pct(grid.coveredShareOfUnrestricted)} of land outside restricted countries (${Math.round(grid.areaKm2.covered).toLocaleString('en-US')} km²), ${pct(grid.coveredShareOfLand)} of all land`,
    ...(sites ? [`sites: ${coveredSites.length} of ${siteList.length} covered (${pct(siteList.length === 0 ? 0 : coveredSites.length / siteList.length)})`] : []),
    `model: rtt ≈ ${model.interceptMs.toFixed(2)} ms + ${model.msPerKm.toFixed(5)} ms/km (quantile ${model.quantile}; ${source}): a well-connected host, not every host`,
    `wrote ${opts.out}${opts.png === undefined ? '' : ` and ${opts.png}`}`,
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

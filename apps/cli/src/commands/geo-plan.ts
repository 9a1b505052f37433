import { DEFAULT_BORDER_MARGIN, DEFAULT_MODEL_QUANTILE, DEFAULT_RESTRICTED, km, type CountryCode, type Km, type SpeedModel } from '@locus/geo';
import { CliError, usageError } from '../errors.js';
import { readTextFile } from '../files.js';
import { parseHosts, parseLandmarkRtts, parseLandmarks, parseRtts } from '../geo/inputs.js';
import { formatPlanTable, planLandmarks } from '../geo/plan.js';
import type { Io } from '../io.js';
import { parseCommandArgs } from './args.js';
import { parseRestricted } from './geo-verify.js';
import { modelOptions, speedOption } from './geo-model-options.js';
import { integerOption } from './options.js';

const NAME = 'locus geo plan';

export const HELP = `Usage: ${NAME} --landmarks FILE --candidates FILE --hosts FILE [options]

Chooses which candidate sites to add as landmarks so that the most hosts can be proven outside
every restricted country ("restricted: excluded"), in pick order, with what each adds and why
the other hosts stay uncovered. Predictions are for planning only: every "would this host be
excluded" is the verdict geo verify gives, on the host's bounds plus the predicted one.

Inputs (CSV with a header row):
  --landmarks FILE      id,name,country,lat,lon   the landmarks there are now
  --candidates FILE     id,name,country,lat,lon   sites where a landmark could be placed
  --hosts FILE          id,lat,lon[,country]      hosts or zones to cover, at their listed places
  --rtts FILE           target,landmark,rtt_ms    the hosts' measured RTTs to the landmarks
                        (target = host id). With it each host starts from its actual region and
                        candidates are predicted with the host's own model (its access delay and
                        path inflation, a lower envelope); without it, from the global model
  --landmark-rtts FILE  a,b,rtt_ms                landmark-to-landmark RTTs to fit the global
                        model on (default: a built-in fit on the WonderProxy data of 2020);
                        a row faster than light in vacuum between the two is refused

Options:
  --k N              how many sites to add at most (default 10)
  --restricted LIST  comma-separated ISO 3166-1 alpha-2 codes (default ${DEFAULT_RESTRICTED.join(',')})
  --speed MODEL      vacuum (default), fiber (2/3 c) or a speed in km/ms, as in geo verify
  --margin-km KM     border margin, as in geo verify (default ${DEFAULT_BORDER_MARGIN})
  --quantile Q       quantile of the global fit, 0 < Q < 1 (default ${DEFAULT_MODEL_QUANTILE}; needs --landmark-rtts)
  --format FORMAT    table (default) or json (one JSON document)
  -h, --help         show this help

Output (json): {"chosen":[{"id","name","predictedNewlyExcluded":[host ids],"gain",
"restrictedAreaRemovedKm2"}...], "predictedExcluded":{"before","after","hosts"},
"uncovered":[{"id","reason"}...], "model":{...}}

Exit codes: 0 done; 2 bad input (the message names the file, line and problem; an RTT row
whose landmark is not in --landmarks or whose target is not in --hosts is bad input).
Example:
  ${NAME} --landmarks landmarks.csv --candidates sites.csv --hosts hosts.csv --rtts rtts.csv --k 5
`;

export const FORMATS = ['table', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export interface GeoPlanArgs {
  readonly landmarks: string;
  readonly candidates: string;
  readonly hosts: string;
  readonly rtts: string | undefined;
  readonly landmarkRtts: string | undefined;
  readonly k: number;
  readonly restricted: readonly CountryCode[];
  readonly speed: SpeedModel;
  readonly marginKm: Km;
  readonly quantile: number | undefined;
  readonly format: Format;
}

/** Parses the command's arguments; undefined means --help was asked for. */
export function parseGeoPlanArgs(args: readonly string[]): GeoPlanArgs | undefined {
  const v = parseCommandArgs(NAME, args, {
    landmarks: { type: 'string' },
    candidates: { type: 'string' },
    hosts: { type: 'string' },
    rtts: { type: 'string' },
    'landmark-rtts': { type: 'string' },
    k: { type: 'string' },
    restricted: { type: 'string' },
    speed: { type: 'string' },
    'margin-km': { type: 'string' },
    quantile: { type: 'string' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return undefined;
  const missing = (['landmarks', 'candidates', 'hosts'] as const).filter((k) => v[k] === undefined || v[k] === '');
  if (missing.length > 0) {
    throw usageError(`${NAME}: missing ${missing.map((m) => `--${m} FILE`).join(' and ')}`, `Run \`${NAME} --help\` for the input formats.`);
  }
  const k = integerOption(NAME, 'k', v.k ?? '10', 1, 1000);
  const speed = speedOption(NAME, v.speed);
  const format = (v.format ?? 'table') as Format;
  if (!FORMATS.includes(format)) throw usageError(`${NAME}: --format must be ${FORMATS.join(' or ')}, got "${v.format}"`);
  const { margin, quantile } = modelOptions(NAME, v);
  return {
    landmarks: v.landmarks!,
    candidates: v.candidates!,
    hosts: v.hosts!,
    rtts: v.rtts,
    landmarkRtts: v['landmark-rtts'],
    k,
    restricted: v.restricted === undefined ? DEFAULT_RESTRICTED : parseRestricted(v.restricted, NAME),
    speed,
    marginKm: km(margin),
    quantile,
    format,
  };
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const opts = parseGeoPlanArgs(args);
  if (!opts) {
    io.stdout(HELP);
    return 0;
  }
  // Read and check every input before planning: bad input never yields a partial result.
  const landmarks = parseLandmarks(opts.landmarks, readTextFile(opts.landmarks, 'landmarks'));
  const candidates = parseLandmarks(opts.candidates, readTextFile(opts.candidates, 'candidates'));
  const hosts = parseHosts(opts.hosts, readTextFile(opts.hosts, 'hosts'));
  const rtts = opts.rtts === undefined ? undefined : parseRtts(opts.rtts, readTextFile(opts.rtts, 'RTTs'), landmarks, opts.landmarks);
  for (const t of rtts ?? []) {
    if (!hosts.has(t.id)) {
      throw new CliError('LOCUS_ERR_INPUT_REFERENCE', `${opts.rtts} line ${t.line}: target "${t.id}" is not in ${opts.hosts}`, 'Every target in the RTTs file must be a host id in the hosts file.');
    }
  }
  const landmarkRtts = opts.landmarkRtts === undefined ? undefined : parseLandmarkRtts(opts.landmarkRtts, readTextFile(opts.landmarkRtts, 'landmark RTTs'), landmarks, opts.landmarks);
  if (rtts) {
    const measured = new Set(rtts.map((t) => t.id));
    const missing = [...hosts.keys()].filter((id) => !measured.has(id));
    if (missing.length > 0) io.stderr(`locus: warning: ${missing.length} host${missing.length === 1 ? '' : 's'} (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}) have no RTTs in ${opts.rtts}; they are planned from the global model\n`);
  }

  const { naturalEarthWorld } = await import('@locus/geo/natural-earth');
  const report = planLandmarks(naturalEarthWorld(), { landmarks, candidates, hosts, rtts, landmarkRtts, quantile: opts.quantile }, opts);
  io.stdout(opts.format === 'json' ? `${JSON.stringify(report)}\n` : formatPlanTable(report));
  return 0;
}

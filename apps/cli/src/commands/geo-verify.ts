import { DEFAULT_BORDER_MARGIN, DEFAULT_RESTRICTED, km, type CountryCode, type Km, type SpeedModel } from '@locus/geo';
import { usageError } from '../errors.js';
import { readTextFile } from '../files.js';
import { formatJsonLine, formatTable } from '../geo/format.js';
import { countryCodeOf, parseClaims, parseLandmarks, parseRtts } from '../geo/inputs.js';
import { verifyTargets } from '../geo/pipeline.js';
import type { Io } from '../io.js';
import { parseCommandArgs } from './args.js';
import { numberOption } from './options.js';
import { speedOption } from './geo-model-options.js';

const NAME = 'locus geo verify';

export const HELP = `Usage: ${NAME} --landmarks FILE --rtts FILE [options]

Turns minimum round-trip times from landmarks at known places into the region each target
can be in, and judges it against country borders. Sound by default: with the vacuum speed
of light, "restricted: excluded" and "claim: contradicted" hold whatever delay a host adds.

Inputs (CSV with a header row):
  --landmarks FILE   id,name,country,lat,lon   landmark places (degrees, WGS84)
  --rtts FILE        target,landmark,rtt_ms    RTTs; several rows per pair keep the minimum
  --claims FILE      target,country            the country each target claims (optional)

Options:
  --restricted LIST  comma-separated ISO 3166-1 alpha-2 codes whose presence is checked
                     (default ${DEFAULT_RESTRICTED.join(',')}; "" for none)
  --speed MODEL      vacuum (default, the only physical bound), fiber (2/3 c),
                     or a speed in km/ms
  --margin-km KM     how close a country's land must come to the region to count as
                     possible: its 22.2 km territorial sea plus border-data error
                     (default ${DEFAULT_BORDER_MARGIN}; larger is more cautious)
  --format FORMAT    jsonl (default; one JSON object per target, in input order) or table
  -h, --help         show this help

Output (jsonl) keys: target, claimed, claim (verified|consistent|contradicted|null),
restricted (excluded|possible|certain), possibleCountries (largest share first), areaKm2,
radiusKm, estimate {lat, lon}, countryEstimate, and "empty": true when no place fits.

Exit codes: 0 done; 2 bad input (the message names the file, line and problem).
Example:
  ${NAME} --landmarks landmarks.csv --rtts rtts.csv --claims claims.csv --format table
`;

export const FORMATS = ['jsonl', 'table'] as const;
export type Format = (typeof FORMATS)[number];

export interface GeoVerifyArgs {
  readonly landmarks: string;
  readonly rtts: string;
  readonly claims: string | undefined;
  readonly restricted: readonly CountryCode[];
  readonly speed: SpeedModel;
  readonly marginKm: Km;
  readonly format: Format;
}

export function parseRestricted(text: string, command = NAME): CountryCode[] {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [...new Set(parts.map((p) => {
    const code = countryCodeOf(p);
    if (!code) throw usageError(`${command}: --restricted: unknown country code "${p}"`, 'Use ISO 3166-1 alpha-2 codes, comma-separated, e.g. CN,RU,IR.');
    return code;
  }))];
}

/** Parses the command's arguments; undefined means --help was asked for. */
export function parseGeoVerifyArgs(args: readonly string[]): GeoVerifyArgs | undefined {
  const v = parseCommandArgs(NAME, args, {
    landmarks: { type: 'string' },
    rtts: { type: 'string' },
    claims: { type: 'string' },
    restricted: { type: 'string' },
    speed: { type: 'string' },
    'margin-km': { type: 'string' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return undefined;
  const missing = (['landmarks', 'rtts'] as const).filter((k) => v[k] === undefined || v[k] === '');
  if (missing.length > 0) {
    throw usageError(`${NAME}: missing ${missing.map((m) => `--${m} FILE`).join(' and ')}`, `Run \`${NAME} --help\` for the input formats.`);
  }
  const speed = speedOption(NAME, v.speed);
  const format = (v.format ?? 'jsonl') as Format;
  if (!FORMATS.includes(format)) throw usageError(`${NAME}: --format must be ${FORMATS.join(' or ')}, got "${v.format}"`);
  const margin = v['margin-km'] === undefined ? DEFAULT_BORDER_MARGIN : numberOption(NAME, 'margin-km', v['margin-km'], 0, 1000, 'km');
  return {
    landmarks: v.landmarks!,
    rtts: v.rtts!,
    claims: v.claims,
    restricted: v.restricted === undefined ? DEFAULT_RESTRICTED : parseRestricted(v.restricted),
    speed,
    marginKm: km(margin),
    format,
  };
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const opts = parseGeoVerifyArgs(args);
  if (!opts) {
    io.stdout(HELP);
    return 0;
  }
  // Read and check every input before printing anything: bad input never yields a partial result.
  const landmarks = parseLandmarks(opts.landmarks, readTextFile(opts.landmarks, 'landmarks'));
  const targets = parseRtts(opts.rtts, readTextFile(opts.rtts, 'RTTs'), landmarks, opts.landmarks);
  const claims = opts.claims === undefined ? new Map() : parseClaims(opts.claims, readTextFile(opts.claims, 'claims'));
  const measured = new Set(targets.map((t) => t.id));
  for (const [target, { line }] of claims) {
    if (!measured.has(target)) io.stderr(`locus: warning: ${opts.claims} line ${line}: target "${target}" has no RTTs in ${opts.rtts}, so it gets no verdict\n`);
  }

  const { naturalEarthWorld, NATURAL_EARTH_SOURCE } = await import('@locus/geo/natural-earth');
  const world = naturalEarthWorld();
  const progress = io.stderrIsTty && targets.length >= 200;
  const results = verifyTargets(world, landmarks, targets, claims, opts, (done, total) => {
    if (progress && (done % 100 === 0 || done === total)) io.stderr(`\rverified ${done}/${total} targets${done === total ? '\n' : ''}`);
  });
  io.stdout(opts.format === 'table' ? formatTable(results, opts, NATURAL_EARTH_SOURCE) : results.map(formatJsonLine).join(''));
  return 0;
}

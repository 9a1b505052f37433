import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_BORDER_MARGIN, DEFAULT_RESTRICTED, countryName } from '@locus/geo';
import { DEMO_HOSTS, demoLandmarks, demoTargets } from '../demo/fleet.js';
import { CliError } from '../errors.js';
import { makeOutputDirectory } from '../files.js';
import { formatJsonLine, formatTable } from '../geo/format.js';
import type { Landmark, Target } from '../geo/inputs.js';
import { verifyTargets, type TargetVerdict, type VerifyRun } from '../geo/pipeline.js';
import type { Io } from '../io.js';
import { parseCommandArgs } from './args.js';

const NAME = 'locus demo';

export const HELP = `Usage: ${NAME} [--format table|jsonl] [--write DIR]

Verifies a built-in demo fleet: ${DEMO_HOSTS.length} GPU hosts measured from 15 landmarks at data-centre
cities, with RTTs made from geography (light in fibre along a route 1.5x the great-circle
distance, plus 0.2 ms). Some hosts are honest; some were smuggled into restricted countries
and claim to be elsewhere, adding delay to hide. The demo prints the verdicts and checks
each against where the host really is.

Options:
  --format FORMAT  table (default) or jsonl
  --write DIR      also write landmarks.csv, rtts.csv and claims.csv to DIR, to rerun
                   with \`locus geo verify\`
  -h, --help       show this help
`;

function csvFiles(landmarks: ReadonlyMap<string, Landmark>, targets: readonly Target[]): Record<string, string> {
  const lines = (header: string, rows: string[]): string => [header, ...rows].join('\n') + '\n';
  return {
    'landmarks.csv': lines('id,name,country,lat,lon', [...landmarks.values()].map((l) => `${l.id},${l.name},${l.country},${l.lat},${l.lon}`)),
    'rtts.csv': lines('target,landmark,rtt_ms', targets.flatMap((t) => [...t.rtts].map(([l, r]) => `${t.id},${l},${r.toFixed(3)}`))),
    'claims.csv': lines('target,country', DEMO_HOSTS.map((h) => `${h.id},${h.claims}`)),
  };
}

/** Whether a verdict is true of where the host really is: the property Locus must never break. */
function truthCheck(result: TargetVerdict, restricted: ReadonlySet<string>): string {
  const host = DEMO_HOSTS.find((h) => h.id === result.target)!;
  const { verdict } = result;
  const inRestricted = restricted.has(host.truth.country);
  const wrong =
    (verdict.restricted === 'excluded' && inRestricted) ||
    (verdict.restricted === 'certain' && !inRestricted) ||
    (verdict.claim === 'verified' && host.claims !== host.truth.country) ||
    (verdict.claim === 'contradicted' && host.claims === host.truth.country && !verdict.empty);
  const where = `${host.truth.place}, ${countryName(host.truth.country)}`;
  return `  ${wrong ? 'WRONG' : 'ok   '} ${host.id.padEnd(12)} really in ${where}; ${host.story}: claim ${verdict.claim}, restricted ${verdict.restricted}`;
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, { format: { type: 'string' }, write: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const format = v.format ?? 'table';
  if (format !== 'table' && format !== 'jsonl') throw new CliError('LOCUS_ERR_CLI_USAGE', `${NAME}: --format must be table or jsonl, got "${format}"`);
  const landmarks = demoLandmarks();
  const targets = demoTargets(landmarks);
  const claims = new Map(DEMO_HOSTS.map((h) => [h.id, { country: h.claims }]));
  if (v.write !== undefined) {
    const dir = resolve(io.cwd, v.write);
    makeOutputDirectory(NAME, dir);
    try {
      for (const [name, text] of Object.entries(csvFiles(landmarks, targets))) writeFileSync(join(dir, name), text);
    } catch (error) {
      throw new CliError('LOCUS_ERR_OUTPUT', `${NAME}: cannot write to ${dir}: ${(error as Error).message}`);
    }
    io.stderr(`wrote landmarks.csv, rtts.csv, claims.csv to ${dir}\n`);
  }
  const { naturalEarthWorld, NATURAL_EARTH_SOURCE } = await import('@locus/geo/natural-earth');
  const config: VerifyRun = { speed: 'vacuum', restricted: DEFAULT_RESTRICTED, marginKm: DEFAULT_BORDER_MARGIN };
  const results = verifyTargets(naturalEarthWorld(), landmarks, targets, claims, config);
  if (format === 'jsonl') {
    io.stdout(results.map(formatJsonLine).join(''));
    return 0;
  }
  const restricted = new Set(config.restricted);
  io.stdout(
    [
      'Locus demo: where are these GPUs? Verdicts from landmark RTTs alone (the vacuum speed of light).',
      '',
      formatTable(results, config, NATURAL_EARTH_SOURCE),
      'Checked against where each host really is:',
      ...results.map((r) => truthCheck(r, restricted)),
      '',
      'A smuggled host can add delay but never answer early, so it can widen its region, never move it:',
      'it may get "possible", never "excluded". Rerun with your own data: locus geo verify --help',
      '',
    ].join('\n'),
  );
  return 0;
}

import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { LandmarkInfo } from '@locus/protocol';
import { verifyProof } from '@locus/proof';
import { z } from 'zod';
import { CliError, usageError } from '../errors.js';
import { readJsonFile } from '../files.js';
import type { Io } from '../io.js';
import { parseCommandLine } from './args.js';

const NAME = 'locus proof verify';

export const HELP = `Usage: ${NAME} FILE [--trust LANDMARKS.json] [--json]

Checks a Locus location proof offline: every measurement's signature under its landmark's
key, that each one measures the bundle's host from a landmark in the bundle at the place it
signed, that none is stale or repeated, and that the measurements give the verdict the
bundle states (recomputed with this Locus's geo engine).

Options:
  --trust FILE   landmarks you trust (a JSON array of {id, name, country, lat, lon,
                 publicKey}, or {"landmarks": [...]}); without it the bundle's own landmark
                 keys are used, which proves consistency, not who measured
  --json         print the result as JSON
  -h, --help     show this help

Exit codes: 0 the proof holds; 1 it does not (each reason names the signature or field);
2 unreadable input.
`;

const TrustFile = z.union([z.array(LandmarkInfo), z.strictObject({ landmarks: z.array(LandmarkInfo) })]);

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values: v, positionals } = parseCommandLine(NAME, args, { trust: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw usageError(`${NAME}: give exactly one proof file, got ${positionals.length}`, `Run \`${NAME} --help\`.`);
  const bundle = readJsonFile(positionals[0]!, 'proof');
  let trusted;
  if (v.trust !== undefined) {
    const t = TrustFile.safeParse(readJsonFile(v.trust, 'trusted landmarks'));
    if (!t.success) throw new CliError('LOCUS_ERR_INPUT_VALUE', `${v.trust}: not a list of landmarks (${t.error.issues[0]?.path.join('.')}: ${t.error.issues[0]?.message})`);
    trusted = Array.isArray(t.data) ? t.data : t.data.landmarks;
  }
  const result = verifyProof(naturalEarthWorld(), bundle, trusted ? { trusted } : {});
  if (v.json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else if (result.ok) {
    const b = bundle as { host: { hostKey: string; claimed: string | null }; measurements: unknown[]; landmarks: unknown[] };
    io.stdout(
      [
        `proof holds: host ${b.host.hostKey}${b.host.claimed ? ` claims ${b.host.claimed}` : ''}`,
        `  claim ${result.verdict.claim ?? '(none)'}, restricted ${result.verdict.restricted}, possible ${result.verdict.possibleCountries.join(' ') || '(none)'}`,
        `  ${b.measurements.length} signed measurement(s) from ${b.landmarks.length} landmark(s) verified; verdict recomputed and matches`,
        ...result.notes.map((n) => `  note: ${n}`),
        '',
      ].join('\n'),
    );
  } else {
    io.stdout(
      [`proof does NOT hold (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}):`, ...result.problems.map((p) => `  ${p.code} at ${p.where}: ${p.message}`), ...result.notes.map((n) => `  note: ${n}`), ''].join('\n'),
    );
  }
  return result.ok ? 0 : 1;
}

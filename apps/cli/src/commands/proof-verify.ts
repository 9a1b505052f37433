import { OVERLAY_REVIEW_MONTHS, type SpeedModel } from '@locus/geo';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { DEFAULT_PROOF_REQUIREMENTS, verifyProof, type ProofCheck, type ProofProblem, type ProofRequirements } from '@locus/proof';
import { usageError } from '../errors.js';
import { readTextFile } from '../files.js';
import { printableLines, type Io } from '../io.js';
import { parseCommandLine } from './args.js';
import { numberOption } from './options.js';
import { speedOption } from './geo-model-options.js';
import { parseRestricted } from './geo-verify.js';
import { trustedLandmarks } from './trust-option.js';

const NAME = 'locus proof verify';

export const HELP = `Usage: ${NAME} FILE [--trust LANDMARKS.json] [--restricted LIST] [--margin-km KM]
                         [--window-hours H] [--speed MODEL] [--travel-kmh V] [--max-age-hours H]
                         [--json]

Checks a Locus location proof offline: every measurement's signature under its landmark's
key, that each one measures the bundle's host from a landmark in the bundle at the place it
signed, that none is stale or repeated, that the measurements give the verdict the bundle
states (recomputed with this Locus's geo engine), and that the bundle was judged with
parameters at least as strict as yours: its own are not signed. It says when the bundle was
made: a proof tells where the host could be when it was made (each measurement's bound grown
by the way the host could have travelled since), not where it is now. It
notes, without failing, overlay outlines (occupied land, seas, reefs that the border data
leaves out) reviewed more than ${OVERLAY_REVIEW_MONTHS} months ago, the bundle's or this Locus's own: fronts move.

Options:
  --trust FILE        landmarks you trust (a JSON array of {id, name, country, lat, lon,
                      publicKey}, or {"landmarks": [...]}); without it the bundle's own
                      landmark keys are used, which proves consistency, not who measured
  --restricted LIST   countries the bundle's restricted list must name, comma-separated
                      ISO 3166-1 alpha-2 codes (default ${DEFAULT_PROOF_REQUIREMENTS.restricted.join(',')};
                      "" for none: any list will do)
  --margin-km KM      the least border margin it may use (default ${DEFAULT_PROOF_REQUIREMENTS.marginKm})
  --window-hours H    the longest a measurement may count for in it (default ${DEFAULT_PROOF_REQUIREMENTS.maxAgeMs / 3_600_000})
  --speed MODEL       the slowest speed model it may judge with: vacuum (default; the only
                      physical bound), fiber, or km/ms; a slower one draws smaller regions
  --travel-kmh V      the least travel speed, km/h, it must allow its host (default ${DEFAULT_PROOF_REQUIREMENTS.travelKmPerH}):
                      less lets a host that moved while it was measured be judged
                      "excluded" where it never was; 0 accepts bundles made before
                      Locus grew bounds, which hold only a host that stayed put
  --max-age-hours H   how long ago its newest signed measurement may have been taken
                      (default: any age, as for an archived proof); its createdAt is not
                      signed, so the age is not taken from it
  --json              print the result as JSON
  -h, --help          show this help

Exit codes:
  0  the proof holds, its landmarks checked against --trust
  1  it does not, and each problem names the signature or field: a measurement that does not
     verify or does not fit the bundle, a verdict its measurements do not give, weaker
     parameters than yours, or FILE is not a proof bundle at all (empty, not JSON, a field
     missing or malformed)
  2  a bad option, a file that cannot be read (FILE or --trust), or a --trust file that is not
     a JSON list of landmarks
  3  it holds together, but without --trust its landmark keys are its own word, so it proves
     nothing of who measured (anyone can make such a bundle with landmark keys of their own)
`;

/**
 * FILE as the JSON it should be. What it is instead is a reason the proof does not hold, not bad
 * input, as a bundle of the wrong shape is (and as report verify treats its signature file).
 */
function proofDocument(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: ProofProblem } {
  const malformed = (why: string) => ({ ok: false, problem: { code: 'LOCUS_ERR_PROOF_MALFORMED', where: '(root)', message: `not a Locus proof bundle: the file is ${why} (a proof bundle is a JSON document, {"kind": "locus-proof", "v": 1, …})` } }) as const;
  if (text.trim() === '') return malformed('empty');
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return malformed('not JSON');
  }
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values: v, positionals } = parseCommandLine(NAME, args, {
    trust: { type: 'string' },
    restricted: { type: 'string' },
    'margin-km': { type: 'string' },
    'window-hours': { type: 'string' },
    speed: { type: 'string' },
    'travel-kmh': { type: 'string' },
    'max-age-hours': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw usageError(`${NAME}: give exactly one proof file, got ${positionals.length}`, `Run \`${NAME} --help\`.`);
  const require = requirementsOf(v);
  const document = proofDocument(readTextFile(positionals[0]!, 'proof'));
  const trusted = v.trust === undefined ? undefined : trustedLandmarks(v.trust);
  const now = new Date().getTime();
  const result: ProofCheck = document.ok ? verifyProof(naturalEarthWorld(), document.value, { require, now, ...(trusted ? { trusted } : {}) }) : { ok: false, problems: [document.problem], notes: [] };
  const bundle = document.ok ? document.value : undefined;
  const untrusted = result.ok && !trusted;
  if (v.json) {
    io.stdout(`${JSON.stringify({ ...result, ...(result.ok ? { trusted: !untrusted } : {}) }, null, 2)}\n`);
  } else if (result.ok) {
    const b = bundle as { createdAt: string; host: { hostKey: string; claimed: string | null }; measurements: { measurement: { measuredAt: string } }[]; landmarks: unknown[]; parameters: { restricted: string[]; marginKm: number; maxAgeMs: number; speed: string; travelKmPerH?: number; overlayReviewed?: string } };
    // The bundle's strings are untrusted: printed as they are, they could rewrite the screen.
    io.stdout(
      printableLines([
        `${untrusted ? 'proof holds together, landmarks NOT checked (no --trust)' : 'proof holds'}: host ${b.host.hostKey}${b.host.claimed ? ` claims ${b.host.claimed}` : ''}`,
        `  newest signed measurement ${newest(b.measurements)} (${age(now - Date.parse(newest(b.measurements)))}); made ${b.createdAt} by its own (unsigned) word, from measurements of the ${b.parameters.maxAgeMs / 3_600_000} h before`,
        `  claim ${result.verdict.claim ?? '(none)'}, restricted ${result.verdict.restricted}, possible ${result.verdict.possibleCountries.join(' ') || '(none)'}`,
        `  ${b.measurements.length} signed measurement(s) from ${b.landmarks.length} landmark(s) verified; verdict recomputed and matches`,
        `  judged with restricted ${b.parameters.restricted.join(',') || '(none)'}, border margin ${b.parameters.marginKm} km, window ${b.parameters.maxAgeMs / 3_600_000} h, speed ${b.parameters.speed}, travel ${b.parameters.travelKmPerH === undefined ? '(not recorded: none)' : `${b.parameters.travelKmPerH} km/h`}${b.parameters.overlayReviewed ? `, overlay outlines reviewed ${b.parameters.overlayReviewed}` : ''}`,
        ...result.notes.map((n) => `  note: ${n}`),
      ]),
    );
  } else {
    io.stdout(
      printableLines([`proof does NOT hold (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}):`, ...result.problems.map((p) => `  ${p.code} at ${p.where}: ${p.message}`), ...result.notes.map((n) => `  note: ${n}`)]),
    );
  }
  return !result.ok ? 1 : untrusted ? 3 : 0;
}

/** The latest `measuredAt` of a bundle's measurements (signed, unlike its `createdAt`). */
function newest(measurements: readonly { measurement: { measuredAt: string } }[]): string {
  return measurements.map((m) => m.measurement.measuredAt).reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

/** A duration for a person: minutes, hours or days ago. */
function age(ms: number): string {
  if (ms < 0) return 'in the future by this clock';
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 2 * 86_400_000) return `${+(ms / 3_600_000).toFixed(1)} h ago`;
  return `${Math.round(ms / 86_400_000)} days ago`;
}

/** The parameters the bundle is held to: the defaults, or those given. */
function requirementsOf(v: { restricted?: string; 'margin-km'?: string; 'window-hours'?: string; speed?: string; 'travel-kmh'?: string; 'max-age-hours'?: string }): ProofRequirements {
  const number = (flag: string, text: string | undefined, fallback: number, max: number, unit: string): number => (text === undefined ? fallback : numberOption(NAME, flag, text, 0, max, unit));
  return {
    restricted: v.restricted === undefined ? DEFAULT_PROOF_REQUIREMENTS.restricted : parseRestricted(v.restricted, NAME),
    marginKm: number('margin-km', v['margin-km'], DEFAULT_PROOF_REQUIREMENTS.marginKm, 1000, 'km'),
    maxAgeMs: number('window-hours', v['window-hours'], DEFAULT_PROOF_REQUIREMENTS.maxAgeMs / 3_600_000, 24 * 365, 'hours') * 3_600_000,
    speed: speedRequired(v.speed),
    travelKmPerH: number('travel-kmh', v['travel-kmh'], DEFAULT_PROOF_REQUIREMENTS.travelKmPerH, 100_000, 'km/h'),
    maxProofAgeMs: v['max-age-hours'] === undefined ? undefined : numberOption(NAME, 'max-age-hours', v['max-age-hours'], 0, 24 * 365 * 100, 'hours') * 3_600_000,
  };
}

/** The slowest speed model the bundle may judge with. */
function speedRequired(text: string | undefined): SpeedModel {
  if (text === undefined) return DEFAULT_PROOF_REQUIREMENTS.speed;
  return speedOption(NAME, text);
}

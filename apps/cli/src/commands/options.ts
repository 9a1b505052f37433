import { parseDecimal } from '../decimal.js';
import { usageError } from '../errors.js';

// The agent's commands take their options from here, and the standalone agent bundle holds what
// they import: nothing here may import @locus/geo or @locus/landmark (test/agent-bundle.test.ts).

/** What a range message shows of the value given. */
const given = (text: string | undefined): string => (text === undefined ? 'nothing' : `"${text}"`);

/**
 * The one wording of a number out of range, e.g. `--port must be a whole number from 0 to
 * 65535, got "-1"`; `source` is the option (`--port`) or the environment variable it came from.
 */
export function rangeMessage(command: string, source: string, text: string | undefined, range: { readonly min: number; readonly max: number; readonly whole?: boolean; readonly unit?: string | undefined }): string {
  const kind = `${range.whole ? 'a whole number' : 'a number'}${range.unit ? ` of ${range.unit}` : ''}`;
  return `${command}: ${source} must be ${kind} from ${range.min} to ${range.max}, got ${given(text)}`;
}

/** A number option within [min, max]; `unit`, when given, names the unit for the message. */
export function numberOption(command: string, name: string, text: string | undefined, min: number, max: number, unit?: string): number {
  const n = text === undefined ? undefined : parseDecimal(text);
  if (n === undefined || n < min || n > max) throw usageError(rangeMessage(command, `--${name}`, text, { min, max, unit }), `Run \`${command} --help\` for the options.`);
  return n;
}

/** A whole-number option within [min, max]; `unit`, when given, names the unit for the message. */
export function integerOption(command: string, name: string, text: string | undefined, min: number, max: number, unit?: string): number {
  const n = text === undefined ? undefined : parseDecimal(text);
  if (n === undefined || !Number.isInteger(n) || n < min || n > max) throw usageError(rangeMessage(command, `--${name}`, text, { min, max, whole: true, unit }), `Run \`${command} --help\` for the options.`);
  return n;
}

/** A TCP port to listen on from --port, else the PORT environment variable, else `fallback`; 0 picks a free one. */
export function portOption(command: string, flag: string | undefined, env: Readonly<Record<string, string | undefined>>, fallback: string): number {
  const [source, text] = flag !== undefined ? ['--port', flag] : env.PORT !== undefined ? ['PORT', env.PORT] : ['--port', fallback];
  const n = parseDecimal(text);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > 65535) throw usageError(rangeMessage(command, source, text, { min: 0, max: 65535, whole: true }), '0 picks a free port.');
  return n;
}

export function requireOption(command: string, name: string, value: string | undefined, shape: string): string {
  if (value === undefined || value === '') throw usageError(`${command}: missing --${name} ${shape}`, `Run \`${command} --help\` for the options.`);
  return value;
}

/** A country option, upper-cased, that `isKnown` accepts (@locus/geo's isCountryCode, where the command may load it). */
export function countryOption(command: string, value: string, flag: string, isKnown: (code: string) => boolean): string {
  const code = value.trim().toUpperCase();
  if (!isKnown(code)) throw usageError(`${command}: --${flag}: unknown country code "${value}"`, 'Use an ISO 3166-1 alpha-2 code such as DE or SG.');
  return code;
}

export const HTTP = ['http', 'https'] as const;
export const WEBSOCKET = ['ws', 'wss'] as const;
/** A landmark's timing endpoint, as `locus landmark serve` opens it. */
export const TIMING_EXAMPLE = 'ws://landmark.example:7443/v1/timing';

/**
 * A URL option whose scheme is one of `schemes` (e.g. ['ws', 'wss']) and that names a host;
 * `example` shows a good one in the hint.
 */
export function urlOption(command: string, name: string, value: string, schemes: readonly string[], example: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // not a URL: said below
  }
  if (!url || !schemes.includes(url.protocol.slice(0, -1)) || url.hostname === '' || /\s/.test(value)) {
    const wanted = schemes.map((s) => `${s}://`).join(schemes.length === 2 ? ' or ' : ', ');
    throw usageError(`${command}: --${name} must be ${/^h/.test(wanted) ? 'an' : 'a'} ${wanted} URL, got "${value}"`, `For example: --${name} ${example}`);
  }
  if (url.username !== '' || url.password !== '') {
    // Never echoed: the password would land in the terminal's scrollback and in logs.
    url.username = '';
    url.password = '';
    throw usageError(`${command}: --${name} must not hold a user name or password (${url.href.replace(/\/$/, '')} with credentials): the URL is logged and shown in status`, 'Leave them out: Locus authenticates with its own keys and tokens (--token-file where a command takes one), never with a password in a URL.');
  }
  return value;
}

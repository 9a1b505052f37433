import { isCountryCode } from '@locus/geo';
import { KeyFileError, readKey } from '@locus/landmark';
import type { SigningKey } from '@locus/protocol';
import { parseDecimal } from '../geo/csv.js';
import { CliError, usageError } from '../errors.js';

/** A number option within [min, max]; `what` names the unit for the message. */
export function numberOption(command: string, name: string, text: string | undefined, min: number, max: number, what: string): number {
  const n = text === undefined ? undefined : parseDecimal(text);
  if (n === undefined || n < min || n > max) {
    throw usageError(`${command}: --${name} must be ${what} from ${min} to ${max}, got ${text === undefined ? 'nothing' : `"${text}"`}`);
  }
  return n;
}

/** A whole-number option within [min, max]; `what`, when given, names the unit for the message. */
export function integerOption(command: string, name: string, text: string | undefined, min: number, max: number, what?: string): number {
  const n = text === undefined ? undefined : parseDecimal(text);
  if (n === undefined || !Number.isInteger(n) || n < min || n > max) {
    throw usageError(`${command}: --${name} must be a whole number${what ? ` of ${what}` : ''} from ${min} to ${max}, got ${text === undefined ? 'nothing' : `"${text}"`}`);
  }
  return n;
}

export function requireOption(command: string, name: string, value: string | undefined, shape: string): string {
  if (value === undefined || value === '') throw usageError(`${command}: missing --${name} ${shape}`, `Run \`${command} --help\` for the options.`);
  return value;
}

export function countryOption(command: string, value: string, flag = 'country'): string {
  const code = value.trim().toUpperCase();
  if (!isCountryCode(code)) throw usageError(`${command}: --${flag}: unknown country code "${value}"`, 'Use an ISO 3166-1 alpha-2 code such as DE or SG.');
  return code;
}

/** Reads the key file named by --key, turning its problems into a coded error for `command`. */
export function keyOption(command: string, path: string | undefined): SigningKey {
  try {
    return readKey(requireOption(command, 'key', path, 'FILE'));
  } catch (error) {
    if (error instanceof KeyFileError) throw new CliError('LOCUS_ERR_KEY_FILE', `${command}: ${error.message}`, error.hint);
    throw error;
  }
}

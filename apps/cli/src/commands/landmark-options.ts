import { KeyFileError, readKey } from '@locus/landmark';
import type { SigningKey } from '@locus/protocol';
import { CliError } from '../errors.js';
import { requireOption } from './options.js';

// Apart from options.ts so that the agent's commands, and the standalone agent bundle, do not load
// @locus/landmark (and the @locus/geo it depends on).

/** Reads the key file named by --key, turning its problems into a coded error for `command`. */
export function keyOption(command: string, path: string | undefined): SigningKey {
  try {
    return readKey(requireOption(command, 'key', path, 'FILE'));
  } catch (error) {
    if (error instanceof KeyFileError) throw new CliError('LOCUS_ERR_KEY_FILE', `${command}: ${error.message}`, error.hint);
    throw error;
  }
}

import { KeyFileError, KeyWriteError, writeNewKey } from '@locus/landmark';
import { DirectoryError } from '@locus/protocol';
import { CliError } from '../errors.js';
import { directoryFailure } from '../files.js';
import type { Io } from '../io.js';
import { parseCommandArgs } from './args.js';
import { requireOption } from './options.js';

const NAME = 'locus landmark keygen';

export const HELP = `Usage: ${NAME} --out DIR [--force]

Creates a landmark's Ed25519 signing key in DIR/landmark.key, readable by its owner only
(mode 0600; DIR is created 0700). Prints the public key, which is the landmark's identity:
register it with the server together with the landmark's audited place.

Options:
  --out DIR   where to write landmark.key
  --force     replace an existing key (its old measurements will no longer match)
  -h, --help  show this help
`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, { out: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const dir = requireOption(NAME, 'out', v.out, 'DIR');
  try {
    const { path, key } = writeNewKey(dir, v.force ?? false);
    io.stderr(`wrote ${path} (mode 0600)\n`);
    io.stdout(`${key.publicKey}\n`);
    return 0;
  } catch (error) {
    if (error instanceof KeyWriteError) throw new CliError('LOCUS_ERR_OUTPUT', `${NAME}: ${error.message}`, error.hint);
    if (error instanceof KeyFileError) throw new CliError('LOCUS_ERR_KEY_FILE', `${NAME}: ${error.message}`, error.hint);
    if (error instanceof DirectoryError) throw directoryFailure(NAME, error, 'Choose a directory you can write to: --out DIR.');
    throw new CliError('LOCUS_ERR_OUTPUT', `${NAME}: cannot write the key to ${dir}: ${(error as Error).message}`);
  }
}

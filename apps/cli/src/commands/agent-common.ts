import { readFileSync } from 'node:fs';
import { defaultStateDir, IdentityError, loadOrCreateKey, readEnrollment, type Enrollment } from '@locus/agent';
import type { SigningKey } from '@locus/protocol';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';

export const STATE_DIR_HELP = '  --state-dir DIR   agent state (default $LOCUS_AGENT_STATE_DIR, else ~/.locus/agent)';

export const stateDirOf = (io: Io, flag: string | undefined): string => flag ?? defaultStateDir(io.env);

export function keyIn(command: string, dir: string): SigningKey {
  try {
    return loadOrCreateKey(dir);
  } catch (error) {
    if (error instanceof IdentityError) throw new CliError('LOCUS_ERR_KEY_FILE', `${command}: ${error.message}`);
    throw new CliError('LOCUS_ERR_OUTPUT', `${command}: cannot use the state dir ${dir}: ${(error as Error).message}`);
  }
}

export function enrolledIn(command: string, dir: string): Enrollment {
  const e = readEnrollment(dir);
  if (!e) throw new CliError('LOCUS_ERR_AGENT_STATE', `${command}: this agent is not enrolled (state dir ${dir})`, 'Enroll it first: locus agent enroll --server URL --token-file FILE');
  return e;
}

/** A secret from a file, or from standard input when the path is "-": never from the command line. */
export function readSecret(command: string, path: string): string {
  try {
    const text = readFileSync(path === '-' ? 0 : path, 'utf8').trim();
    if (text === '') throw new Error('it is empty');
    return text;
  } catch (error) {
    throw new CliError('LOCUS_ERR_INPUT_FILE', `${command}: cannot read the token from ${path === '-' ? 'standard input' : path}: ${(error as Error).message}`);
  }
}

import { readFileSync } from 'node:fs';
import { CollectError, defaultStateDir, IdentityError, loadOrCreateKey, readEnrollment, type Enrollment } from '@locus/agent';
import { DirectoryError, type SigningKey } from '@locus/protocol';
import { CliError } from '../errors.js';
import { directoryFailure } from '../files.js';
import type { Io } from '../io.js';

export const STATE_DIR_HELP = '  --state-dir DIR   agent state (default $LOCUS_AGENT_STATE_DIR, else ~/.locus/agent)';

const STATE_DIR_HINT = 'Choose a state dir you can write to: --state-dir DIR, or LOCUS_AGENT_STATE_DIR.';

/** A state dir that could not be made, as LOCUS_ERR_OUTPUT naming it and why; other errors as they are. */
export const stateDirFailure = (command: string, error: unknown): unknown => directoryFailure(command, error, STATE_DIR_HINT);

/**
 * What a command tells of a failed collection pass: a bad --simulate is a usage error; no driver,
 * or a driver that could not be read, says what was tried; a state dir that cannot be made (the
 * simulator keeps its host there) names it. Other errors are returned as they are.
 */
export function collectFailure(command: string, error: unknown, hint?: string): unknown {
  if (!(error instanceof CollectError)) return stateDirFailure(command, error);
  if (error.kind === 'bad-spec') return new CliError('LOCUS_ERR_CLI_USAGE', `${command}: ${error.message}`, 'Examples: --simulate 8xH100, --simulate 4xH100,4xH200.');
  if (error.kind === 'no-gpu') return new CliError('LOCUS_ERR_NO_GPU', `${command}: ${error.message}`, hint ?? 'Run `locus agent precheck` to see what is missing, or try Locus without a GPU: --simulate 8xH100');
  return new CliError('LOCUS_ERR_GPU_READ', `${command}: ${error.message}`, 'Check the driver (nvidia-smi, dmesg); `locus agent precheck` says what else is missing.');
}

/** LOCUS_AGENT_HOSTNAME in a command's help. */
export const HOSTNAME_HELP = `LOCUS_AGENT_HOSTNAME names this host in what the agent reports (inventory, the
metrics' Hostname label) instead of the OS hostname: in a Kubernetes pod, set it to the node's
name (the Helm chart does), or every node is named after its pod.`;

/** The host's name to report, from LOCUS_AGENT_HOSTNAME; undefined: the OS's. */
export const hostnameOf = (io: Io): string | undefined => io.env.LOCUS_AGENT_HOSTNAME?.trim() || undefined;

export const stateDirOf = (io: Io, flag: string | undefined): string => flag ?? defaultStateDir(io.env);

export function keyIn(command: string, dir: string): SigningKey {
  try {
    return loadOrCreateKey(dir);
  } catch (error) {
    if (error instanceof IdentityError) throw new CliError('LOCUS_ERR_KEY_FILE', `${command}: ${error.message}`);
    if (error instanceof DirectoryError) throw stateDirFailure(command, error);
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

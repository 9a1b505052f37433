import { readFileSync } from 'node:fs';
import { AgentRunningError, CollectError, defaultStateDir, EnrollmentFileError, IdentityError, Outbox, OutboxError, agentFiles, loadOrCreateKey, readEnrollment, type Enrollment } from '@locus/agent';
import { DirectoryError, type SigningKey } from '@locus/protocol';
import { CliError } from '../errors.js';
import { CHECK_PATH, directoryFailure, whyUnreadable } from '../files.js';
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

/** `text` as one word for a POSIX shell: as it is where nothing in it needs quoting, else in single quotes. */
export const shellWord = (text: string): string => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`);

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

/**
 * The enrollment in the state dir, undefined when there is none; one that is there but cannot be
 * read is LOCUS_ERR_AGENT_STATE naming the file.
 */
export function enrollmentIn(command: string, dir: string): Enrollment | undefined {
  try {
    return readEnrollment(dir);
  } catch (error) {
    if (!(error instanceof EnrollmentFileError)) throw error;
    throw new CliError('LOCUS_ERR_AGENT_STATE', `${command}: ${error.message}`, `Restore it from a backup, or delete this host's identity and enroll again: locus agent unenroll --force --state-dir ${shellWord(dir)}`);
  }
}

export function enrolledIn(command: string, dir: string): Enrollment {
  const e = enrollmentIn(command, dir);
  if (!e) throw new CliError('LOCUS_ERR_AGENT_STATE', `${command}: this agent is not enrolled (state dir ${dir})`, 'Enroll it first: locus agent enroll --server URL --token-file FILE');
  return e;
}

/**
 * A queue that could not be opened (not a database, unreadable), as LOCUS_ERR_DATABASE naming
 * it; another agent running on the state dir as LOCUS_ERR_AGENT_STATE; other errors as they are.
 */
export function stateFileFailure(command: string, error: unknown): unknown {
  if (error instanceof AgentRunningError) return new CliError('LOCUS_ERR_AGENT_STATE', `${command}: ${error.message}`, 'Stop that agent first (systemctl stop locus-agent, or its container), or give this one a state dir of its own: --state-dir DIR.');
  if (!(error instanceof OutboxError)) return error;
  return new CliError('LOCUS_ERR_DATABASE', `${command}: ${error.message}`, 'Fix its owner or mode, or move it aside (with its -wal and -shm files) to start an empty queue; what it held is then not sent.');
}

/** The agent's queue in the state dir, opened (see stateFileFailure). */
export async function outboxIn(command: string, dir: string): Promise<Outbox> {
  try {
    return await Outbox.open(agentFiles(dir).outbox);
  } catch (error) {
    throw stateFileFailure(command, error);
  }
}

/** A secret from a file, or from standard input when the path is "-": never from the command line. */
export function readSecret(command: string, path: string): string {
  try {
    const text = readFileSync(path === '-' ? 0 : path, 'utf8').trim();
    if (text === '') throw new Error('it is empty');
    return text;
  } catch (error) {
    // The path's next step where the file could not be opened or read, not where it is empty.
    const pathAtFault = path !== '-' && (error as NodeJS.ErrnoException).code !== undefined;
    throw new CliError('LOCUS_ERR_INPUT_FILE', `${command}: cannot read the token from ${path === '-' ? 'standard input' : path}: ${whyUnreadable(error)}`, pathAtFault ? CHECK_PATH : undefined);
  }
}

import { existsSync } from 'node:fs';
import { EnrollmentFileError, ServerError, loadOrCreateKey, lockStateDir, readEnrollment, unenrollAt, wipeIdentity, type Enrollment } from '@locus/agent';
import { PROTOCOL_VERSION, signBody } from '@locus/protocol';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import { STATE_DIR_HELP, stateFileFailure, stateDirOf } from './agent-common.js';
import { parseCommandArgs } from './args.js';

const NAME = 'locus agent unenroll';

export const HELP = `Usage: ${NAME} [--force] [--state-dir DIR]

Leaves the server (a request signed with the host key, so nobody else can remove the node),
then deletes the host key, the enrollment and the queue. The audit log stays. The server keeps
the node's history for auditors. Stop the agent first: this command refuses while an agent runs
on the state dir.

Options:
  --force           delete the local identity even when the server cannot be told
${STATE_DIR_HELP}
  -h, --help        show this help
`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, { force: { type: 'boolean' }, 'state-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const dir = stateDirOf(io, v['state-dir']);
  // Not from under a running agent, which would go on sending with the deleted key.
  let lock;
  try {
    lock = existsSync(dir) ? lockStateDir(dir) : undefined;
  } catch (error) {
    throw stateFileFailure(NAME, error);
  }
  try {
    return await unenroll(io, dir, v.force === true);
  } finally {
    lock?.release();
  }
}

async function unenroll(io: Io, dir: string, force: boolean): Promise<number> {
  let enrollment: Enrollment | undefined;
  let unreadable = false;
  try {
    enrollment = readEnrollment(dir);
  } catch (error) {
    if (!(error instanceof EnrollmentFileError)) throw error;
    // Enrolled, with a server this command cannot name: the server cannot be told.
    if (!force) throw new CliError('LOCUS_ERR_AGENT_STATE', `${NAME}: ${error.message}; the server cannot be told`, 'Restore the file and run this again, or pass --force to delete the local identity anyway (the node then stays on its server until an admin removes it).');
    io.stderr(`locus: warning: ${error.message}; the server was not told, deleting the local identity anyway\n`);
    unreadable = true;
  }
  if (enrollment) {
    try {
      const key = loadOrCreateKey(dir);
      await unenrollAt(enrollment.server, signBody('unenroll', { v: PROTOCOL_VERSION, hostKey: key.publicKey, at: new Date().toISOString() }, key.privateKey));
      io.stdout(`left ${enrollment.server} (node ${enrollment.nodeId})\n`);
    } catch (error) {
      const message = error instanceof ServerError ? error.message : (error as Error).message;
      if (!force) throw new CliError('LOCUS_ERR_SERVER_REFUSED', `${NAME}: the server was not told: ${message}`, 'Retry when it is reachable, or pass --force to delete the local identity anyway.');
      io.stderr(`locus: warning: the server was not told (${message}); deleting the local identity anyway\n`);
    }
  } else if (!unreadable) {
    io.stdout('not enrolled: no server to leave\n');
  }
  const deleted = wipeIdentity(dir);
  io.stdout(deleted.length > 0 ? `deleted the ${listed(deleted)} in ${dir}\n` : `nothing to delete in ${dir}\n`);
  return 0;
}

/** "a", "a and b", "a, b and c". */
const listed = (items: readonly string[]): string => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

import { ServerError, loadOrCreateKey, readEnrollment, unenrollAt, wipeIdentity } from '@locus/agent';
import { PROTOCOL_VERSION, signBody } from '@locus/protocol';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import { STATE_DIR_HELP, stateDirOf } from './agent-common.js';
import { parseCommandArgs } from './args.js';

const NAME = 'locus agent unenroll';

export const HELP = `Usage: ${NAME} [--force] [--state-dir DIR]

Leaves the server (a request signed with the host key, so nobody else can remove the node),
then deletes the host key, the enrollment and the queue. The audit log stays. The server keeps
the node's history for auditors.

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
  const enrollment = readEnrollment(dir);
  if (enrollment) {
    try {
      const key = loadOrCreateKey(dir);
      await unenrollAt(enrollment.server, signBody('unenroll', { v: PROTOCOL_VERSION, hostKey: key.publicKey, at: new Date().toISOString() }, key.privateKey));
      io.stdout(`left ${enrollment.server} (node ${enrollment.nodeId})\n`);
    } catch (error) {
      const message = error instanceof ServerError ? error.message : (error as Error).message;
      if (!v.force) throw new CliError('LOCUS_ERR_SERVER_REFUSED', `${NAME}: the server was not told: ${message}`, 'Retry when it is reachable, or pass --force to delete the local identity anyway.');
      io.stderr(`locus: warning: the server was not told (${message}); deleting the local identity anyway\n`);
    }
  } else {
    io.stdout('not enrolled: no server to leave\n');
  }
  const deleted = wipeIdentity(dir);
  io.stdout(deleted.length > 0 ? `deleted the ${listed(deleted)} in ${dir}\n` : `nothing to delete in ${dir}\n`);
  return 0;
}

/** "a", "a and b", "a, b and c". */
const listed = (items: readonly string[]): string => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

import { existsSync } from 'node:fs';
import { Outbox, agentFiles, readEnrollment } from '@locus/agent';
import type { Io } from '../io.js';
import { STATE_DIR_HELP, stateDirOf } from './agent-common.js';
import { parseCommandArgs } from './args.js';

const NAME = 'locus agent status';

export const HELP = `Usage: ${NAME} [--json] [--state-dir DIR]

Says whether this agent is enrolled (server, node, org), its host key, and what waits in its
outbox. Reads local state only.

Options:
  --json            print JSON
${STATE_DIR_HELP}
  -h, --help        show this help
`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, { json: { type: 'boolean' }, 'state-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const dir = stateDirOf(io, v['state-dir']);
  const files = agentFiles(dir);
  const enrollment = readEnrollment(dir) ?? null;
  let queued = { samples: 0, events: 0 };
  if (existsSync(files.outbox)) {
    const outbox = await Outbox.open(files.outbox);
    queued = await outbox.size();
    await outbox.close();
  }
  const status = { stateDir: dir, enrolled: enrollment !== null, enrollment, hasKey: existsSync(files.key), queued };
  if (v.json) io.stdout(`${JSON.stringify(status, null, 2)}\n`);
  else
    io.stdout(
      [
        enrollment ? `enrolled with ${enrollment.server} as node ${enrollment.nodeId} (org ${enrollment.orgId}) since ${enrollment.enrolledAt}` : 'not enrolled',
        `state dir ${dir}; host key ${status.hasKey ? 'present' : 'none'}`,
        `outbox: ${queued.samples} sample(s), ${queued.events} event(s) waiting`,
        '',
      ].join('\n'),
    );
  return 0;
}

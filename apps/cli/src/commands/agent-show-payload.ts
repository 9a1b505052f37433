import { randomUUID } from 'node:crypto';
import { createQueuer, signedBatch } from '@locus/agent';
import type { Io } from '../io.js';
import { HOSTNAME_HELP, STATE_DIR_HELP, collectFailure, enrolledIn, hostnameOf, keyIn, outboxIn, stateDirOf } from './agent-common.js';
import { parseCommandArgs } from './args.js';

const NAME = 'locus agent show-payload';

export const HELP = `Usage: ${NAME} [--simulate SPEC] [--state-dir DIR]

Prints exactly the payload this agent sends next: the signed batch at the head of its outbox,
byte for byte what \`locus agent run\` will POST. When the outbox is empty it first collects once
(as the agent would) so that there is something to show. Every payload actually sent is also
appended to the audit log in the state dir.

Options:
  --simulate SPEC   collect from a simulated host, as \`locus agent run --simulate\` would
${STATE_DIR_HELP}
  -h, --help        show this help

Environment: ${HOSTNAME_HELP}
`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, { simulate: { type: 'string' }, 'state-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const dir = stateDirOf(io, v['state-dir']);
  enrolledIn(NAME, dir);
  const key = keyIn(NAME, dir);
  const outbox = await outboxIn(NAME, dir);
  try {
    const size = await outbox.size();
    if (size.samples + size.events === 0) {
      try {
        await createQueuer({ outbox, stateDir: dir, simulate: v.simulate, nvmlLibrary: io.env.LOCUS_NVML_LIBRARY, hostname: hostnameOf(io) }).tick(new Date());
      } catch (error) {
        throw collectFailure(NAME, error);
      }
    }
    const batch = await outbox.nextBatch(500, randomUUID, new Date().getTime());
    io.stdout(`${JSON.stringify(batch ? signedBatch(batch, key) : null, null, 2)}\n`);
    return 0;
  } finally {
    await outbox.close();
  }
}

import { startAgent } from '@locus/agent';
import { usageError } from '../errors.js';
import type { Io } from '../io.js';
import { STATE_DIR_HELP, enrolledIn, keyIn, stateDirOf } from './agent-common.js';
import { parseCommandArgs } from './args.js';
import { numberOption } from './options.js';

const NAME = 'locus agent run';

export const HELP = `Usage: ${NAME} [--simulate SPEC] [--landmark URL ...] [--interval-s 10] [--state-dir DIR]

Runs the agent: every interval it reads the GPUs (read-only), runs the health checks, and
queues the sample, health changes, new Xid events and inventory changes in its durable outbox;
then it sends the outbox in signed, idempotent batches, backing off while the server is away.
It keeps a connection to each landmark and answers their timing challenges. It opens no port
and accepts no commands.

Options:
  --simulate SPEC   read a simulated host (e.g. 8xH100) instead of the driver
  --landmark URL    a landmark's timing endpoint, e.g. ws://landmark:7443/v1/timing (repeatable)
  --interval-s N    seconds between samples (default: the server's, 10)
${STATE_DIR_HELP}
  -h, --help        show this help

Stops cleanly on SIGINT or SIGTERM; what is queued stays queued for the next start.
`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, {
    simulate: { type: 'string' },
    landmark: { type: 'string', multiple: true },
    'interval-s': { type: 'string' },
    'state-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const dir = stateDirOf(io, v['state-dir']);
  const enrollment = enrolledIn(NAME, dir);
  const key = keyIn(NAME, dir);
  const intervalS = numberOption(NAME, 'interval-s', v['interval-s'] ?? String(enrollment.samplingIntervalS || 10), 0.1, 3600, 'seconds');
  for (const url of v.landmark ?? []) if (!/^wss?:\/\/\S+$/.test(url)) throw usageError(`${NAME}: --landmark must be a ws:// or wss:// URL, got "${url}"`);
  const log = (line: string) => io.stderr(`${new Date().toISOString()} ${line}\n`);
  const agent = await startAgent({ stateDir: dir, enrollment, key, simulate: v.simulate, intervalMs: intervalS * 1000, landmarks: v.landmark ?? [], log });
  log(`agent running: node ${enrollment.nodeId} → ${enrollment.server}, every ${intervalS} s${v.simulate ? `, simulating ${v.simulate}` : ''}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  log('stopping');
  await agent.stop();
  return 0;
}

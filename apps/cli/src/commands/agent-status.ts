import { existsSync, statSync } from 'node:fs';
import { AGENT_VERSION, EnrollmentFileError, agentFiles, readEnrollment, readKey, type DeliveryStatus, type Enrollment } from '@locus/agent';
import { PROTOCOL_VERSION } from '@locus/protocol';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import { STATE_DIR_HELP, outboxIn, stateDirOf } from './agent-common.js';
import { parseCommandArgs } from './args.js';

const NAME = 'locus agent status';

export const HELP = `Usage: ${NAME} [--json] [--state-dir DIR]

Says this agent's version and the protocol version it writes, whether it is enrolled (server,
node, org), its host key, what waits in its outbox, when the server last stored a batch of its,
whether deliveries are held (the server refuses every batch alike: it does not read this agent's
protocol version, or does not take its host key; nothing is dropped), and the last batch the
server refused for good (dropped: when, why, what it held). Reads local state only. A damaged
enrollment or key file is shown, not an error: this command says what is wrong with the state dir.

Options:
  --json            print JSON
${STATE_DIR_HELP}
  -h, --help        show this help

Exit codes: 0 shown; 1 the queue (outbox.db) cannot be read (LOCUS_ERR_DATABASE); 2 a usage
error, or a state dir that is not a directory (LOCUS_ERR_AGENT_STATE).
`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, { json: { type: 'boolean' }, 'state-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const dir = stateDirOf(io, v['state-dir']);
  // A state dir that is not a directory holds no state to show: an error, not a status.
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new CliError('LOCUS_ERR_AGENT_STATE', `${NAME}: the state dir ${dir} is not a directory`, 'Give the agent\'s state dir: --state-dir DIR, or LOCUS_AGENT_STATE_DIR.');
  const files = agentFiles(dir);
  let enrollment: Enrollment | null = null;
  // Shown, not thrown: this is the command that says what is wrong with the state dir.
  let enrollmentError: string | null = null;
  try {
    enrollment = readEnrollment(dir) ?? null;
  } catch (error) {
    if (!(error instanceof EnrollmentFileError)) throw error;
    enrollmentError = error.message;
  }
  let keyError: string | null = null;
  try {
    readKey(dir);
  } catch (error) {
    keyError = (error as Error).message;
  }
  let queued = { samples: 0, events: 0 };
  let delivery: DeliveryStatus = { lastDeliveredAt: null, lastRefusal: null, held: null };
  if (existsSync(files.outbox)) {
    const outbox = await outboxIn(NAME, dir);
    queued = await outbox.size();
    delivery = await outbox.deliveryStatus();
    await outbox.close();
  }
  const status = { agentVersion: AGENT_VERSION, protocolVersion: PROTOCOL_VERSION, stateDir: dir, enrolled: enrollment !== null, enrollment, enrollmentError, hasKey: existsSync(files.key), keyError, queued, ...delivery };
  if (v.json) io.stdout(`${JSON.stringify(status, null, 2)}\n`);
  else
    io.stdout(
      [
        `locus agent ${AGENT_VERSION}, writing protocol version ${PROTOCOL_VERSION}`,
        enrollment ? `enrolled with ${enrollment.server} as node ${enrollment.nodeId} (org ${enrollment.orgId}) since ${enrollment.enrolledAt}` : enrollmentError ? `enrollment unknown: ${enrollmentError}` : 'not enrolled',
        `state dir ${dir}; host key ${keyError ? `unusable: ${keyError}` : status.hasKey ? 'present' : 'none'}`,
        `outbox: ${queued.samples} sample(s), ${queued.events} event(s) waiting`,
        delivery.lastDeliveredAt ? `last delivered ${delivery.lastDeliveredAt}` : 'no batch delivered yet',
        ...heldLines(delivery),
        ...refusalLines(delivery),
        '',
      ].join('\n'),
    );
  return 0;
}

function heldLines({ held }: DeliveryStatus): string[] {
  if (!held) return [];
  if (held.code === 'LOCUS_ERR_PROTO_VERSION') return [`deliveries held since ${held.since}: the server does not read this agent's protocol version (last refused ${held.at}: ${held.message})`, 'nothing is dropped but past the outbox bound; the queue is sent once the server reads this version (upgrade the server)'];
  return [
    `deliveries held since ${held.since}: the server refuses this agent's host key (last refused ${held.at}: ${held.message})`,
    "nothing is dropped but past the outbox bound; the queue is sent once the server takes this key again (the node was unenrolled there, or the server's database replaced: unenroll with --force and enroll this host again)",
  ];
}

function refusalLines({ lastDeliveredAt, lastRefusal: r }: DeliveryStatus): string[] {
  if (!r) return [];
  const lines = [`last refused batch ${r.at}, ${r.samples} sample(s) and ${r.events} event(s) dropped: ${r.message}`];
  // Refused since the last delivery: what this agent sends now is refused.
  if (lastDeliveredAt === null || Date.parse(r.at) > Date.parse(lastDeliveredAt)) lines.push('the server refuses what this agent sends now: each such batch is dropped (the message above says why)');
  return lines;
}

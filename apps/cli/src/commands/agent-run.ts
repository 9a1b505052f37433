import { DEFAULT_METRICS_LISTEN, MAX_SEND_WAIT_MS, isLoopback, parseListen, sendEveryDefault, startAgent, type MetricsListen } from '@locus/agent';
import { CliError, usageError } from '../errors.js';
import type { Io } from '../io.js';
import { untilStopped } from '../signals.js';
import { HOSTNAME_HELP, STATE_DIR_HELP, enrolledIn, hostnameOf, keyIn, stateFileFailure, stateDirOf } from './agent-common.js';
import { parseCommandArgs } from './args.js';
import { TIMING_EXAMPLE, WEBSOCKET, integerOption, numberOption, urlOption } from './options.js';

const NAME = 'locus agent run';

const DEFAULT_LISTEN = `${DEFAULT_METRICS_LISTEN.host}:${DEFAULT_METRICS_LISTEN.port}`;

export const HELP = `Usage: ${NAME} [--simulate SPEC] [--landmark URL ...] [--interval-s 10] [--send-every 3] [--metrics [ADDR:PORT]] [--state-dir DIR]

Runs the agent: every interval it reads the GPUs (read-only; NVML through libnvidia-ml.so.1,
else nvidia-smi -q -x), runs the health checks, and queues the sample, health changes, new Xid
events and inventory changes in its durable outbox. It sends the outbox in signed, idempotent
batches: every few samples (--send-every), and at once after a pass that queued an event;
while the server is away it backs off. It keeps a connection to each landmark and answers
their timing challenges. It accepts no commands, and opens no port except the optional
Prometheus endpoint below.

Options:
  --simulate SPEC      read a simulated host (e.g. 8xH100) instead of the driver
  --landmark URL       a landmark's timing endpoint, e.g. ws://landmark:7443/v1/timing (repeatable)
  --interval-s N       seconds between samples (default: the server's, 10)
  --send-every N       send queued samples every N samples (default 3: every 30 s at a 10-s
                       interval; fewer where 3 intervals exceed ${MAX_SEND_WAIT_MS / 1000} s); Xids, health
                       changes and inventory changes go at once
  --metrics [ADDR:PORT]
                       serve Prometheus metrics at GET /metrics (dcgm-exporter's names and
                       labels, and locus_agent_*), on ${DEFAULT_LISTEN} unless told otherwise;
                       off without this option. Any other request answers 404.
${STATE_DIR_HELP}
  -h, --help           show this help

Environment: LOCUS_NVML_LIBRARY names the NVML library to load instead of libnvidia-ml.so.1.
${HOSTNAME_HELP}
Stops cleanly on SIGINT or SIGTERM; what is queued stays queued for the next start.
Exit codes: 0 stopped by a signal; 1 the metrics address cannot be listened on, or the queue
(outbox.db) cannot be opened; 2 bad input, or not enrolled.
`;

/** `--metrics` takes an optional value: given alone (last, or before another option) it means the default address. */
export function withMetricsDefault(args: readonly string[]): string[] {
  return args.flatMap((a, i) => (a === '--metrics' && (args[i + 1] === undefined || args[i + 1]!.startsWith('-')) ? [a, DEFAULT_LISTEN] : [a]));
}

function metricsOption(text: string | undefined): MetricsListen | undefined {
  if (text === undefined) return undefined;
  const listen = parseListen(text);
  if (!listen) throw usageError(`${NAME}: --metrics must be ADDR:PORT, e.g. ${DEFAULT_LISTEN} or [::1]:9400, got "${text}"`);
  return listen;
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, withMetricsDefault(args), {
    simulate: { type: 'string' },
    metrics: { type: 'string' },
    landmark: { type: 'string', multiple: true },
    'interval-s': { type: 'string' },
    'send-every': { type: 'string' },
    'state-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  // What the command line says is checked first: a bad option is named whatever the state dir holds.
  const intervalGiven = v['interval-s'] === undefined ? undefined : numberOption(NAME, 'interval-s', v['interval-s'], 0.1, 3600, 'seconds');
  const sendEveryGiven = v['send-every'] === undefined ? undefined : integerOption(NAME, 'send-every', v['send-every'], 1, 360, 'samples');
  for (const url of v.landmark ?? []) urlOption(NAME, 'landmark', url, WEBSOCKET, TIMING_EXAMPLE);
  const metrics = metricsOption(v.metrics);
  const dir = stateDirOf(io, v['state-dir']);
  const enrollment = enrolledIn(NAME, dir);
  const key = keyIn(NAME, dir);
  const intervalS = intervalGiven ?? numberOption(NAME, 'interval-s', String(enrollment.samplingIntervalS || 10), 0.1, 3600, 'seconds');
  const sendEvery = sendEveryGiven ?? sendEveryDefault(intervalS * 1000);
  const log = (line: string) => io.stderr(`${new Date().toISOString()} ${line}\n`);
  let agent;
  try {
    agent = await startAgent({ stateDir: dir, enrollment, key, simulate: v.simulate, nvmlLibrary: io.env.LOCUS_NVML_LIBRARY, hostname: hostnameOf(io), intervalMs: intervalS * 1000, sendEvery, landmarks: v.landmark ?? [], metrics, log });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (metrics && (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')) {
      throw new CliError('LOCUS_ERR_LISTEN', `${NAME}: cannot serve metrics on ${metrics.host}:${metrics.port}: ${e.message}`, 'Pick another port with --metrics ADDR:PORT, or run without --metrics.');
    }
    throw stateFileFailure(NAME, error);
  }
  // Signals taken before it says it runs (SIGTERM's default action would kill it uncleanly).
  const stopped = untilStopped(log, async (signal) => {
    log(`${signal}: stopping`);
    await agent.stop();
  });
  log(`agent running: node ${enrollment.nodeId} → ${enrollment.server}, a sample every ${intervalS} s, sent every ${sendEvery === 1 ? 'sample' : `${sendEvery} samples`}${v.simulate ? `, simulating ${v.simulate}` : ''}`);
  if (agent.metricsUrl) {
    log(`metrics at ${agent.metricsUrl}${metrics && !isLoopback(metrics.host) ? ' (reachable from other hosts: bind 127.0.0.1 unless a scraper elsewhere needs it)' : ''}`);
  }
  await stopped;
  return 0;
}

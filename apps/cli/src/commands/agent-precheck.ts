import { hostProbes, precheckExitCode, readEnrollment, runPrecheck, type PrecheckResult } from '@locus/agent';
import type { Io } from '../io.js';
import { STATE_DIR_HELP, stateDirOf } from './agent-common.js';
import { parseCommandArgs } from './args.js';
import { HTTP, TIMING_EXAMPLE, WEBSOCKET, numberOption, urlOption } from './options.js';

const NAME = 'locus agent precheck';

export const HELP = `Usage: ${NAME} [--server URL] [--landmark URL ...] [--json] [--timeout-s 5] [--state-dir DIR]

Says what this host lacks for the agent, each with the fix. Reads and connects only; changes
nothing and sends nothing but the probes below.

Checks, in the order to fix them:
  driver       the NVIDIA kernel module is loaded (/proc/driver/nvidia/version)
  nvml         libnvidia-ml.so.1 loads through FFI and counts the GPUs (LOCUS_NVML_LIBRARY
               names another file)
  nvidia-smi   the fallback reader answers (nvidia-smi -L)
  devices      /dev/nvidiactl and /dev/nvidiaN open read-write for this user
  kernel-log   dmesg or journalctl -k is readable, for Xid events
  state-dir    the state dir is (or can be made) writable and private
  clock        the clock is synchronised (timedatectl, else chronyc; else "unknown")
  server       GET <server>/healthz answers 200 (--server, else the enrolled server), and
               the server reads the protocol version this agent writes
  landmark     each --landmark URL accepts a WebSocket

Options:
  --server URL      the server to reach (default: the one this agent is enrolled with)
  --landmark URL    a landmark's timing endpoint, e.g. ws://landmark:7443/v1/timing (repeatable)
  --json            print one JSON document: {"ok": …, "checks": [{check, status, detail, fix?}]}
  --timeout-s N     the longest wait for each command and connection (default 5)
${STATE_DIR_HELP}
  -h, --help        show this help

Statuses: ok; warn (the agent runs, with less); fail (it cannot run, or cannot report);
unknown (cannot be told from here); skip (nothing to check).
Exit codes: 0 nothing failed (warnings allowed); 1 at least one check failed; 2 bad input.
`;

function table(results: readonly PrecheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length));
  const lines = results.flatMap((r) => [`${r.status.toUpperCase().padEnd(7)} ${r.check.padEnd(width)}  ${r.detail}`, ...(r.fix ? [`${' '.repeat(8 + width)}  fix: ${r.fix}`] : [])]);
  const failed = results.filter((r) => r.status === 'fail').length;
  const count = (status: PrecheckResult['status']) => results.filter((r) => r.status === status).length;
  const also = [count('warn') > 0 ? `${count('warn')} warning(s)` : '', count('unknown') > 0 ? `${count('unknown')} unknown` : ''].filter((x) => x !== '');
  return `${lines.join('\n')}\n\n${[failed === 0 ? 'ready' : `${failed} check(s) failed`, ...also].join('; ')}\n`;
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, {
    server: { type: 'string' },
    landmark: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    'timeout-s': { type: 'string' },
    'state-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  if (v.server !== undefined) urlOption(NAME, 'server', v.server, HTTP, 'https://locus.example');
  for (const url of v.landmark ?? []) urlOption(NAME, 'landmark', url, WEBSOCKET, TIMING_EXAMPLE);
  const timeoutS = numberOption(NAME, 'timeout-s', v['timeout-s'] ?? '5', 0.1, 120, 'seconds');
  const stateDir = stateDirOf(io, v['state-dir']);
  const results = await runPrecheck(
    { stateDir, server: v.server ?? enrolledServer(stateDir), landmarks: v.landmark ?? [] },
    hostProbes({ timeoutMs: timeoutS * 1000, nvmlLibrary: io.env.LOCUS_NVML_LIBRARY }),
  );
  const code = precheckExitCode(results);
  io.stdout(v.json ? `${JSON.stringify({ ok: code === 0, checks: results }, null, 2)}\n` : table(results));
  return code;
}

/** The server this agent is enrolled with; undefined when it is not, or its enrollment cannot be read (`locus agent status` says why). */
function enrolledServer(dir: string): string | undefined {
  try {
    return readEnrollment(dir)?.server;
  } catch {
    return undefined;
  }
}

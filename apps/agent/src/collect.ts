import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseKernelLog } from './nvidia/kmsg.js';
import { parseNvidiaSmiXml } from './nvidia/smi-xml.js';
import { simulateHost } from './simulator/simulate.js';
import { parseFleetSpec } from './simulator/models.js';
import { loadSimulator, saveSimulator } from './state.js';
import type { HostSnapshot } from './snapshot.js';

const run = promisify(execFile);

export class CollectError extends Error {
  readonly kind: 'no-gpu' | 'bad-spec' | 'failed';
  constructor(kind: 'no-gpu' | 'bad-spec' | 'failed', message: string) {
    super(message);
    this.kind = kind;
  }
}

export interface CollectOptions {
  /** A fleet spec such as 8xH100: simulate instead of reading the driver. */
  readonly simulate?: string | undefined;
  readonly stateDir: string;
  readonly now: Date;
}

export interface Collected {
  readonly snapshot: HostSnapshot;
  /** Things the operator should know about how the data was read. */
  readonly notes: readonly string[];
}

async function kernelXids(): Promise<{ xids: HostSnapshot['xids']; note?: string }> {
  for (const [cmd, args] of [['dmesg', ['--time-format', 'iso']], ['journalctl', ['-k', '-o', 'short-iso', '--no-pager', '-q']]] as const) {
    try {
      const { stdout } = await run(cmd, [...args], { timeout: 15_000, maxBuffer: 64 * 1024 * 1024 });
      return { xids: parseKernelLog(stdout).xids };
    } catch {
      // Try the next source; reading the kernel log may need root or CAP_SYSLOG.
    }
  }
  return { xids: [], note: 'kernel log unreadable (dmesg and journalctl -k failed): Xid events are not checked; run as root or grant CAP_SYSLOG' };
}

/** Reads the GPUs through `nvidia-smi -q -x` (the fallback until NVML is wired in) and the kernel log. */
async function collectFromNvidiaSmi(now: Date): Promise<Collected> {
  let xml: string;
  try {
    xml = (await run('nvidia-smi', ['-q', '-x'], { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new CollectError('no-gpu', 'no NVIDIA driver found (nvidia-smi is not on PATH)');
    throw new CollectError('failed', `nvidia-smi -q -x failed: ${(e.stderr ?? e.message).trim()}`);
  }
  const log = parseNvidiaSmiXml(xml);
  const { xids, note } = await kernelXids();
  return {
    snapshot: {
      collectedAt: now.toISOString(),
      source: 'nvidia-smi',
      driverVersion: log.driverVersion,
      cudaVersion: log.cudaVersion,
      gpus: log.gpus,
      xids,
      expectedGpus: log.attachedGpus,
      missingGpus: [],
    },
    notes: note ? [note] : [],
  };
}

/** One collection pass: the simulator when asked, else the real driver. */
export async function collect(options: CollectOptions): Promise<Collected> {
  if (options.simulate === undefined) return collectFromNvidiaSmi(options.now);
  const spec = parseFleetSpec(options.simulate);
  if ('error' in spec) throw new CollectError('bad-spec', `--simulate: ${spec.error}`);
  const { state, replaced } = loadSimulator(options.stateDir, options.simulate);
  saveSimulator(options.stateDir, state);
  return {
    snapshot: simulateHost(spec, state.seed, options.now, state.faults),
    notes: [`simulated ${options.simulate}${state.faults.length ? ` with ${state.faults.length} injected fault(s)` : ''}`, ...(replaced ? ['a previous simulation of another spec was replaced'] : [])],
  };
}

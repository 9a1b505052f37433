import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseKernelLog } from './nvidia/kmsg.js';
import { simulateHost } from './simulator/simulate.js';
import { parseFleetSpec } from './simulator/models.js';
import { loadSimulator, saveSimulator } from './state.js';
import { clearedXids, unclearedXids } from './xid-cleared.js';
import type { HostSnapshot } from './snapshot.js';
import { nvmlCodeName, type Nvml, type NvmlOpen } from './nvml/api.js';
import { NVML_LIBRARY, openKoffiNvml } from './nvml/koffi.js';
import { nvmlSnapshotParts } from './nvml/map.js';
import { readNvmlHost } from './nvml/read.js';

const run = promisify(execFile);

export class CollectError extends Error {
  readonly kind: 'no-gpu' | 'bad-spec' | 'failed';
  constructor(kind: 'no-gpu' | 'bad-spec' | 'failed', message: string) {
    super(message);
    this.kind = kind;
  }
}

/** Where a collection pass reads from; tests and the benchmark pass their own. */
export interface CollectSources {
  /** Opens NVML; by default libnvidia-ml.so.1 through koffi, kept open for the process once it loads. */
  readonly openNvml: () => Promise<NvmlOpen>;
  /** The output of `nvidia-smi -q -x`; throws CollectError('no-gpu') when there is no nvidia-smi. */
  readonly nvidiaSmiXml: () => Promise<string>;
  /** The kernel log's text, or why it could not be read. */
  readonly kernelLog: () => Promise<{ readonly text: string } | { readonly note: string }>;
}

export interface CollectOptions {
  /** A fleet spec such as 8xH100: simulate instead of reading the driver. */
  readonly simulate?: string | undefined;
  readonly stateDir: string;
  readonly now: Date;
  /** The NVML library to load instead of libnvidia-ml.so.1 (LOCUS_NVML_LIBRARY). */
  readonly nvmlLibrary?: string | undefined;
  readonly sources?: Partial<CollectSources>;
}

export interface Collected {
  readonly snapshot: HostSnapshot;
  /** Things the operator should know about how the data was read. */
  readonly notes: readonly string[];
}

async function readKernelLog(): Promise<{ text: string } | { note: string }> {
  for (const [cmd, args] of [['dmesg', ['--time-format', 'iso']], ['journalctl', ['-k', '-o', 'short-iso', '--no-pager', '-q']]] as const) {
    try {
      const { stdout } = await run(cmd, [...args], { timeout: 15_000, maxBuffer: 64 * 1024 * 1024 });
      return { text: stdout };
    } catch {
      // Try the next source; reading the kernel log may need root or CAP_SYSLOG.
    }
  }
  return { note: 'kernel log unreadable (dmesg and journalctl -k failed): Xid events are not checked; run as root or grant CAP_SYSLOG' };
}

async function readNvidiaSmiXml(): Promise<string> {
  try {
    return (await run('nvidia-smi', ['-q', '-x'], { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    const e = error as Omit<NodeJS.ErrnoException, 'code'> & { code?: string | number; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new CollectError('no-gpu', 'nvidia-smi is not on PATH');
    // A GPU fallen off the bus makes nvidia-smi exit non-zero (15) while it still reports the
    // others: read them (the log's attached count says one is missing) rather than lose them all.
    if (e.stdout?.includes('<nvidia_smi_log')) return e.stdout;
    // It says why on stdout ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver").
    const said = `${e.stderr ?? ''}\n${e.stdout ?? ''}`.split('\n').map((l) => l.trim()).filter((l) => l !== '').slice(0, 3).join(' ');
    throw new CollectError('failed', `nvidia-smi -q -x ${typeof e.code === 'number' ? `exited with status ${e.code}` : 'failed'}: ${said || e.message}`);
  }
}

const openedNvml = new Map<string, NvmlOpen & { nvml: Nvml }>();

/** NVML from `library`, loaded once per process; a failure is retried on the next call. */
async function openSystemNvml(library: string): Promise<NvmlOpen> {
  const open = openedNvml.get(library) ?? (await openKoffiNvml(library));
  if ('nvml' in open) openedNvml.set(library, open);
  return open;
}

/** The kernel log's Xid and SXid events, or, when it cannot be read, none and why (kernelLogUnread: unknown, not absent). */
async function kernelXids(sources: CollectSources): Promise<{ xids: HostSnapshot['xids']; sxids: HostSnapshot['sxids']; kernelLogUnread?: string; notes: string[] }> {
  const log = await sources.kernelLog();
  if (!('text' in log)) return { xids: [], sxids: [], kernelLogUnread: log.note, notes: [log.note] };
  const { xids, sxids } = parseKernelLog(log.text);
  return { xids, sxids, notes: [] };
}

/** Reads every GPU through NVML; null (with why) when NVML cannot be used. */
async function collectFromNvml(now: Date, sources: CollectSources): Promise<Collected | { unavailable: string }> {
  const open = await sources.openNvml();
  if ('unavailable' in open) return open;
  let parts;
  try {
    const reading = readNvmlHost(open.nvml);
    if (!reading.deviceCount.ok) return { unavailable: `nvmlDeviceGetCount failed: ${nvmlCodeName(reading.deviceCount.code)}` };
    parts = nvmlSnapshotParts(reading);
  } catch (error) {
    return { unavailable: `reading NVML failed: ${(error as Error).message}` };
  }
  const { notes, ...kernel } = await kernelXids(sources);
  const { problems, ...snapshot } = parts;
  return {
    snapshot: { collectedAt: now.toISOString(), source: 'nvml', ...snapshot, ...kernel },
    notes: [...notes, ...problems.map((p) => `NVML refused ${p}`)],
  };
}

/** Reads the GPUs through `nvidia-smi -q -x` (the fallback when NVML does not load) and the kernel log. */
async function collectFromNvidiaSmi(now: Date, sources: CollectSources): Promise<Collected> {
  const xml = await sources.nvidiaSmiXml();
  // The XML parser is loaded only on this fallback: a daemon reading NVML does not hold it.
  const { parseNvidiaSmiXml } = await import('./nvidia/smi-xml.js');
  let log;
  try {
    log = parseNvidiaSmiXml(xml);
  } catch (error) {
    throw new CollectError('failed', `nvidia-smi -q -x printed what cannot be read as its XML log: ${(error as Error).message}`);
  }
  const { notes, ...kernel } = await kernelXids(sources);
  return {
    snapshot: {
      collectedAt: now.toISOString(),
      source: 'nvidia-smi',
      driverVersion: log.driverVersion,
      cudaVersion: log.cudaVersion,
      gpus: log.gpus,
      ...kernel,
      expectedGpus: log.attachedGpus,
      missingGpus: [],
    },
    notes,
  };
}

/** The real driver: NVML when it loads, else nvidia-smi, else a no-gpu error that says what was tried. */
async function collectFromDriver(options: CollectOptions): Promise<Collected> {
  const library = options.nvmlLibrary ?? NVML_LIBRARY;
  const sources: CollectSources = { openNvml: () => openSystemNvml(library), nvidiaSmiXml: readNvidiaSmiXml, kernelLog: readKernelLog, ...options.sources };
  const viaNvml = await collectFromNvml(options.now, sources);
  if ('snapshot' in viaNvml) return viaNvml;
  try {
    const viaSmi = await collectFromNvidiaSmi(options.now, sources);
    return { ...viaSmi, notes: [`NVML unavailable (${viaNvml.unavailable}): read through nvidia-smi`, ...viaSmi.notes] };
  } catch (error) {
    if (error instanceof CollectError && error.kind === 'no-gpu') throw new CollectError('no-gpu', `no NVIDIA driver found: ${viaNvml.unavailable}, and ${error.message}`);
    if (error instanceof CollectError) throw new CollectError(error.kind, `NVML unavailable (${viaNvml.unavailable}), and ${error.message}`);
    throw error;
  }
}

/**
 * One collection pass: the simulator when asked, else the real driver (NVML, then nvidia-smi).
 * Xid and SXid events an operator has cleared (clear-xids) are left out.
 */
export async function collect(options: CollectOptions): Promise<Collected> {
  // Read once a pass, so that the simulator's resets and the events left out below agree.
  const cleared = clearedXids(options.stateDir);
  const collected = await collectRaw(options, cleared);
  if (cleared.size === 0) return collected;
  const { snapshot } = collected;
  const xids = unclearedXids(snapshot.xids, cleared);
  const sxids = unclearedXids(snapshot.sxids, cleared);
  const gone = snapshot.xids.length - xids.length + snapshot.sxids.length - sxids.length;
  if (gone === 0) return collected;
  return { snapshot: { ...snapshot, xids, sxids }, notes: [...collected.notes, `${gone} Xid/SXid event(s) in the kernel log cleared by locus agent clear-xids`] };
}

/**
 * One collection pass with every Xid event the kernel log holds (clear-xids reads these).
 * `cleared`: the events cleared so far, when the caller has read them (else read here if simulating).
 */
export async function collectRaw(options: CollectOptions, cleared?: ReadonlySet<string>): Promise<Collected> {
  if (options.simulate === undefined) return collectFromDriver(options);
  const spec = parseFleetSpec(options.simulate);
  if ('error' in spec) throw new CollectError('bad-spec', `--simulate: ${spec.error}`);
  const { state, replaced, stored } = loadSimulator(options.stateDir, options.simulate);
  // Written when new, so that the next pass (and another process's inject-fault) finds the same host.
  if (!stored) saveSimulator(options.stateDir, state);
  return {
    // Cleared Xids stand for the GPU resets they asked for: a simulated GPU has no other reset.
    snapshot: simulateHost(spec, state.seed, options.now, state.faults, cleared ?? clearedXids(options.stateDir)),
    notes: [`simulated ${options.simulate}${state.faults.length ? ` with ${state.faults.length} injected fault(s)` : ''}`, ...(replaced ? ['a previous simulation of another spec was replaced'] : [])],
  };
}

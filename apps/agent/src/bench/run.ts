/**
 * `locus agent bench` and `npm run bench:agent`: the agent's cost on this host against its goals
 * (≤ 5 ms CPU per 8-GPU cycle, ≤ 60 MB resident, ≤ 0.1 % of one core at the 10 s interval),
 * and, where a GPU is, Locus's NVML path against nvidia-smi and pynvml in the same run.
 */
import { CollectError } from '../collect.js';
import { NVML_LIBRARY, openKoffiNvml } from '../nvml/koffi.js';
import { FakeNvml, fakeH100 } from '../nvml/fake.js';
import { measureCycles, type CycleFigures, type PayloadFigures } from './cycle.js';
import { locusOneGpu, nvidiaSmiOneGpu, pynvmlOneGpu, type Measured, type PerSample } from './compare.js';
import { DAEMON_WARMUP_S, measureDaemon, type DaemonFigures } from './daemon.js';

export const BENCH_GOALS = { cpuMsPerCycle: 5, rssMB: 60, cpuPctOfOneCore: 0.1, intervalS: 10 } as const;

export interface BenchOptions {
  readonly cycles: number;
  /** How long to watch the running daemon, s; 0 skips it. */
  readonly daemonSeconds: number;
  /** The CLI to run as the daemon: apps/cli/bin/locus.js, or the bundle's locus-agent.mjs. */
  readonly cliEntry?: string | undefined;
  readonly nvmlLibrary?: string | undefined;
  readonly python: string;
  readonly log: (line: string) => void;
}

export interface BenchReport {
  readonly simulated: CycleFigures;
  readonly fakeNvml: CycleFigures;
  readonly payload: PayloadFigures;
  readonly daemon: DaemonFigures | { readonly absent: string };
  readonly realNvml:
    | { readonly absent: string }
    | { readonly gpus: number; readonly cycle: CycleFigures; readonly oneGpu: { readonly locus: PerSample; readonly nvidiaSmi: Measured; readonly pynvml: Measured } };
}

const ms = (x: number) => `${x.toFixed(3)} ms`;
const goal = (ok: boolean) => (ok ? 'goal met' : 'GOAL MISSED');
const noSmi = () => Promise.reject(new CollectError('no-gpu', 'not used by the benchmark'));
const noKernelLog = () => Promise.resolve({ text: '' });

function ratio(other: Measured, locus: PerSample): string {
  if ('absent' in other) return `absent: ${other.absent}`;
  return `${ms(other.wallMs)} wall, ${ms(other.cpuMs)} CPU per sample: ${(other.wallMs / locus.wallMs).toFixed(1)}× Locus's wall time, ${(other.cpuMs / Math.max(locus.cpuMs, 1e-6)).toFixed(1)}× its CPU`;
}

export async function runAgentBench(o: BenchOptions): Promise<BenchReport> {
  const { log } = o;
  log(`agent benchmark: ${o.cycles} cycles each, Node ${process.version}, ${process.platform}-${process.arch}\n`);

  const simulated = await measureCycles({ simulate: '8xH100', cycles: o.cycles });
  log(`simulated 8×H100, full cycle (collect, 12 checks, outbox commit): ${ms(simulated.cpuMsPerCycle)} CPU, ${ms(simulated.wallMsPerCycle)} wall per cycle — ${goal(simulated.cpuMsPerCycle <= BENCH_GOALS.cpuMsPerCycle)} (≤ ${BENCH_GOALS.cpuMsPerCycle} ms)`);
  const fake = new FakeNvml({ driverVersion: '570.133.20', cudaDriverVersion: 12080, gpus: Array.from({ length: 8 }, (_, i) => fakeH100(i)) });
  const fakeNvml = await measureCycles({ sources: { openNvml: () => Promise.resolve({ nvml: fake }), nvidiaSmiXml: noSmi, kernelLog: noKernelLog }, cycles: o.cycles });
  log(`NVML path over a fake library, 8×H100 (mapping, checks, outbox; no driver calls): ${ms(fakeNvml.cpuMsPerCycle)} CPU per cycle`);
  const p = simulated.payload;
  log(`payload: ${p.sampleBatchBytes} bytes per sample batch of ${p.gpus} GPUs (${Math.round(p.sampleBatchBytes / p.gpus)} per GPU; ${p.sampleBatchGzipBytes} gzipped), ${p.firstBatchBytes} bytes for the first batch (with the inventory)\n`);

  let realNvml: BenchReport['realNvml'];
  const library = o.nvmlLibrary ?? NVML_LIBRARY;
  const open = await openKoffiNvml(library);
  if ('unavailable' in open) {
    realNvml = { absent: open.unavailable };
    log(`real NVML: absent (${open.unavailable}); the NVML, nvidia-smi and pynvml comparisons need a GPU host`);
  } else {
    const count = open.nvml.deviceCount();
    const gpus = count.ok ? count.value : 0;
    const cycle = await measureCycles({ nvmlLibrary: library, cycles: Math.max(5, Math.round(o.cycles / 10)), warmup: 3 });
    log(`real NVML (${library}), ${gpus} GPU(s), full cycle including the kernel log: ${ms(cycle.cpuMsPerCycle)} CPU in the agent + ${ms(cycle.childCpuMsPerCycle)} in dmesg, ${ms(cycle.wallMsPerCycle)} wall per cycle`);
    const locus = locusOneGpu(open.nvml, 200);
    log(`one full sample of GPU 0 — Locus (NVML via koffi): ${ms(locus.wallMs)} wall, ${ms(locus.cpuMs)} CPU`);
    const nvidiaSmi = await nvidiaSmiOneGpu(10);
    log(`  nvidia-smi -q -x -i 0: ${ratio(nvidiaSmi, locus)}`);
    const pynvml = await pynvmlOneGpu(o.python, 200);
    log(`  pynvml, same fields: ${ratio(pynvml, locus)}`);
    open.nvml.close();
    realNvml = { gpus, cycle, oneGpu: { locus, nvidiaSmi, pynvml } };
  }

  let daemon: BenchReport['daemon'];
  if (o.cliEntry === undefined || o.daemonSeconds <= 0) daemon = { absent: o.cliEntry === undefined ? 'no CLI to run (build first)' : 'skipped (--daemon-s 0)' };
  else {
    log(`\nrunning daemon (simulated 8×H100, every ${BENCH_GOALS.intervalS} s), watched for ${o.daemonSeconds} s from ${DAEMON_WARMUP_S} s after its first batch…`);
    daemon = await measureDaemon({ cliEntry: o.cliEntry, simulate: '8xH100', intervalS: BENCH_GOALS.intervalS, windowS: o.daemonSeconds });
  }
  if ('absent' in daemon) log(`running daemon: absent (${daemon.absent})`);
  else {
    log(`running daemon: ${daemon.rssMB.toFixed(1)} MB resident (peak ${daemon.peakRssMB.toFixed(1)}; ${daemon.anonMB.toFixed(1)} MB of it its own anonymous memory, the rest the node executable and libraries mapped from disk) — ${goal(daemon.peakRssMB <= BENCH_GOALS.rssMB)} (≤ ${BENCH_GOALS.rssMB} MB)`);
    log(`  ${daemon.cpuPctOfOneCore.toFixed(3)} % of one core over ${daemon.windowS.toFixed(0)} s, ${daemon.batchesAccepted} batches sent — ${goal(daemon.cpuPctOfOneCore <= BENCH_GOALS.cpuPctOfOneCore)} (≤ ${BENCH_GOALS.cpuPctOfOneCore} %)`);
    log(`  start-up: ${ms(daemon.startupCpuMs)} CPU from launch to ${daemon.warmupS} s after its first batch (once; not in the share above)`);
  }
  return { simulated, fakeNvml, payload: p, daemon, realNvml };
}

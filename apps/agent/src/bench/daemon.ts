/**
 * The running daemon, measured from outside: `locus agent run` in its own process against a
 * loopback ingest endpoint that accepts every batch; its resident memory and the CPU time it
 * uses at the sampling interval, from /proc.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DaemonFigures {
  readonly intervalS: number;
  /** Seconds after its first batch before the CPU window opened (its start-up's garbage collection). */
  readonly warmupS: number;
  /** CPU time of its start-up: from its launch to the window's opening, in ms. */
  readonly startupCpuMs: number;
  readonly windowS: number;
  /** Resident memory at the end of the window, and the most seen from its first batch on (warm-up included). */
  readonly rssMB: number;
  readonly peakRssMB: number;
  /** Of rssMB, the process's own anonymous memory; the rest is files mapped from disk (the node executable, libraries), shared with other processes. */
  readonly anonMB: number;
  /** CPU time over the window as a share of one core. */
  readonly cpuPctOfOneCore: number;
  readonly batchesAccepted: number;
}

/** CPU time of every thread of `pid`, in ms: /proc/PID/task/TID/schedstat counts nanoseconds. */
function processCpuMs(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => {
    try {
      return sum + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    } catch {
      return sum;
    }
  }, 0);
}

/** A /proc/PID/status memory line in MB (10^6 bytes, the unit of the goal). */
const statusMB = (pid: number, field: 'VmRSS' | 'RssAnon'): number => (Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024) / 1e6;
const rssMB = (pid: number): number => statusMB(pid, 'VmRSS');

/** A stand-in server that acknowledges every ingest batch. */
async function ackingServer(): Promise<{ url: string; batches: () => number; close: () => Promise<void> }> {
  let batches = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const b = JSON.parse(body) as { batchId: string; samples: unknown[]; events: unknown[] };
      batches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ batchId: b.batchId, duplicate: false, samples: b.samples.length, events: b.events.length }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, batches: () => batches, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * V8 shrinks a new process's heap about 8 s after it starts (its memory reducer: two or three
 * full collections, 50–70 ms of CPU on the development VM, once). CPU over a window that held
 * them would charge a 60-s quick run 0.1 % of a core for its start-up alone; the bench reports
 * the start-up's CPU apart and times the window after it. Resident memory is watched through it.
 */
export const DAEMON_WARMUP_S = 15;

/**
 * Runs `node <cliEntry> agent run --simulate SPEC`: resident memory from its first accepted
 * batch on, CPU over the window that opens `warmupS` later. `cliEntry` is
 * apps/cli/bin/locus.js in the checkout, or the bundle's locus-agent.mjs.
 */
export async function measureDaemon(o: { readonly cliEntry: string; readonly simulate: string; readonly intervalS: number; readonly windowS: number; readonly warmupS?: number }): Promise<DaemonFigures | { absent: string }> {
  const warmupS = o.warmupS ?? DAEMON_WARMUP_S;
  if (process.platform !== 'linux') return { absent: 'needs Linux /proc' };
  const server = await ackingServer();
  const dir = mkdtempSync(join(tmpdir(), 'locus-bench-daemon-'));
  writeFileSync(join(dir, 'enrollment.json'), JSON.stringify({ server: server.url, nodeId: 'bench', orgId: 'bench', enrolledAt: '2026-11-29T00:00:00.000Z', samplingIntervalS: o.intervalS }));
  // With the V8 flags and the one malloc arena the bundle's launcher (bin/locus), and so the
  // systemd unit, runs it with (deploy/build-agent.mjs).
  const child = spawn(process.execPath, ['--no-expose-wasm', '--lite-mode', o.cliEntry, 'agent', 'run', '--simulate', o.simulate, '--interval-s', String(o.intervalS), '--state-dir', dir], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MALLOC_ARENA_MAX: '1' } });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  try {
    const deadline = performance.now() + (o.intervalS + 30) * 1000;
    while (server.batches() === 0) {
      if (child.exitCode !== null || performance.now() > deadline) return { absent: `the daemon did not deliver a batch: ${log.trim().split('\n').at(-1) ?? 'no output'}` };
      await new Promise((r) => setTimeout(r, 100));
    }
    const pid = child.pid!;
    let peak = rssMB(pid);
    /** Samples resident memory every 500 ms until `until` (performance.now()). */
    const watch = async (until: number) => {
      while (performance.now() < until) {
        await new Promise((r) => setTimeout(r, 500));
        peak = Math.max(peak, rssMB(pid));
      }
    };
    await watch(performance.now() + warmupS * 1000);
    const cpu0 = processCpuMs(pid);
    const wall0 = performance.now();
    await watch(wall0 + o.windowS * 1000);
    const cpu = processCpuMs(pid) - cpu0;
    const wall = performance.now() - wall0;
    return { intervalS: o.intervalS, warmupS, startupCpuMs: cpu0, windowS: wall / 1000, rssMB: rssMB(pid), peakRssMB: peak, anonMB: statusMB(pid, 'RssAnon'), cpuPctOfOneCore: (cpu / wall) * 100, batchesAccepted: server.batches() };
  } finally {
    // A daemon that already died emits no second exit.
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * In-process measurements of `locus agent bench`: CPU time of a full sampling cycle (collect,
 * health checks, queue in the SQLite outbox) and bytes per payload.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey, wireText } from '@locus/protocol';
import type { CollectSources } from '../collect.js';
import { createQueuer } from '../daemon.js';
import { Outbox } from '../outbox.js';
import { signedBatch } from '../wire.js';

export interface CycleFigures {
  readonly cycles: number;
  /** Process CPU time (user + system) per cycle. */
  readonly cpuMsPerCycle: number;
  readonly wallMsPerCycle: number;
  /** CPU time of child processes per cycle (dmesg for the kernel log on a real host). */
  readonly childCpuMsPerCycle: number;
}

export interface PayloadFigures {
  /** The first batch: inventory event and one sample. */
  readonly firstBatchBytes: number;
  /** A steady-state batch: one sample of every GPU. */
  readonly sampleBatchBytes: number;
  readonly sampleBatchGzipBytes: number;
  readonly gpus: number;
}

/** CPU time of this process's waited-for children, in ms (from /proc; 0 where unreadable). */
export function childCpuMs(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
    // After the command name: field 16 (cutime) and 17 (cstime) of stat(5), counted from 1 at pid.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** Runs `cycles` full sampling cycles, 10 s of simulated time apart, after a warm-up. */
export async function measureCycles(o: { readonly simulate?: string; readonly sources?: Partial<CollectSources>; readonly nvmlLibrary?: string; readonly cycles: number; readonly warmup?: number }): Promise<CycleFigures & { readonly payload: PayloadFigures }> {
  const dir = mkdtempSync(join(tmpdir(), 'locus-bench-'));
  const outbox = await Outbox.open(join(dir, 'outbox.db'));
  try {
    const queuer = createQueuer({ outbox, stateDir: dir, simulate: o.simulate, nvmlLibrary: o.nvmlLibrary, ...(o.sources ? { sources: o.sources } : {}) });
    const start = Date.parse('2026-11-29T12:00:00.000Z');
    const key = generateSigningKey();
    const batchBytes = async (at: number) => {
      const batch = (await outbox.nextBatch(10_000, randomUUID, at))!;
      const bytes = Buffer.byteLength(wireText(signedBatch(batch, key)));
      await outbox.acknowledge(batch.batchId);
      return { bytes, batch };
    };
    const first = await queuer.tick(new Date(start));
    const firstBatch = await batchBytes(start);
    await queuer.tick(new Date(start + 10_000));
    const sample = await batchBytes(start + 10_000);
    const payload: PayloadFigures = {
      firstBatchBytes: firstBatch.bytes,
      sampleBatchBytes: sample.bytes,
      sampleBatchGzipBytes: gzipSync(wireText(signedBatch(sample.batch, key))).length,
      gpus: first.snapshot.gpus.length,
    };
    let t = start + 20_000;
    for (let i = 0; i < (o.warmup ?? 20); i++) await queuer.tick(new Date((t += 10_000)));
    const cpu0 = process.cpuUsage();
    const child0 = childCpuMs();
    const wall0 = performance.now();
    for (let i = 0; i < o.cycles; i++) await queuer.tick(new Date((t += 10_000)));
    const wall = performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    const child = childCpuMs() - child0;
    return { cycles: o.cycles, cpuMsPerCycle: (cpu.user + cpu.system) / 1000 / o.cycles, wallMsPerCycle: wall / o.cycles, childCpuMsPerCycle: child / o.cycles, payload };
  } finally {
    await outbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

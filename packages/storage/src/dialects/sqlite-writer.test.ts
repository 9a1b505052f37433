import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { sql } from 'kysely';
import { sampleColumns } from '@locus/protocol';
import { h100Readings } from '../../../../test/support/ingest-batches.js';
import { buildSqliteWriterWorker, type BundledWorker } from '../../../../test/support/worker-bundle.js';
import { openStorage } from '../open.js';
import { migrateToLatest } from '../migrate.js';
import type { Storage } from '../storage.js';
import { NodeRepo } from '../repos/nodes.js';
import { OrgRepo } from '../repos/orgs.js';
import { GpuSampleRepo } from '../repos/gpu-samples.js';
import { sampleBatchStore } from '../repos/direct-batches.js';
import type { SampleBatch } from '../repos/sqlite-batches.js';
import type { BatchClaim } from '../repos/telemetry.js';
import { startSqliteWriter, WriterThreadError } from './sqlite-writer.js';
import { writerThreadOf } from './sqlite.js';

const T0 = Date.parse('2026-11-29T12:00:00.000Z');
let writer: BundledWorker;
let dir: string;
let storage: Storage;

beforeAll(async () => {
  writer = await buildSqliteWriterWorker();
});
afterAll(() => writer.remove());

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'locus-writer-'));
  storage = await openStorage(`sqlite:${join(dir, 'locus.db')}`, { sqliteWriter: writer.url });
  await migrateToLatest(storage);
  await new OrgRepo(storage.db).create({ id: 'org-a', name: 'A', created_at: 0 });
  await new NodeRepo(storage.db).create({ id: 'n1', org_id: 'org-a', name: 'n1', host_key: 'k-n1', claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
});
afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Batch `i` of node n1: one GPU's readings, one instant, 10 s after the one before. */
async function batches(count: number): Promise<SampleBatch[]> {
  const series = await new GpuSampleRepo(storage.db).seriesFor('n1', ['GPU-a']);
  return Array.from({ length: count }, (_, i) => ({
    batchId: `b${i}`,
    nodeId: 'n1',
    receivedAt: T0 + i,
    series,
    columns: sampleColumns([{ at: T0 + i * 10_000, gpus: [h100Readings('GPU-a', i / count)] }]),
  }));
}

const count = async (s: Storage, table: string): Promise<number> => (await sql.raw<{ n: number }>(`select count(*) as n from ${table}`).execute(s.db)).rows[0]!.n;

it("stores on its thread, and what it stored is read at once on the server's connection", async () => {
  expect(writerThreadOf(storage.db)?.running).toBe(true);
  const store = sampleBatchStore(storage.db)!;
  expect(await store(await batches(3))).toEqual(['claimed', 'claimed', 'claimed']);
  expect(await count(storage, 'gpu_samples')).toBe(3);
  expect(await new GpuSampleRepo(storage.db).samples('n1', 'GPU-a', T0, T0 + 60_000)).toHaveLength(3);
});

it("lets a Kysely transaction read, wait while the thread has groups to write, then write (no stale snapshot) and lets the thread's groups wait for it", async () => {
  const store = sampleBatchStore(storage.db)!;
  const [first, ...rest] = await batches(4);
  await store([first!]);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let read!: () => void;
  const hasRead = new Promise<void>((resolve) => (read = resolve));
  const transaction = storage.db.transaction().execute(async (trx) => {
    const before = await sql<{ n: number }>`select count(*) as n from ingest_batches`.execute(trx);
    read();
    await held;
    // Written after the thread was sent its groups: a transaction begun deferred would fail here (SQLITE_BUSY_SNAPSHOT) had they been committed since its read.
    await sql`insert into ingest_batches (batch_id, node_id, received_at) values ('mine', 'n1', 0)`.execute(trx);
    return before.rows[0]!.n;
  });
  await hasRead;
  let stored = false;
  const writes = Promise.all(rest.map((b) => store([b]))).then((claims) => ((stored = true), claims));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(stored).toBe(false);
  release();
  expect(await transaction).toBe(1);
  expect((await writes).flat()).toEqual(['claimed', 'claimed', 'claimed']);
  expect(await count(storage, 'ingest_batches')).toBe(5);
});

it('finishes every group it was sent before it stops, when the database closes', async () => {
  const store = sampleBatchStore(storage.db)!;
  const all = await batches(40);
  const writes = Array.from({ length: 10 }, (_, g) => store(all.slice(4 * g, 4 * g + 4)));
  const closing = storage.close();
  expect((await Promise.all(writes)).flat()).toEqual(Array<BatchClaim>(40).fill('claimed'));
  await closing;
  expect(writerThreadOf(storage.db)?.running).toBe(false);
  storage = await openStorage(`sqlite:${join(dir, 'locus.db')}`);
  expect(await count(storage, 'gpu_samples')).toBe(40);
});

it("fails the groups a thread held when it stops, says so, and stores later ones on the server's thread", async () => {
  const [a, b] = await batches(2);
  const fallback: SampleBatch[][] = [];
  const logged: string[] = [];
  // A thread that ends at once, as one that crashed would; the first group is sent before it can have started.
  const thread = startSqliteWriter(new URL('data:text/javascript,process.exit(3)'), { path: join(dir, 'locus.db'), pragmas: [] }, async (group) => (fallback.push([...group]), group.map((): BatchClaim => 'claimed')), (line) => logged.push(line));
  await expect(thread.store([a!])).rejects.toThrow(WriterThreadError);
  expect(thread.running).toBe(false);
  expect(logged).toEqual(["ingest writer thread stopped (exit 3); storing agents' samples on the server's thread"]);
  expect(await thread.store([b!])).toEqual(['claimed']);
  expect(fallback.map((group) => group.map((batch) => batch.batchId))).toEqual([['b1']]);
  await thread.stop();
  expect(logged).toHaveLength(1);
});

it('tells what its thread said before the server said where to report it, once it does', async () => {
  const other = await openStorage(`sqlite:${join(dir, 'other.db')}`, { sqliteWriter: new URL('data:text/javascript,process.exit(4)') });
  try {
    for (let i = 0; i < 200 && writerThreadOf(other.db)?.running; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(writerThreadOf(other.db)?.running).toBe(false);
    const told: string[] = [];
    other.reportConnectionErrors!((line) => told.push(line));
    expect(told).toEqual(["ingest writer thread stopped (exit 4); storing agents' samples on the server's thread"]);
  } finally {
    await other.close();
  }
});

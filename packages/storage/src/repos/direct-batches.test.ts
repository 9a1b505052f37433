import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { sampleColumns, type GpuMetricsWire } from '@locus/protocol';
import { openStorage } from '../open.js';
import { activeBackends, openFresh, type BackendName } from '../../../../test/support/storage-backends.js';
import { migrateToLatest } from '../migrate.js';
import type { Storage } from '../storage.js';
import { NodeRepo } from './nodes.js';
import { OrgRepo } from './orgs.js';
import { TelemetryRepo, type BatchClaim } from './telemetry.js';
import { GpuSampleRepo } from './gpu-samples.js';
import { postgresArray, postgresColumnType, postgresSampleBatchStore, prepareSampleBatchStore, sampleBatchStore, sqliteSampleBatchStore, type SampleBatch, type SampleBatchStore } from './direct-batches.js';
import { GPU_SAMPLE_COLUMNS, ROLLUP_COLUMNS } from './sample-rows.js';
import { postgresPoolOf } from '../dialects/postgres.js';
import { seededRandom } from '../../../../test/support/seeded-random.js';
import { buildSqliteWriterWorker, type BundledWorker } from '../../../../test/support/worker-bundle.js';
import { writerThreadOf } from '../dialects/sqlite.js';

const T0 = Date.parse('2026-11-29T12:00:00.000Z');
const UUIDS = ['GPU-a', 'GPU-b', 'GPU-c'];

const reading = (next: () => number, uuid: string): GpuMetricsWire => {
  const maybe = (v: number) => (next() < 0.1 ? null : v);
  return {
    uuid,
    temperatureC: maybe(Math.round(30 + next() * 60)),
    memoryTemperatureC: maybe(Math.round(30 + next() * 60)),
    powerDrawW: maybe(Math.round(next() * 7000) / 10),
    powerLimitW: 700,
    energyMj: Math.round(next() * 1e9),
    smClockMHz: maybe(1980),
    memoryClockMHz: 2619,
    gpuUtilizationPct: maybe(Math.round(next() * 100)),
    memoryUtilizationPct: Math.round(next() * 100),
    framebufferUsedMiB: Math.round(next() * 80_000),
    framebufferTotalMiB: 81_559,
    eccVolatileUncorrected: 0,
    eccAggregateUncorrected: maybe(2),
    remappedRowsPending: next() < 0.5,
    pcieReplayCounter: 0,
    clockEventReasons: next() < 0.3 ? null : ['SwPowerCap'],
  };
};

/** The SQLite writer's thread bundled for this file (its 'sqlite-thread' stores). */
let writer: BundledWorker | undefined;
const files: string[] = [];
afterAll(() => {
  writer?.remove();
  for (const dir of files) rmSync(dir, { recursive: true, force: true });
});

/** A backend, or SQLite on a file with the ingest writer's thread. */
type StoreBackend = BackendName | 'sqlite-thread';

async function fresh(backend: StoreBackend): Promise<Storage> {
  let storage: Storage;
  if (backend === 'sqlite-thread') {
    const dir = mkdtempSync(join(tmpdir(), 'locus-writer-'));
    files.push(dir);
    writer ??= await buildSqliteWriterWorker();
    storage = await openStorage(`sqlite:${join(dir, 'locus.db')}`, { sqliteWriter: writer.url });
  } else storage = await openFresh(backend);
  await migrateToLatest(storage);
  await new OrgRepo(storage.db).create({ id: 'org-a', name: 'A', created_at: 0 });
  for (const id of ['n1', 'n2']) await new NodeRepo(storage.db).create({ id, org_id: 'org-a', name: id, host_key: `k-${id}`, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
  return storage;
}

/**
 * Everything a batch writes, in a stable order; numbers to 12 significant digits, since a sum
 * recomputed by the database adds the same readings in another order than one folded in.
 */
async function stored(storage: Storage): Promise<unknown> {
  const round = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toPrecision(12)) : v]));
  const rows = async (table: string, order: string) => (await sql.raw<Record<string, unknown>>(`select * from ${table} order by ${order}`).execute(storage.db)).rows.map(round);
  return { samples: await rows('gpu_samples', 'node_key, at, series_id'), rollups: await rows('gpu_rollups_5m', 'node_key, bucket_at, series_id'), batches: await rows('ingest_batches', 'batch_id') };
}

/** What the Kysely repositories store for a batch, in a transaction of its own. */
const throughRepositories = (storage: Storage, samples: GpuSampleRepo, b: SampleBatch) =>
  storage.db.transaction().execute(async (trx) => {
    const claim = await new TelemetryRepo(trx).claimBatch(b.batchId, b.nodeId, b.receivedAt);
    if (claim === 'claimed') await samples.withDb(trx).addColumns(b.series, b.columns);
    return claim;
  });

it('a batch store exists on SQLite and PostgreSQL, each its own, and not on PGlite', async () => {
  const sqlite = await openStorage('sqlite::memory:');
  await migrateToLatest(sqlite);
  expect(sqliteSampleBatchStore(sqlite.db)).toBeTypeOf('function');
  expect(postgresSampleBatchStore(sqlite.db)).toBeUndefined();
  await sqlite.close();
  const pglite = await openStorage('pglite:');
  expect(sampleBatchStore(pglite.db)).toBeUndefined();
  await pglite.close();
  // No connection is made until a query runs.
  const postgres = await openStorage('postgres://locus@127.0.0.1:1/none');
  expect(postgresSampleBatchStore(postgres.db)).toBeTypeOf('function');
  expect(sqliteSampleBatchStore(postgres.db)).toBeUndefined();
  await postgres.close();
});

it('writes PostgreSQL array literals of numbers, nulls and any text', () => {
  expect(postgresArray([])).toBe('{}');
  expect(postgresArray([1, 0.1, null, 1e21, -2.5e-7])).toBe('{1,0.1,NULL,1e+21,-2.5e-7}');
  expect(postgresArray(['a', 'NULL', 'say "hi"', 'back\\slash', '{,}', ''])).toBe('{"a","NULL","say \\"hi\\"","back\\\\slash","{,}",""}');
});

const storeBackends: StoreBackend[] = activeBackends().flatMap((b): StoreBackend[] => (b === 'pglite' ? [] : b === 'sqlite' ? ['sqlite', 'sqlite-thread'] : [b]));

describe.each(storeBackends)('the %s batch store (ingest past Kysely)', (backend) => {
  let direct: Storage;
  let reference: Storage;
  let store: SampleBatchStore;

  beforeEach(async () => {
    direct = await fresh(backend);
    reference = await fresh(backend === 'sqlite-thread' ? 'sqlite' : backend);
    store = sampleBatchStore(direct.db)!;
    expect(writerThreadOf(direct.db)?.running ?? false).toBe(backend === 'sqlite-thread');
  });
  afterEach(async () => {
    await direct.close();
    await reference.close();
  });

  it('stores exactly what the repositories store: rows, rollups and claims, repeated ids, late and overlapping samples included', async () => {
    const next = seededRandom(7);
    const directSamples = new GpuSampleRepo(direct.db);
    const referenceSamples = new GpuSampleRepo(reference.db);
    const batches: SampleBatch[] = [];
    for (let i = 0; i < 60; i++) {
      const nodeId = next() < 0.5 ? 'n1' : 'n2';
      const series = await directSamples.seriesFor(nodeId, UUIDS);
      expect(await referenceSamples.seriesFor(nodeId, UUIDS)).toEqual(series);
      // Instants on a 10-s grid over 20 minutes: later batches repeat some rows of earlier ones.
      const first = Math.floor(next() * 100);
      const instants = Array.from({ length: 1 + Math.floor(next() * 12) }, (_, k) => ({ at: T0 + (first + k * (1 + Math.floor(next() * 3))) * 10_000, gpus: UUIDS.filter(() => next() < 0.8).map((u) => reading(next, u)) }));
      // Some ids come again (an agent resending a batch it had no answer for).
      const batchId = next() < 0.15 && batches.length > 0 ? batches[Math.floor(next() * batches.length)]!.batchId : `b-${i}`;
      batches.push({ batchId, nodeId, receivedAt: T0 + i, series, columns: sampleColumns(instants) });
    }
    const expected: BatchClaim[] = [];
    for (const b of batches) expected.push(await throughRepositories(reference, referenceSamples, b));
    // In groups of up to 5, as the server's group commit writes them.
    const outcomes: BatchClaim[] = [];
    for (let i = 0; i < batches.length; i += 5) outcomes.push(...(await store(batches.slice(i, i + 5))));
    expect(outcomes).toEqual(expected);
    expect(outcomes.filter((o) => o === 'duplicate').length).toBeGreaterThan(2);
    expect(await stored(direct)).toEqual(await stored(reference));
    expect(((await stored(direct)) as { rollups: unknown[] }).rollups.length).toBeGreaterThan(4);
  });

  it('changes nothing for a batch id stored before, and counts a sample stored before once in the rollups', async () => {
    const samples = new GpuSampleRepo(direct.db);
    const series = await samples.seriesFor('n1', UUIDS);
    const next = seededRandom(11);
    const instants = (from: number) => Array.from({ length: 3 }, (_, k) => ({ at: T0 + (from + k) * 10_000, gpus: UUIDS.map((u) => reading(next, u)) }));
    const first = sampleColumns(instants(0));
    expect(await store([{ batchId: 'b1', nodeId: 'n1', receivedAt: T0, series, columns: first }])).toEqual(['claimed']);
    const once = (await stored(direct)) as { samples: unknown[]; rollups: unknown[]; batches: unknown[] };
    expect(once.rollups.length).toBeGreaterThan(0);
    // The same id with other samples: a duplicate, nothing stored.
    expect(await store([{ batchId: 'b1', nodeId: 'n1', receivedAt: T0 + 1, series, columns: sampleColumns(instants(3)) }])).toEqual(['duplicate']);
    expect(await stored(direct)).toEqual(once);
    // Another id with the same samples: claimed, but no sample twice, and no reading counted twice.
    expect(await store([{ batchId: 'b2', nodeId: 'n1', receivedAt: T0 + 2, series, columns: first }])).toEqual(['claimed']);
    const twice = (await stored(direct)) as typeof once;
    expect({ ...twice, batches: twice.batches.length }).toEqual({ ...once, batches: 2 });
  });

  it('stores nothing for a node that is not enrolled, and tells it from a duplicate', async () => {
    const samples = new GpuSampleRepo(direct.db);
    const series = await samples.seriesFor('n1', ['GPU-a']);
    const next = seededRandom(5);
    const batch = (batchId: string, nodeId = 'n1', at = T0): SampleBatch => ({ batchId, nodeId, receivedAt: at, series, columns: sampleColumns([{ at, gpus: [reading(next, 'GPU-a')] }]) });
    expect(await store([batch('b1'), batch('b2', 'nobody', T0 + 10_000)])).toEqual(['claimed', 'not-enrolled']);
    const before = await stored(direct);
    expect(await new NodeRepo(direct.db).unenroll('k-n1', T0)).toBe(true);
    // Alone and in a group beside a node that is enrolled; a known id as well as a new one.
    expect(await store([batch('b1')])).toEqual(['not-enrolled']);
    expect(await store([batch('b3', 'n1', T0 + 20_000), batch('b1')])).toEqual(['not-enrolled', 'not-enrolled']);
    expect(await stored(direct)).toEqual(before);
    const other = await samples.seriesFor('n2', ['GPU-a']);
    expect(await store([{ ...batch('b4', 'n2', T0 + 30_000), series: other }, batch('b5', 'n1', T0 + 40_000)])).toEqual(['claimed', 'not-enrolled']);
    expect(((await stored(direct)) as { batches: { batch_id: string }[] }).batches.map((b) => b.batch_id)).toEqual(['b1', 'b4']);
  });

  it('readies every connection of its pool for the first batches, writing nothing', async () => {
    const readied = await prepareSampleBatchStore(direct.db);
    expect(await stored(direct)).toEqual({ samples: [], rollups: [], batches: [] });
    const pool = postgresPoolOf(direct.db);
    expect(readied).toBe(pool?.options.max ?? 0);
    if (pool) {
      // All taken at once, so each a different connection: each has run both statements past their first, custom, plans; none was closed.
      const clients = await Promise.all(Array.from({ length: readied }, () => pool.connect()));
      try {
        for (const client of clients) {
          const { rows } = await client.query('select name, generic_plans + custom_plans as runs from pg_prepared_statements order by name');
          expect(rows).toEqual([
            { name: 'locus_store_batch', runs: 6 },
            { name: 'locus_store_group', runs: 6 },
          ]);
        }
      } finally {
        for (const client of clients) client.release();
      }
      expect(pool.totalCount).toBe(readied);
    }
    const series = await new GpuSampleRepo(direct.db).seriesFor('n1', ['GPU-a']);
    expect(await store([{ batchId: 'b1', nodeId: 'n1', receivedAt: T0, series, columns: sampleColumns([{ at: T0, gpus: [reading(seededRandom(3), 'GPU-a')] }]) }])).toEqual(['claimed']);
  });

  it('stores a group whole or not at all', async () => {
    const samples = new GpuSampleRepo(direct.db);
    const series = await samples.seriesFor('n1', ['GPU-a']);
    const good: SampleBatch = { batchId: 'good', nodeId: 'n1', receivedAt: T0, series, columns: sampleColumns([{ at: T0, gpus: [reading(seededRandom(1), 'GPU-a')] }]) };
    // A GPU without a series id: the second batch throws after the first was written.
    const bad: SampleBatch = { ...good, batchId: 'bad', columns: sampleColumns([{ at: T0, gpus: [reading(seededRandom(2), 'GPU-x')] }]) };
    await expect(store([good, bad])).rejects.toThrow('no series id for GPU GPU-x');
    expect(await stored(direct)).toEqual({ samples: [], rollups: [], batches: [] });
    expect(await store([good])).toEqual(['claimed']);
    expect(await samples.samples('n1', 'GPU-a', 0, 10)).toHaveLength(1);
  });

  it.runIf(backend === 'postgres')('writes batches and groups that share buckets on several connections at once without a deadlock', async () => {
    const samples = new GpuSampleRepo(direct.db);
    const series = { n1: await samples.seriesFor('n1', UUIDS), n2: await samples.seriesFor('n2', UUIDS) };
    const next = seededRandom(13);
    // Each batch names its GPUs in its own order, so that rows and buckets come in different orders from different batches.
    const batch = (id: string, nodeId: 'n1' | 'n2', at: number): SampleBatch => ({
      batchId: id,
      nodeId,
      receivedAt: at,
      series: series[nodeId],
      columns: sampleColumns([0, 1].map((k) => ({ at: at + k * 10_000, gpus: [...UUIDS].sort(() => next() - 0.5).map((u) => reading(next, u)) }))),
    });
    for (let round = 0; round < 40; round++) {
      // All in one 5-minute bucket per GPU: every write below folds into the same six rollup rows.
      const at = T0 + round * 20_000;
      const b = (k: number, nodeId: 'n1' | 'n2') => batch(`r${round}-${k}-${nodeId}`, nodeId, at + k);
      const writes = [store([b(1, 'n1'), b(1, 'n2')]), store([b(2, 'n2'), b(2, 'n1')]), store([b(3, 'n2')]), store([b(3, 'n1')]), store([b(4, 'n1'), b(4, 'n2'), b(5, 'n1')])];
      expect((await Promise.all(writes)).flat().every((claim) => claim === 'claimed')).toBe(true);
    }
    // 40 rounds of 9 batches of 2 instants of 3 GPUs, every row stored and every reading once in the rollups.
    const { rows } = await sql<{ samples: number; readings: number; counted: number }>`select count(*)::int as samples, count(temperature_c)::int as readings, (select sum(temperature_c_count)::int from gpu_rollups_5m) as counted from gpu_samples`.execute(direct.db);
    expect(rows[0]!.samples).toBe(40 * 9 * 2 * 3);
    expect(rows[0]!.counted).toBe(rows[0]!.readings);
  });

  it.runIf(backend === 'postgres')('binds each column as the type the migrations gave it, and reads array literals back exactly', async () => {
    const { rows } = await sql<{ table_name: string; column_name: string; data_type: string }>`select table_name, column_name, data_type from information_schema.columns where table_name in ('gpu_samples', 'gpu_rollups_5m')`.execute(direct.db);
    const typeOf = (table: string, column: string) => rows.find((r) => r.table_name === table && r.column_name === column)?.data_type;
    for (const c of GPU_SAMPLE_COLUMNS) expect([c, typeOf('gpu_samples', c)]).toEqual([c, postgresColumnType(c)]);
    for (const c of ROLLUP_COLUMNS) expect([c, typeOf('gpu_rollups_5m', c)]).toEqual([c, postgresColumnType(c)]);
    const texts = ['a', 'NULL', 'say "hi"', 'back\\slash', '{,}', '', null, '["SwPowerCap","HwSlowdown"]'];
    const numbers = [0.1, 1 / 3, 1e21, -2.5e-7, Number.MAX_SAFE_INTEGER, 1_764_417_600_000, null];
    const back = await sql<{ t: (string | null)[]; n: (number | null)[] }>`select ${postgresArray(texts)}::text[] as t, ${postgresArray(numbers)}::double precision[] as n`.execute(direct.db);
    expect(back.rows[0]).toEqual({ t: texts, n: numbers });
  });

  it.runIf(backend !== 'postgres')('waits for a Kysely transaction in progress and never writes inside it', async () => {
    const samples = new GpuSampleRepo(direct.db);
    const series = await samples.seriesFor('n1', ['GPU-a']);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let claimed!: () => void;
    const started = new Promise<void>((resolve) => (claimed = resolve));
    const other = direct.db.transaction().execute(async (trx) => {
      await new TelemetryRepo(trx).claimBatch('other', 'n1', T0);
      claimed();
      await held;
      throw new Error('rolled back');
    });
    await started;
    let done = false;
    const mine = store([{ batchId: 'mine', nodeId: 'n1', receivedAt: T0, series, columns: sampleColumns([{ at: T0, gpus: [reading(seededRandom(3), 'GPU-a')] }]) }]).then((r) => {
      done = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    release();
    await expect(other).rejects.toThrow('rolled back');
    expect(await mine).toEqual(['claimed']);
    expect(((await stored(direct)) as { batches: { batch_id: string }[] }).batches.map((b) => b.batch_id)).toEqual(['mine']);
  });
});

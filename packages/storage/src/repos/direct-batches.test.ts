import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { sampleColumns, type GpuMetricsWire } from '@locus/protocol';
import { openStorage } from '../open.js';
import { migrateToLatest } from '../migrate.js';
import type { Storage } from '../storage.js';
import { NodeRepo } from './nodes.js';
import { OrgRepo } from './orgs.js';
import { TelemetryRepo } from './telemetry.js';
import { GpuSampleRepo } from './gpu-samples.js';
import { sqliteSampleBatchStore, type SampleBatch, type SampleBatchStore } from './direct-batches.js';
import { seededRandom } from '../../../../test/support/seeded-random.js';

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

async function fresh(): Promise<Storage> {
  const storage = await openStorage('sqlite::memory:');
  await migrateToLatest(storage);
  await new OrgRepo(storage.db).create({ id: 'org-a', name: 'A', created_at: 0 });
  for (const id of ['n1', 'n2']) await new NodeRepo(storage.db).create({ id, org_id: 'org-a', name: id, host_key: `k-${id}`, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
  return storage;
}

/** Everything a batch writes, in a stable order. */
async function stored(storage: Storage): Promise<unknown> {
  const rows = async (table: string, order: string) => (await sql.raw(`select * from ${table} order by ${order}`).execute(storage.db)).rows;
  return { samples: await rows('gpu_samples', 'node_key, at, series_id'), rollups: await rows('gpu_rollups_5m', 'node_key, bucket_at, series_id'), batches: await rows('ingest_batches', 'batch_id') };
}

/** What the Kysely repositories store for a batch, in a transaction of its own. */
const throughRepositories = (storage: Storage, samples: GpuSampleRepo, b: SampleBatch) =>
  storage.db.transaction().execute(async (trx) => {
    if (!(await new TelemetryRepo(trx).claimBatch(b.batchId, b.nodeId, b.receivedAt))) return false;
    await samples.withDb(trx).addColumns(b.series, b.columns);
    return true;
  });

describe('the SQLite batch store (ingest past Kysely)', () => {
  let direct: Storage;
  let reference: Storage;
  let store: SampleBatchStore;

  beforeEach(async () => {
    direct = await fresh();
    reference = await fresh();
    store = sqliteSampleBatchStore(direct.db)!;
  });
  afterEach(async () => {
    await direct.close();
    await reference.close();
  });

  it('exists on SQLite only', async () => {
    expect(store).toBeTypeOf('function');
    const pglite = await openStorage('pglite:');
    expect(sqliteSampleBatchStore(pglite.db)).toBeUndefined();
    await pglite.close();
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
    const expected: boolean[] = [];
    for (const b of batches) expected.push(await throughRepositories(reference, referenceSamples, b));
    // In groups of up to 5, as the server's group commit writes them.
    const outcomes: boolean[] = [];
    for (let i = 0; i < batches.length; i += 5) outcomes.push(...(await store(batches.slice(i, i + 5))));
    expect(outcomes).toEqual(expected);
    expect(outcomes.filter((o) => !o).length).toBeGreaterThan(2);
    expect(await stored(direct)).toEqual(await stored(reference));
    expect(((await stored(direct)) as { rollups: unknown[] }).rollups.length).toBeGreaterThan(4);
  });

  it('stores a group whole or not at all', async () => {
    const samples = new GpuSampleRepo(direct.db);
    const series = await samples.seriesFor('n1', ['GPU-a']);
    const good: SampleBatch = { batchId: 'good', nodeId: 'n1', receivedAt: T0, series, columns: sampleColumns([{ at: T0, gpus: [reading(seededRandom(1), 'GPU-a')] }]) };
    // A GPU without a series id: the second batch throws after the first was written.
    const bad: SampleBatch = { ...good, batchId: 'bad', columns: sampleColumns([{ at: T0, gpus: [reading(seededRandom(2), 'GPU-x')] }]) };
    await expect(store([good, bad])).rejects.toThrow('no series id for GPU GPU-x');
    expect(await stored(direct)).toEqual({ samples: [], rollups: [], batches: [] });
    expect(await store([good])).toEqual([true]);
    expect(await samples.samples('n1', 'GPU-a', 0, 10)).toHaveLength(1);
  });

  it('waits for a Kysely transaction in progress and never writes inside it', async () => {
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
    expect(await mine).toEqual([true]);
    expect(((await stored(direct)) as { batches: { batch_id: string }[] }).batches.map((b) => b.batch_id)).toEqual(['mine']);
  });
});

import { sql, type Kysely, type Migration } from 'kysely';
import { recomputeRollups, rollupColumnsOf } from '../repos/rollup-sql.js';
import { nodeKeyOf, seriesIdCandidate } from '../repos/series-id.js';

/**
 * The metric columns as this migration made them; a later metric comes with a later migration,
 * so this list never changes.
 */
const METRIC_COLUMNS = [
  ['temperatureC', 'temperature_c'],
  ['memoryTemperatureC', 'memory_temperature_c'],
  ['powerDrawW', 'power_draw_w'],
  ['powerLimitW', 'power_limit_w'],
  ['energyMj', 'energy_mj'],
  ['smClockMHz', 'sm_clock_mhz'],
  ['memoryClockMHz', 'memory_clock_mhz'],
  ['gpuUtilizationPct', 'gpu_utilization_pct'],
  ['memoryUtilizationPct', 'memory_utilization_pct'],
  ['framebufferUsedMiB', 'framebuffer_used_mib'],
  ['framebufferTotalMiB', 'framebuffer_total_mib'],
  ['eccVolatileUncorrected', 'ecc_volatile_uncorrected'],
  ['eccAggregateUncorrected', 'ecc_aggregate_uncorrected'],
  ['remappedRowsPending', 'remapped_rows_pending'],
  ['pcieReplayCounter', 'pcie_replay_counter'],
] as const;
const COLUMNS = METRIC_COLUMNS.map(([, c]) => c);

interface OldSample {
  node_id: string;
  gpu_uuid: string;
  at: number;
  metrics: string;
}
type Old = Kysely<{ samples: OldSample; gpu_series: { id: number; node_id: string; gpu_uuid: string; node_key: number }; gpu_samples: Record<string, unknown> }>;

/**
 * The telemetry store: GPU series (an integer per node and GPU), raw samples with a column per
 * reading (range queries aggregate in SQL; no JSON per row) and 5-minute rollups, both keyed by
 * (node key, time, series) so that a host's batch is stored together, and the indexes that
 * fleet-scale paths need. The JSON `samples` table's rows move over, then it goes.
 */
export const telemetry: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('gpu_series')
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
      .addColumn('gpu_uuid', 'text', (c) => c.notNull())
      .addColumn('node_key', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('gpu_series_node_gpu').on('gpu_series').columns(['node_id', 'gpu_uuid']).unique().execute();

    // A node's range is one key range, time-ordered; a sample stored twice is refused.
    let samples = db.schema.createTable('gpu_samples').addColumn('node_key', 'bigint', (c) => c.notNull()).addColumn('at', 'bigint', (c) => c.notNull()).addColumn('series_id', 'bigint', (c) => c.notNull());
    for (const c of COLUMNS) samples = samples.addColumn(c, c === 'remapped_rows_pending' ? 'integer' : 'double precision');
    await samples.addColumn('clock_event_reasons', 'text').addPrimaryKeyConstraint('gpu_samples_pk', ['node_key', 'at', 'series_id']).execute();

    let rollups = db.schema
      .createTable('gpu_rollups_5m')
      .addColumn('node_key', 'bigint', (c) => c.notNull())
      .addColumn('bucket_at', 'bigint', (c) => c.notNull())
      .addColumn('series_id', 'bigint', (c) => c.notNull());
    for (const c of rollupColumnsOf(COLUMNS)) {
      rollups = c.endsWith('_min') || c.endsWith('_max') ? rollups.addColumn(c, 'double precision') : rollups.addColumn(c, c.endsWith('_sum') ? 'double precision' : 'integer', (col) => col.notNull().defaultTo(0));
    }
    await rollups.addPrimaryKeyConstraint('gpu_rollups_5m_pk', ['node_key', 'bucket_at', 'series_id']).execute();

    // A node's last batch (silence alerts) and batch retention, without scanning every batch.
    await db.schema.createIndex('ingest_batches_node_time').on('ingest_batches').columns(['node_id', 'received_at']).execute();
    // Duplicate-GPU detection looks GPUs up by serial on every enrollment and inventory change.
    await db.schema.createIndex('gpus_serial').on('gpus').column('serial').execute();

    await moveOldSamples(db as unknown as Old);
    await db.schema.dropTable('samples').execute();
  },
};

async function moveOldSamples(db: Old): Promise<void> {
  const pairs = await db.selectFrom('samples').select(['node_id', 'gpu_uuid']).distinct().execute();
  if (pairs.length === 0) return;
  const ids = new Map<string, { id: number; nodeKey: number }>();
  const taken = new Set<number>();
  for (const p of pairs) {
    let attempt = 0;
    let id = seriesIdCandidate(p.node_id, p.gpu_uuid, attempt);
    while (taken.has(id)) id = seriesIdCandidate(p.node_id, p.gpu_uuid, ++attempt);
    taken.add(id);
    const nodeKey = nodeKeyOf(p.node_id);
    ids.set(`${p.node_id}\n${p.gpu_uuid}`, { id, nodeKey });
    await db.insertInto('gpu_series').values({ id, node_id: p.node_id, gpu_uuid: p.gpu_uuid, node_key: nodeKey }).execute();
  }
  let after: OldSample | undefined;
  for (;;) {
    let page = db.selectFrom('samples').selectAll();
    if (after) {
      const { node_id, gpu_uuid, at } = after;
      page = page.where((eb) => eb(eb.refTuple('node_id', 'gpu_uuid', 'at'), '>', eb.tuple(node_id, gpu_uuid, at)));
    }
    const rows = await page.orderBy('node_id').orderBy('gpu_uuid').orderBy('at').limit(1000).execute();
    if (rows.length === 0) break;
    after = rows.at(-1);
    const values = rows.map((r) => {
      const m = JSON.parse(r.metrics) as Record<string, unknown>;
      const series = ids.get(`${r.node_id}\n${r.gpu_uuid}`)!;
      const row: Record<string, unknown> = { node_key: series.nodeKey, at: r.at, series_id: series.id, clock_event_reasons: Array.isArray(m.clockEventReasons) ? JSON.stringify(m.clockEventReasons) : null };
      for (const [name, column] of METRIC_COLUMNS) row[column] = typeof m[name] === 'number' ? m[name] : typeof m[name] === 'boolean' ? Number(m[name]) : null;
      return row;
    });
    await db.insertInto('gpu_samples').values(values).onConflict((oc) => oc.doNothing()).execute();
  }
  await recomputeRollups(COLUMNS, sql`true`).execute(db);
}

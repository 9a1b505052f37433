import { sql, type Kysely } from 'kysely';
import { sampleColumns, type GpuMetricsWire, type SampleColumns } from '@locus/protocol';
import type { Database } from '../schema.js';
import { GPU_METRICS, GPU_METRIC_COLUMNS, ROLLUP_BUCKET_MS, type GpuMetric } from '../telemetry-schema.js';
import { directSqliteOf, type DirectSqlite } from '../dialects/sqlite.js';
import { BulkStatement, placeholderStyleOf, type PlaceholderStyle } from './bulk.js';
import { recomputeRollups } from './rollup-sql.js';
import { FOLD_ROLLUPS_SUFFIX, GPU_SAMPLE_COLUMNS, INSERT_SAMPLE, METRIC_COLUMNS, ROLLUP_COLUMNS, walkSampleRows, type NodeSeries } from './sample-rows.js';
import { nodeKeyOf, seriesIdCandidate } from './series-id.js';

export { GPU_SAMPLE_COLUMNS, gpuSampleRow, type NodeSeries } from './sample-rows.js';

const insertSamples = new BulkStatement(`insert into gpu_samples (${GPU_SAMPLE_COLUMNS.join(', ')})`, GPU_SAMPLE_COLUMNS.length, 'on conflict (node_key, at, series_id) do nothing');
const foldRollups = new BulkStatement(`insert into gpu_rollups_5m (${ROLLUP_COLUMNS.join(', ')})`, ROLLUP_COLUMNS.length, FOLD_ROLLUPS_SUFFIX);

/** Tries at making a series id before giving up (each clash of 48-bit hashes is ~1e-9 likely). */
const SERIES_ATTEMPTS = 8;
const SERIES_CACHE_MAX = 1_000_000;

/** One GPU's readings at one instant, as agents send them (without its UUID). */
export type GpuReadings = Omit<GpuMetricsWire, 'uuid'>;

/** The instants of a batch, each with its GPUs' readings. */
export interface GpuSampleInstant {
  readonly at: number;
  readonly gpus: readonly GpuMetricsWire[];
}

export const RESOLUTIONS = ['raw', '5m'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export const GROUPINGS = ['gpu', 'node', 'all'] as const;
export type Grouping = (typeof GROUPINGS)[number];

export interface RangeQuery {
  readonly nodeIds: readonly string[];
  /** Only this GPU of the nodes. */
  readonly gpuUuid?: string | undefined;
  readonly metric: GpuMetric;
  /** Inclusive. */
  readonly from: number;
  /** Exclusive. */
  readonly to: number;
  /** Points start at multiples of it since the epoch; with `5m`, a multiple of 5 minutes. */
  readonly stepMs: number;
  readonly resolution: Resolution;
  /** One series per GPU, per node (its GPUs together), or one for all. */
  readonly groupBy: Grouping;
}

export interface RangePoint {
  readonly at: number;
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  /** Readings behind the point. */
  readonly count: number;
}

export interface RangeSeries {
  readonly nodeId: string | null;
  readonly gpuUuid: string | null;
  readonly points: RangePoint[];
}

const cacheKey = (nodeId: string, gpuUuid: string) => `${nodeId}\n${gpuUuid}`;

/**
 * The GPU telemetry store: raw samples (one row per GPU per instant, a column per reading) and
 * 5-minute rollups (min, max, sum and count per reading).
 *
 * Rollups are folded in as samples arrive, in the batch's own transaction, rather than by a
 * periodic job: they are then exact for late batches (an agent back after an outage sends hours
 * of samples at once) and for the newest, still open bucket, need no watermark shared between
 * replicas, and cost one upsert per GPU per bucket a batch touches (8 rows for a 30-second batch
 * of an 8-GPU host, next to its 24 raw rows).
 */
export class GpuSampleRepo {
  readonly #db: Kysely<Database>;
  /** (node, GPU) → series id. Series rows are never deleted, so a cached id never goes stale. */
  readonly #series: Map<string, number>;
  #style: PlaceholderStyle | undefined;
  /** SQLite's own connection when the database is SQLite, found from the handle the store was made on. */
  readonly #direct: DirectSqlite | undefined;

  constructor(db: Kysely<Database>, series = new Map<string, number>(), style?: PlaceholderStyle, direct = directSqliteOf(db)) {
    this.#db = db;
    this.#series = series;
    this.#style = style;
    this.#direct = direct;
  }

  /** The same store on another handle (a transaction of the same database), sharing the series cache. */
  withDb(db: Kysely<Database>): GpuSampleRepo {
    return new GpuSampleRepo(db, this.#series, this.#style, this.#direct);
  }

  get #placeholders(): PlaceholderStyle {
    return (this.#style ??= placeholderStyleOf(this.#db));
  }

  /**
   * Remembers the series of enrolled nodes' GPUs, as many as the cache holds, so that a server
   * just started finds each agent's series without a query for its first batch. Returns how many.
   */
  async remember(): Promise<number> {
    const rows = await this.#db
      .selectFrom('gpu_series as s')
      .innerJoin('nodes as n', 'n.id', 's.node_id')
      .select(['s.id', 's.node_id', 's.gpu_uuid'])
      .where('n.unenrolled_at', 'is', null)
      .limit(SERIES_CACHE_MAX - this.#series.size)
      .execute();
    for (const r of rows) this.#series.set(cacheKey(r.node_id, r.gpu_uuid), r.id);
    return rows.length;
  }

  /**
   * The series of each of a node's GPUs, made when new. Call it outside the transaction that
   * stores samples: ids are cached once committed, never from a transaction that may roll back.
   */
  async seriesFor(nodeId: string, gpuUuids: readonly string[]): Promise<NodeSeries> {
    const nodeKey = nodeKeyOf(nodeId);
    const ids = new Map<string, number>();
    let missing: string[] = [];
    for (const uuid of gpuUuids) {
      if (ids.has(uuid) || missing.includes(uuid)) continue;
      const id = this.#series.get(cacheKey(nodeId, uuid));
      if (id === undefined) missing.push(uuid);
      else ids.set(uuid, id);
    }
    for (let attempt = 0; missing.length > 0; attempt++) {
      const found = await this.#db.selectFrom('gpu_series').select(['id', 'gpu_uuid']).where('node_id', '=', nodeId).where('gpu_uuid', 'in', missing).execute();
      this.#cache(nodeId, found, ids);
      missing = missing.filter((uuid) => !ids.has(uuid));
      if (missing.length === 0) break;
      if (attempt === SERIES_ATTEMPTS) throw new Error(`no free series id for node ${nodeId} after ${SERIES_ATTEMPTS} attempts`);
      const rows = missing.map((uuid) => ({ id: seriesIdCandidate(nodeId, uuid, attempt), node_id: nodeId, gpu_uuid: uuid, node_key: nodeKey }));
      // Those made here come back; a GPU whose series another server made meanwhile, or whose
      // candidate id was taken, is read (or tried with the next candidate) in the next round.
      const made = await this.#db.insertInto('gpu_series').values(rows).onConflict((oc) => oc.doNothing()).returning(['id', 'gpu_uuid']).execute();
      this.#cache(nodeId, made, ids);
      missing = missing.filter((uuid) => !ids.has(uuid));
    }
    return { nodeKey, ids };
  }

  #cache(nodeId: string, rows: readonly { id: number; gpu_uuid: string }[], ids: Map<string, number>): void {
    if (this.#series.size + rows.length > SERIES_CACHE_MAX) this.#series.clear();
    for (const row of rows) {
      ids.set(row.gpu_uuid, row.id);
      this.#series.set(cacheKey(nodeId, row.gpu_uuid), row.id);
    }
  }

  /** As addColumns, from instants' readings. */
  addSamples(series: NodeSeries, instants: readonly GpuSampleInstant[]): Promise<{ stored: number; duplicates: number }> {
    return this.addColumns(series, sampleColumns(instants));
  }

  /**
   * Stores samples (ids from seriesFor) and folds them into the rollups; a sample already stored
   * for the same GPU and instant is skipped. Run it in the transaction that claims the batch.
   */
  async addColumns(series: NodeSeries, columns: SampleColumns): Promise<{ stored: number; duplicates: number }> {
    if (columns.reasons.length === 0) return { stored: 0, duplicates: 0 };
    // On SQLite, each row goes in as it is made (see DirectStatement); elsewhere, all in a few statements.
    const insert = this.#direct?.statement(INSERT_SAMPLE);
    const values: unknown[] = [];
    const walked = walkSampleRows(series, columns, (row) => {
      if (insert) return insert(row) > 0;
      for (const v of row) values.push(v);
      return false;
    });
    const stored = insert ? walked.stored : await insertSamples.run(this.#db, this.#placeholders, values);
    if (stored === walked.rows) await foldRollups.run(this.#db, this.#placeholders, walked.buckets.flat());
    else {
      // Some samples were stored before: adding the batch's sums would count them twice.
      const touchedIds = [...new Set(walked.buckets.map((b) => b[2] as number))];
      const bucketTimes = walked.buckets.map((b) => b[1] as number);
      const from = Math.min(...bucketTimes);
      const to = Math.max(...bucketTimes) + ROLLUP_BUCKET_MS;
      await recomputeRollups(METRIC_COLUMNS, sql`node_key = ${series.nodeKey} and at >= ${from} and at < ${to} and series_id in (${sql.join(touchedIds)})`).execute(this.#db);
    }
    return { stored, duplicates: walked.rows - stored };
  }

  /** A node's raw samples from `since`, oldest first, at most `limit`. */
  async samples(nodeId: string, gpuUuid: string | undefined, since: number, limit: number): Promise<{ gpuUuid: string; at: number; readings: GpuReadings }[]> {
    let q = this.#db
      .selectFrom('gpu_samples as g')
      .innerJoin('gpu_series as s', 's.id', 'g.series_id')
      .selectAll('g')
      .select('s.gpu_uuid')
      .where('g.node_key', 'in', this.#keysOf([nodeId]))
      .where('s.node_id', '=', nodeId)
      .where('g.at', '>=', since);
    if (gpuUuid !== undefined) q = q.where('s.gpu_uuid', '=', gpuUuid);
    const rows = await q.orderBy('g.at').orderBy('s.gpu_uuid').limit(limit).execute();
    return rows.map((row) => {
      const readings: Record<string, unknown> = {};
      for (const m of GPU_METRICS) readings[m] = row[GPU_METRIC_COLUMNS[m]];
      const pending = row.remapped_rows_pending;
      readings.remappedRowsPending = pending === null ? null : pending !== 0;
      readings.clockEventReasons = row.clock_event_reasons === null ? null : (JSON.parse(row.clock_event_reasons) as string[]);
      return { gpuUuid: row.gpu_uuid, at: row.at, readings: readings as GpuReadings };
    });
  }

  /**
   * When each of these GPUs of a node was last sampled (ms): its newest raw sample taken at or
   * after `since` (the raw retention's start, say); GPUs with none are absent. Its newest rollup
   * bucket is found first (a 5-minute step back through the node's rollups, stopping at the
   * first of the GPU's), then the newest sample in it: a GPU that stopped days ago costs a few
   * thousand index entries, not every sample since.
   */
  async lastSampled(nodeId: string, gpuUuids: readonly string[], since: number): Promise<Map<string, number>> {
    const last = new Map<string, number>();
    if (gpuUuids.length === 0) return last;
    const series = await this.#db.selectFrom('gpu_series').select(['id', 'gpu_uuid', 'node_key']).where('node_id', '=', nodeId).where('gpu_uuid', 'in', gpuUuids).execute();
    for (const s of series) {
      const bucket = await this.#db
        .selectFrom('gpu_rollups_5m')
        .select('bucket_at')
        .where('node_key', '=', s.node_key)
        .where('bucket_at', '>=', since - (since % ROLLUP_BUCKET_MS))
        .where('series_id', '=', s.id)
        .orderBy('bucket_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!bucket) continue;
      const sample = await this.#db
        .selectFrom('gpu_samples')
        .select('at')
        .where('node_key', '=', s.node_key)
        .where('at', '>=', Math.max(since, Number(bucket.bucket_at)))
        .where('at', '<', Number(bucket.bucket_at) + ROLLUP_BUCKET_MS)
        .where('series_id', '=', s.id)
        .orderBy('at', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (sample) last.set(s.gpu_uuid, Number(sample.at));
    }
    return last;
  }

  /** One metric over time for some nodes: from raw samples or from the rollups, in `stepMs` points. */
  async range(q: RangeQuery): Promise<RangeSeries[]> {
    if (q.nodeIds.length === 0) return [];
    const column = GPU_METRIC_COLUMNS[q.metric];
    const raw = q.resolution === 'raw';
    const time = sql.ref(raw ? 'g.at' : 'g.bucket_at');
    const aggregates = raw
      ? sql`min(${sql.ref(`g.${column}`)}) as min, max(${sql.ref(`g.${column}`)}) as max, sum(${sql.ref(`g.${column}`)}) as sum, count(${sql.ref(`g.${column}`)}) as count`
      : sql`min(${sql.ref(`g.${column}_min`)}) as min, max(${sql.ref(`g.${column}_max`)}) as max, sum(${sql.ref(`g.${column}_sum`)}) as sum, sum(${sql.ref(`g.${column}_count`)}) as count`;
    const keys = q.groupBy === 'gpu' ? sql`s.node_id, s.gpu_uuid,` : q.groupBy === 'node' ? sql`s.node_id,` : sql``;
    const gpu = q.gpuUuid === undefined ? sql`` : sql`and s.gpu_uuid = ${q.gpuUuid}`;
    const { rows } = await sql<{ node_id?: string; gpu_uuid?: string; bucket: number; min: number | null; max: number | null; sum: number | null; count: number }>`
      select ${keys} ${time} - (${time} % ${sql.lit(q.stepMs)}) as bucket, ${aggregates}
      from ${sql.table(raw ? 'gpu_samples' : 'gpu_rollups_5m')} as g join gpu_series as s on s.id = g.series_id
      where g.node_key in (${this.#keysOf(q.nodeIds)}) and ${time} >= ${q.from} and ${time} < ${q.to} and s.node_id in (${sql.join(q.nodeIds)}) ${gpu}
      group by ${keys} bucket order by ${keys} bucket`.execute(this.#db);
    const series: RangeSeries[] = [];
    let current: RangeSeries | undefined;
    for (const row of rows) {
      const count = Number(row.count);
      if (count === 0 || row.min === null || row.max === null) continue;
      const nodeId = row.node_id ?? null;
      const gpuUuid = row.gpu_uuid ?? null;
      if (!current || current.nodeId !== nodeId || current.gpuUuid !== gpuUuid) series.push((current = { nodeId, gpuUuid, points: [] }));
      current.points.push({ at: Number(row.bucket), min: row.min, max: row.max, avg: Number(row.sum) / count, count });
    }
    return series;
  }

  /** Up to `limit` node ids after `after` (null: from the first), in id order: retention walks nodes in these chunks. */
  async nodesAfter(after: string | null, limit: number): Promise<string[]> {
    let q = this.#db.selectFrom('nodes').select('id');
    if (after !== null) q = q.where('id', '>', after);
    return (await q.orderBy('id').limit(limit).execute()).map((r) => r.id);
  }

  /** Deletes at most `limit` of these nodes' raw samples from before `before`; returns how many went. */
  expireSamples(nodeIds: readonly string[], before: number, limit: number): Promise<number> {
    return this.#expire('gpu_samples', 'at', nodeIds, before, limit);
  }

  /** Deletes at most `limit` of these nodes' rollup buckets that start before `before`; returns how many went. */
  expireRollups(nodeIds: readonly string[], before: number, limit: number): Promise<number> {
    return this.#expire('gpu_rollups_5m', 'bucket_at', nodeIds, before, limit);
  }

  async #expire(table: 'gpu_samples' | 'gpu_rollups_5m', time: 'at' | 'bucket_at', nodeIds: readonly string[], before: number, limit: number): Promise<number> {
    if (nodeIds.length === 0) return 0;
    // Each node is one key range in time order, so its old rows come first, without a time index.
    const result = await sql`delete from ${sql.table(table)} where (node_key, ${sql.ref(time)}, series_id) in (
      select node_key, ${sql.ref(time)}, series_id from ${sql.table(table)} where node_key in (${this.#keysOf(nodeIds)}) and ${sql.ref(time)} < ${before} limit ${limit})`.execute(this.#db);
    return Number(result.numAffectedRows ?? 0n);
  }

  /** The nodes' keys, as stored with their series. */
  #keysOf(nodeIds: readonly string[]) {
    return this.#db.selectFrom('gpu_series').select('node_key').distinct().where('node_id', 'in', nodeIds);
  }
}

import type { Kysely } from 'kysely';
import type { SampleColumns } from '@locus/protocol';
import type { Database } from '../schema.js';
import { ROLLUP_BUCKET_MS } from '../telemetry-schema.js';
import { directSqliteOf } from '../dialects/sqlite.js';
import { postgresPoolOf, type PostgresClient } from '../dialects/postgres.js';
import type { BatchClaim } from './telemetry.js';
import { BUCKET_OF_AT, recomputeRollupsText, rollupAggregates } from './rollup-sql.js';
import { FOLD_ROLLUPS_SUFFIX, GPU_SAMPLE_COLUMNS, INSERT_SAMPLE, METRIC_COLUMNS, ROLLUP_COLUMNS, walkSampleRows, type NodeSeries, type RollupBucket } from './sample-rows.js';

/** An agent's batch of samples alone (no events), to store whole or not at all. */
export interface SampleBatch {
  readonly batchId: string;
  readonly nodeId: string;
  /** When the server received it (the claim's time). */
  readonly receivedAt: number;
  readonly series: NodeSeries;
  readonly columns: SampleColumns;
}

/**
 * Stores batches in one transaction; per batch, what its claim found (TelemetryRepo.claimBatch):
 * stored when 'claimed'; nothing written for a 'duplicate' id or a node 'not-enrolled'.
 */
export type SampleBatchStore = (batches: readonly SampleBatch[]) => Promise<BatchClaim[]>;

/**
 * The fast path of ingest on this database, where it has one (SQLite and PostgreSQL; not PGlite,
 * where the repositories' statements cost no round trip).
 */
export const sampleBatchStore = (db: Kysely<Database>): SampleBatchStore | undefined => sqliteSampleBatchStore(db) ?? postgresSampleBatchStore(db);

/** The claim of a batch id (batch id, received at, node id), for a node that is enrolled. */
const CLAIM = 'insert into ingest_batches (batch_id, node_id, received_at) select ?, id, ? from nodes where id = ? and unenrolled_at is null on conflict (batch_id) do nothing';
const ENROLLED = 'select 1 from nodes where id = ? and unenrolled_at is null';
const FOLD_ROLLUP = `insert into gpu_rollups_5m (${ROLLUP_COLUMNS.join(', ')}) values (${ROLLUP_COLUMNS.map(() => '?').join(', ')}) ${FOLD_ROLLUPS_SUFFIX}`;
const RECOMPUTE_BUCKET = recomputeRollupsText(METRIC_COLUMNS, 'node_key = ? and series_id = ? and at >= ? and at < ?');
/** RECOMPUTE_BUCKET's values for a bucket: node key, series, the bucket's start and end. */
const recomputeValues = (nodeKey: number, bucket: RollupBucket): number[] => [nodeKey, bucket[2]!, bucket[1]!, bucket[1]! + ROLLUP_BUCKET_MS];

/**
 * On SQLite, ingest's fast path: batches of samples stored in one transaction run on SQLite's own
 * connection with prepared single-row statements, past Kysely (see DirectSqlite). For each batch,
 * what TelemetryRepo.claimBatch and GpuSampleRepo.addColumns would do in a Kysely transaction:
 * its id claimed if its node is enrolled (a known id is stored again never), its rows inserted,
 * its readings folded into the rollups (or, where some rows were stored before, the buckets it
 * touched recomputed from raw samples). Statement for statement, Kysely costs as much as SQLite itself for a batch of a few
 * dozen rows. Undefined on other databases (PostgreSQL has its own: postgresSampleBatchStore).
 */
export function sqliteSampleBatchStore(db: Kysely<Database>): SampleBatchStore | undefined {
  const direct = directSqliteOf(db);
  if (!direct) return undefined;
  const claim = direct.statement(CLAIM);
  const enrolled = direct.exists(ENROLLED);
  const insert = direct.statement(INSERT_SAMPLE);
  const fold = direct.statement(FOLD_ROLLUP);
  const recompute = direct.statement(RECOMPUTE_BUCKET);
  const take = (row: readonly unknown[]) => insert(row) > 0;
  const storeOne = ({ batchId, nodeId, receivedAt, series, columns }: SampleBatch): BatchClaim => {
    if (claim([batchId, receivedAt, nodeId]) === 0) return enrolled([nodeId]) ? 'duplicate' : 'not-enrolled';
    const { rows, stored, buckets } = walkSampleRows(series, columns, take);
    // Some samples were stored before: adding the batch's sums would count them twice.
    if (stored === rows) for (const bucket of buckets) fold(bucket);
    else for (const bucket of buckets) recompute(recomputeValues(series.nodeKey, bucket));
    return 'claimed';
  };
  return (batches) => direct.transaction(() => batches.map(storeOne));
}

/** The PostgreSQL type of a raw sample's or a rollup's column, as migration 0009 made it. */
export function postgresColumnType(column: string): string {
  if (column === 'node_key' || column === 'at' || column === 'bucket_at' || column === 'series_id') return 'bigint';
  if (column === 'clock_event_reasons') return 'text';
  if (column === 'remapped_rows_pending' || column.endsWith('_count')) return 'integer';
  return 'double precision';
}

/** `select * from unnest(…)` over one array parameter per column, numbered from `first`. */
const unnestOf = (columns: readonly string[], first: number): string => `select * from unnest(${columns.map((c, i) => `$${first + i}::${postgresColumnType(c)}[]`).join(', ')})`;

const SAMPLES_FROM = 4;
const ROLLUPS_FROM = SAMPLES_FROM + GPU_SAMPLE_COLUMNS.length;
const ROWS_PARAMETER = ROLLUPS_FROM + ROLLUP_COLUMNS.length;

/**
 * One batch in one statement, its own transaction or a part of its group's: its id claimed if its
 * node is enrolled; its rows inserted if the claim was new; the rows it inserted folded into the
 * rollups. All parts see the same snapshot, so the fold reads the insert's own output, never the
 * table: when every row was new (nearly always), the buckets the caller summed (walkSampleRows)
 * are folded in; when some were stored before, the rows this statement stored are summed by
 * bucket here and folded in, so that no reading counts twice. Each column travels as one array.
 * With the claim comes whether the node is enrolled, which tells a duplicate from a node gone.
 */
const STORE_BATCH = [
  'with claim as (insert into ingest_batches (batch_id, node_id, received_at) select $1::text, id, $3::bigint from nodes where id = $2 and unenrolled_at is null',
  '  on conflict (batch_id) do nothing returning 1),',
  `stored as (insert into gpu_samples (${GPU_SAMPLE_COLUMNS.join(', ')}) ${unnestOf(GPU_SAMPLE_COLUMNS, SAMPLES_FROM)} where exists (select from claim) on conflict (node_key, at, series_id) do nothing returning node_key, at, series_id, ${METRIC_COLUMNS.join(', ')}),`,
  `folded as (insert into gpu_rollups_5m (${ROLLUP_COLUMNS.join(', ')}) ${unnestOf(ROLLUP_COLUMNS, ROLLUPS_FROM)} where (select count(*) from stored) = $${ROWS_PARAMETER} ${FOLD_ROLLUPS_SUFFIX}),`,
  `partly as (insert into gpu_rollups_5m (${ROLLUP_COLUMNS.join(', ')}) select node_key, ${BUCKET_OF_AT} as bucket, series_id, ${rollupAggregates(METRIC_COLUMNS)} from stored`,
  `  where (select count(*) from stored) < $${ROWS_PARAMETER} group by node_key, bucket, series_id ${FOLD_ROLLUPS_SUFFIX})`,
  'select exists (select from claim) as claimed, exists (select from nodes where id = $2 and unenrolled_at is null) as enrolled',
].join('\n');

/**
 * A PostgreSQL array literal of numbers, strings or nulls. Numbers print as JavaScript prints
 * them (shortest text that reads back as the same double); strings are quoted and escaped.
 */
export function postgresArray(values: readonly unknown[]): string {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) text += ',';
    const v = values[i];
    if (v === null || v === undefined) text += 'NULL';
    else if (typeof v === 'number') text += String(v);
    else text += `"${String(v).replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${text}}`;
}

/** Values laid out by column (`width` per row, given row by row), each column as an array literal. */
class ColumnArrays {
  readonly #columns: unknown[][];

  constructor(width: number) {
    this.#columns = Array.from({ length: width }, () => []);
  }

  add(row: readonly unknown[]): void {
    for (let c = 0; c < this.#columns.length; c++) this.#columns[c]!.push(row[c]);
  }

  literals(): string[] {
    return this.#columns.map(postgresArray);
  }
}

/**
 * On PostgreSQL, ingest's fast path: on a connection of the pool, each batch one named prepared
 * statement (STORE_BATCH; PostgreSQL parses and plans it once per connection) with its columns as
 * arrays; a batch alone is its own transaction, a group shares one. A round trip per batch where
 * the repositories take three (five alone, with begin and commit), and no statement text with a
 * placeholder per value for PostgreSQL to parse every time (a 480-row batch binds ~9,000). Stores what TelemetryRepo.claimBatch and
 * GpuSampleRepo.addColumns store (direct-batches.test.ts holds it to that). Undefined on other
 * databases.
 */
export function postgresSampleBatchStore(db: Kysely<Database>): SampleBatchStore | undefined {
  const pool = postgresPoolOf(db);
  if (!pool) return undefined;
  const storeOne = async (client: PostgresClient, { batchId, nodeId, receivedAt, series, columns }: SampleBatch): Promise<BatchClaim> => {
    const rows = new ColumnArrays(GPU_SAMPLE_COLUMNS.length);
    const walked = walkSampleRows(series, columns, (row) => {
      rows.add(row);
      return false;
    });
    const buckets = new ColumnArrays(ROLLUP_COLUMNS.length);
    for (const bucket of walked.buckets) buckets.add(bucket);
    const result = await client.query({ name: 'locus_store_batch', text: STORE_BATCH, values: [batchId, nodeId, receivedAt, ...rows.literals(), ...buckets.literals(), walked.rows] });
    const { claimed, enrolled } = result.rows[0] as { claimed: boolean; enrolled: boolean };
    return claimed ? 'claimed' : enrolled ? 'duplicate' : 'not-enrolled';
  };
  return async (batches) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      // One batch is one statement, a transaction by itself: one round trip.
      if (batches.length === 1) return [await storeOne(client, batches[0]!)];
      await client.query('begin');
      // Node by node in one order, in every transaction (of this server or a replica): two that
      // fold buckets of the same nodes lock them in the same order, and wait rather than deadlock.
      const order = batches.map((_, i) => i).sort((i, j) => batches[i]!.series.nodeKey - batches[j]!.series.nodeKey);
      const outcomes: BatchClaim[] = new Array<BatchClaim>(batches.length);
      for (const i of order) outcomes[i] = await storeOne(client, batches[i]!);
      await client.query('commit');
      return outcomes;
    } catch (error) {
      if (batches.length > 1) await client.query('rollback').catch((e: Error) => (broken = e));
      throw error;
    } finally {
      // A connection that cannot roll back is closed rather than handed to the next transaction.
      client.release(broken);
    }
  };
}

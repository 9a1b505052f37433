import type { Kysely } from 'kysely';
import { CELLS_PER_ROW, type SampleColumns } from '@locus/protocol';
import type { Database } from '../schema.js';
import { directSqliteOf, writerThreadOf } from '../dialects/sqlite.js';
import { postgresPoolOf, type PostgresClient } from '../dialects/postgres.js';
import type { BatchClaim } from './telemetry.js';
import { BUCKET_OF_AT, rollupAggregates } from './rollup-sql.js';
import { FOLD_ROLLUPS_SUFFIX, GPU_SAMPLE_COLUMNS, METRIC_COLUMNS, ROLLUP_COLUMNS, walkSampleRows, type NodeSeries } from './sample-rows.js';
import { sqliteBatchStoreOn, type SampleBatch, type SampleBatchStore } from './sqlite-batches.js';

export type { SampleBatch, SampleBatchStore } from './sqlite-batches.js';

/**
 * The fast path of ingest on this database, where it has one (SQLite and PostgreSQL; not PGlite,
 * where the repositories' statements cost no round trip).
 */
export const sampleBatchStore = (db: Kysely<Database>): SampleBatchStore | undefined => sqliteSampleBatchStore(db) ?? postgresSampleBatchStore(db);

/**
 * On SQLite, ingest's fast path: batches of samples stored in one transaction run on SQLite's own
 * connection with prepared single-row statements, past Kysely (sqliteBatchStoreOn). On a database
 * opened with the ingest writer's thread (openSqlite's `writer`), the transactions run there, on a
 * connection of that thread's (startSqliteWriter). Undefined on other databases (PostgreSQL has
 * its own: postgresSampleBatchStore).
 */
export function sqliteSampleBatchStore(db: Kysely<Database>): SampleBatchStore | undefined {
  const thread = writerThreadOf(db);
  if (thread) return thread.store;
  const direct = directSqliteOf(db);
  return direct && sqliteBatchStoreOn(direct);
}

/** The PostgreSQL type of a raw sample's or a rollup's column, as migration 0009 made it. */
export function postgresColumnType(column: string): string {
  if (column === 'node_key' || column === 'at' || column === 'bucket_at' || column === 'series_id') return 'bigint';
  if (column === 'clock_event_reasons') return 'text';
  if (column === 'remapped_rows_pending' || column.endsWith('_count')) return 'integer';
  return 'double precision';
}

/** One array parameter per column, numbered from `first`, each cast to its column's array type. */
const arraysOf = (columns: readonly string[], first: number): string => columns.map((c, i) => `$${first + i}::${postgresColumnType(c)}[]`).join(', ');

/**
 * Rows of sample columns from one array each (numbered from `first`; `more` for further arrays),
 * with their place `k` in the arrays: as `r`, for an insert in key order, the first of two rows
 * with one key first.
 */
const sampleRowsOf = (first: number, more = ''): string => `unnest(${arraysOf(GPU_SAMPLE_COLUMNS, first)}${more}) with ordinality as r(${GPU_SAMPLE_COLUMNS.join(', ')}${more ? ', n' : ''}, k)`;
const INSERT_ROWS = `insert into gpu_samples (${GPU_SAMPLE_COLUMNS.join(', ')}) select ${GPU_SAMPLE_COLUMNS.map((c) => `r.${c}`).join(', ')}`;
const IN_KEY_ORDER = 'order by r.node_key, r.at, r.series_id, r.k on conflict (node_key, at, series_id) do nothing';
const RETURNING_STORED = `returning node_key, at, series_id, ${METRIC_COLUMNS.join(', ')}`;
/** The buckets of the rows in `stored`, in key order, folded into the rollups. */
const FOLD_STORED = `insert into gpu_rollups_5m (${ROLLUP_COLUMNS.join(', ')}) select node_key, ${BUCKET_OF_AT} as bucket, series_id, ${rollupAggregates(METRIC_COLUMNS)} from stored`;
const FOLD_STORED_END = `group by node_key, bucket, series_id order by node_key, bucket, series_id ${FOLD_ROLLUPS_SUFFIX}`;

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
 * Rows and buckets are written in key order, as STORE_GROUP writes them: two statements that
 * share a row or a bucket lock them in the same order, and one waits for the other rather than
 * each for the other (a deadlock).
 */
const STORE_BATCH = [
  'with claim as (insert into ingest_batches (batch_id, node_id, received_at) select $1::text, id, $3::bigint from nodes where id = $2 and unenrolled_at is null',
  '  on conflict (batch_id) do nothing returning 1),',
  `stored as (${INSERT_ROWS} from ${sampleRowsOf(SAMPLES_FROM)} where exists (select from claim) ${IN_KEY_ORDER} ${RETURNING_STORED}),`,
  `folded as (insert into gpu_rollups_5m (${ROLLUP_COLUMNS.join(', ')}) select * from unnest(${arraysOf(ROLLUP_COLUMNS, ROLLUPS_FROM)}) as b(${ROLLUP_COLUMNS.join(', ')})`,
  `  where (select count(*) from stored) = $${ROWS_PARAMETER} order by node_key, bucket_at, series_id ${FOLD_ROLLUPS_SUFFIX}),`,
  `partly as (${FOLD_STORED} where (select count(*) from stored) < $${ROWS_PARAMETER} ${FOLD_STORED_END})`,
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

/** STORE_GROUP's parameters past the batches' own ($1 ids, $2 nodes, $3 times): the rows' columns, then each row's batch (from 1). */
const GROUP_SAMPLES_FROM = 4;
const GROUP_ROW_BATCH = GROUP_SAMPLES_FROM + GPU_SAMPLE_COLUMNS.length;

/**
 * A group of batches, their ids all different, in one statement and so one transaction: each
 * batch's id claimed if its node is enrolled; the rows of the batches claimed inserted; the rows
 * inserted (and only they: a row stored before, by an earlier batch, is not; of a row that comes
 * twice in the group, the first is stored) summed by bucket here and folded into the rollups.
 * Each part takes its locks in key order, as STORE_BATCH does, so that two statements that share
 * a bucket wait rather than deadlock. One row per batch answers whether it was claimed and
 * whether its node is enrolled.
 */
const STORE_GROUP = [
  'with batch as (select * from unnest($1::text[], $2::text[], $3::bigint[]) with ordinality as b(batch_id, node_id, received_at, n)),',
  'claim as (insert into ingest_batches (batch_id, node_id, received_at) select b.batch_id, b.node_id, b.received_at from batch b',
  '  where exists (select from nodes where id = b.node_id and unenrolled_at is null) order by b.batch_id on conflict (batch_id) do nothing returning batch_id),',
  `stored as (${INSERT_ROWS} from ${sampleRowsOf(GROUP_SAMPLES_FROM, `, $${GROUP_ROW_BATCH}::bigint[]`)} join batch b on b.n = r.n`,
  `  where b.batch_id in (select batch_id from claim) ${IN_KEY_ORDER} ${RETURNING_STORED}),`,
  `folded as (${FOLD_STORED} ${FOLD_STORED_END})`,
  'select b.batch_id in (select batch_id from claim) as claimed, exists (select from nodes where id = b.node_id and unenrolled_at is null) as enrolled from batch b order by b.n',
].join('\n');

/** A claim as STORE_BATCH and STORE_GROUP answer it. */
const claimOf = ({ claimed, enrolled }: { claimed: boolean; enrolled: boolean }): BatchClaim => (claimed ? 'claimed' : enrolled ? 'duplicate' : 'not-enrolled');

/** One batch by STORE_BATCH on a pooled connection. */
async function storeOne(client: PostgresClient, { batchId, nodeId, receivedAt, series, columns }: SampleBatch): Promise<BatchClaim> {
  const rows = new ColumnArrays(GPU_SAMPLE_COLUMNS.length);
  const walked = walkSampleRows(series, columns, (row) => {
    rows.add(row);
    return false;
  });
  const buckets = new ColumnArrays(ROLLUP_COLUMNS.length);
  for (const bucket of walked.buckets) buckets.add(bucket);
  const result = await client.query({ name: 'locus_store_batch', text: STORE_BATCH, values: [batchId, nodeId, receivedAt, ...rows.literals(), ...buckets.literals(), walked.rows] });
  return claimOf(result.rows[0] as { claimed: boolean; enrolled: boolean });
}

/** A group of batches, their ids all different, by STORE_GROUP on a pooled connection. */
async function storeGroup(client: PostgresClient, batches: readonly SampleBatch[]): Promise<BatchClaim[]> {
  const rows = new ColumnArrays(GPU_SAMPLE_COLUMNS.length);
  const batchOfRow: number[] = [];
  batches.forEach(({ series, columns }, b) =>
    walkSampleRows(series, columns, (row) => {
      rows.add(row);
      batchOfRow.push(b + 1);
      return false;
    }),
  );
  const values = [postgresArray(batches.map((b) => b.batchId)), postgresArray(batches.map((b) => b.nodeId)), postgresArray(batches.map((b) => b.receivedAt)), ...rows.literals(), postgresArray(batchOfRow)];
  const result = await client.query({ name: 'locus_store_group', text: STORE_GROUP, values });
  return (result.rows as { claimed: boolean; enrolled: boolean }[]).map(claimOf);
}

/**
 * On PostgreSQL, ingest's fast path: on a connection of the pool, named prepared statements
 * (PostgreSQL parses and plans each once per connection) with columns as arrays, one round trip
 * for a batch or a group: a batch alone is one statement (STORE_BATCH), a group of batches with
 * different ids another (STORE_GROUP); a group in which an id comes twice (an agent resending a
 * batch still in flight) is a transaction of one STORE_BATCH per batch, so that the second finds
 * the first's claim. Where the repositories take three round trips per batch and two more per
 * transaction, and a statement text with a placeholder per value for PostgreSQL to parse every
 * time (a 480-row batch binds ~9,000). Stores what TelemetryRepo.claimBatch and
 * GpuSampleRepo.addColumns store (direct-batches.test.ts holds it to that). Undefined on other
 * databases.
 */
export function postgresSampleBatchStore(db: Kysely<Database>): SampleBatchStore | undefined {
  const pool = postgresPoolOf(db);
  if (!pool) return undefined;
  return async (batches) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    const repeated = batches.length > 1 && new Set(batches.map((b) => b.batchId)).size < batches.length;
    try {
      // One statement, a transaction by itself: one round trip.
      if (batches.length === 1) return [await storeOne(client, batches[0]!)];
      if (!repeated) return await storeGroup(client, batches);
      await client.query('begin');
      // Node by node in one order, in every transaction (of this server or a replica): two that
      // fold buckets of the same nodes lock them in the same order, and wait rather than deadlock.
      const order = batches.map((_, i) => i).sort((i, j) => batches[i]!.series.nodeKey - batches[j]!.series.nodeKey);
      const outcomes: BatchClaim[] = new Array<BatchClaim>(batches.length);
      for (const i of order) outcomes[i] = await storeOne(client, batches[i]!);
      await client.query('commit');
      return outcomes;
    } catch (error) {
      if (repeated) await client.query('rollback').catch((e: Error) => (broken = e));
      throw error;
    } finally {
      // A connection that cannot roll back is closed rather than handed to the next transaction.
      client.release(broken);
    }
  };
}

/**
 * How many times prepareSampleBatchStore runs each statement on a connection: PostgreSQL plans a
 * prepared statement afresh for each of its first five runs (custom plans) and chooses at the
 * sixth whether to keep a generic one.
 */
const PREPARE_RUNS = 6;

/**
 * Readies the batch store's connections before the first agent's batch: opens every connection
 * of the pool and runs each statement on each PREPARE_RUNS times, for a node id no node can have
 * (so nothing is written: a batch of a node not enrolled stores nothing). A new connection is a
 * new PostgreSQL backend, which reads the tables' descriptions on its first statements, parses and
 * plans each statement on its first runs: on a loaded 2-core machine the first tens of batches
 * a server just started on PostgreSQL took 20 to 80 ms each (the first second's p99 60 to
 * 118 ms; 18 to 53 ms after this, which takes about a tenth of a second). The pool keeps its
 * connections open (openPostgres), so what was readied stays so. Answers how many connections
 * were readied: 0 on other databases, which need none.
 */
export async function prepareSampleBatchStore(db: Kysely<Database>): Promise<number> {
  const pool = postgresPoolOf(db);
  if (!pool) return 0;
  const batch = prepareBatch();
  const clients = await Promise.all(Array.from({ length: pool.options.max }, () => pool.connect()));
  let broken: Error | undefined;
  try {
    await Promise.all(
      clients.map(async (client) => {
        for (let run = 0; run < PREPARE_RUNS; run++) {
          await storeOne(client, batch(`${run}`));
          await storeGroup(client, [batch(`${run}-a`), batch(`${run}-b`)]);
        }
      }),
    );
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    for (const client of clients) client.release(broken);
  }
  return clients.length;
}

/** A 30-s batch of 8 GPUs (24 rows) of a node no node can have, by id: what prepareSampleBatchStore runs. */
function prepareBatch(): (id: string) => SampleBatch {
  const gpus = Array.from({ length: 8 }, (_, g) => `locus-prepare-${g}`);
  const rows = 3 * gpus.length;
  const cells = new Float64Array(rows * CELLS_PER_ROW);
  for (let r = 0; r < rows; r++) {
    cells[r * CELLS_PER_ROW] = Math.floor(r / gpus.length) * 10_000;
    cells[r * CELLS_PER_ROW + 1] = r % gpus.length;
  }
  const columns: SampleColumns = { gpus, cells, reasons: new Array<null>(rows).fill(null) };
  const series: NodeSeries = { nodeKey: -1, ids: new Map(gpus.map((uuid, g) => [uuid, -1 - g])) };
  return (id) => ({ batchId: `locus-prepare-${id}`, nodeId: 'locus-prepare: no node', receivedAt: 0, series, columns });
}

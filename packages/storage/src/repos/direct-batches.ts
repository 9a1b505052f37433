import type { Kysely } from 'kysely';
import type { SampleColumns } from '@locus/protocol';
import type { Database } from '../schema.js';
import { ROLLUP_BUCKET_MS } from '../telemetry-schema.js';
import { directSqliteOf } from '../dialects/sqlite.js';
import { recomputeRollupsText } from './rollup-sql.js';
import { FOLD_ROLLUPS_SUFFIX, INSERT_SAMPLE, METRIC_COLUMNS, ROLLUP_COLUMNS, walkSampleRows, type NodeSeries } from './sample-rows.js';

/** An agent's batch of samples alone (no events), to store whole or not at all. */
export interface SampleBatch {
  readonly batchId: string;
  readonly nodeId: string;
  /** When the server received it (the claim's time). */
  readonly receivedAt: number;
  readonly series: NodeSeries;
  readonly columns: SampleColumns;
}

/** Stores batches in one transaction; per batch, true when it was new, false for a batch id already stored. */
export type SampleBatchStore = (batches: readonly SampleBatch[]) => Promise<boolean[]>;

const CLAIM = 'insert into ingest_batches (batch_id, node_id, received_at) values (?, ?, ?) on conflict (batch_id) do nothing';
const FOLD_ROLLUP = `insert into gpu_rollups_5m (${ROLLUP_COLUMNS.join(', ')}) values (${ROLLUP_COLUMNS.map(() => '?').join(', ')}) ${FOLD_ROLLUPS_SUFFIX}`;
const RECOMPUTE_BUCKET = recomputeRollupsText(METRIC_COLUMNS, 'node_key = ? and series_id = ? and at >= ? and at < ?');

/**
 * On SQLite, ingest's fast path: batches of samples stored in one transaction run on SQLite's own
 * connection with prepared single-row statements, past Kysely (see DirectSqlite). For each batch,
 * what TelemetryRepo.claimBatch and GpuSampleRepo.addColumns would do in a Kysely transaction:
 * its id claimed (a known id is stored again never), its rows inserted, its readings folded into
 * the rollups (or, where some rows were stored before, the buckets it touched recomputed from raw
 * samples). Statement for statement, Kysely costs as much as SQLite itself for a batch of a few
 * dozen rows. Undefined on other databases: there, a round trip outweighs the builder.
 */
export function sqliteSampleBatchStore(db: Kysely<Database>): SampleBatchStore | undefined {
  const direct = directSqliteOf(db);
  if (!direct) return undefined;
  const claim = direct.statement(CLAIM);
  const insert = direct.statement(INSERT_SAMPLE);
  const fold = direct.statement(FOLD_ROLLUP);
  const recompute = direct.statement(RECOMPUTE_BUCKET);
  const take = (row: readonly unknown[]) => insert(row) > 0;
  const storeOne = ({ batchId, nodeId, receivedAt, series, columns }: SampleBatch): boolean => {
    if (claim([batchId, nodeId, receivedAt]) === 0) return false;
    const { rows, stored, buckets } = walkSampleRows(series, columns, take);
    // Some samples were stored before: adding the batch's sums would count them twice.
    if (stored === rows) for (const bucket of buckets) fold(bucket);
    else for (const bucket of buckets) recompute([series.nodeKey, bucket[2], bucket[1], bucket[1]! + ROLLUP_BUCKET_MS]);
    return true;
  };
  return (batches) => direct.transaction(() => batches.map(storeOne));
}

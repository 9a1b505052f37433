import type { SampleColumns } from '@locus/protocol';
import type { DirectSqlite } from '../dialects/sqlite-file.js';
import { ROLLUP_BUCKET_MS } from '../telemetry-schema.js';
import { recomputeRollupsText } from './rollup-sql.js';
import { FOLD_ROLLUPS_SUFFIX, INSERT_SAMPLE, METRIC_COLUMNS, ROLLUP_COLUMNS, walkSampleRows, type NodeSeries, type RollupBucket } from './sample-rows.js';
import type { BatchClaim } from './telemetry.js';

/**
 * The SQLite batch store on a connection of its own, past Kysely: what the ingest writer's
 * thread runs (sqlite-writer-worker.ts), and the server's thread where it has none. This module
 * imports neither Kysely's dialects nor any database driver, so that the writer's thread loads
 * only what it runs.
 */

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

/** The claim of a batch id (batch id, received at, node id), for a node that is enrolled. */
const CLAIM = 'insert into ingest_batches (batch_id, node_id, received_at) select ?, id, ? from nodes where id = ? and unenrolled_at is null on conflict (batch_id) do nothing';
const ENROLLED = 'select 1 from nodes where id = ? and unenrolled_at is null';
const FOLD_ROLLUP = `insert into gpu_rollups_5m (${ROLLUP_COLUMNS.join(', ')}) values (${ROLLUP_COLUMNS.map(() => '?').join(', ')}) ${FOLD_ROLLUPS_SUFFIX}`;
const RECOMPUTE_BUCKET = recomputeRollupsText(METRIC_COLUMNS, 'node_key = ? and series_id = ? and at >= ? and at < ?');
/** RECOMPUTE_BUCKET's values for a bucket: node key, series, the bucket's start and end. */
const recomputeValues = (nodeKey: number, bucket: RollupBucket): number[] => [nodeKey, bucket[2]!, bucket[1]!, bucket[1]! + ROLLUP_BUCKET_MS];

/**
 * Batches of samples stored in one transaction on `direct`, with prepared single-row statements.
 * For each batch, what TelemetryRepo.claimBatch and GpuSampleRepo.addColumns would do in a Kysely
 * transaction: its id claimed if its node is enrolled (a known id is stored again never), its rows
 * inserted, its readings folded into the rollups (or, where some rows were stored before, the
 * buckets it touched recomputed from raw samples). Statement for statement, Kysely costs as much
 * as SQLite itself for a batch of a few dozen rows.
 */
export function sqliteBatchStoreOn(direct: DirectSqlite): SampleBatchStore {
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

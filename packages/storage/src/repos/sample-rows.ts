import { CELLS_PER_ROW, sampleColumns, type GpuMetricsWire, type SampleColumns } from '@locus/protocol';
import { GPU_METRICS, GPU_METRIC_COLUMNS, ROLLUP_BUCKET_MS } from '../telemetry-schema.js';
import { mergeRollup, rollupColumnsOf } from './rollup-sql.js';

/**
 * Raw sample rows and their 5-minute rollup buckets as the telemetry store writes them, shared
 * by the store's two ways in: GpuSampleRepo.addColumns (any database, in a Kysely transaction)
 * and the SQLite batch store (direct-batches.ts).
 */

export const METRIC_COLUMNS = GPU_METRICS.map((m) => GPU_METRIC_COLUMNS[m]);
/** The columns of a raw sample row, in the order of gpuSampleRow's values. */
export const GPU_SAMPLE_COLUMNS: readonly string[] = ['node_key', 'at', 'series_id', ...METRIC_COLUMNS, 'clock_event_reasons'];
/** The columns of a rollup bucket, in the order of a bucket's values. */
export const ROLLUP_COLUMNS: readonly string[] = ['node_key', 'bucket_at', 'series_id', ...rollupColumnsOf(METRIC_COLUMNS)];
/** One raw sample row; a row already stored breaks the primary key. */
export const INSERT_SAMPLE = `insert into gpu_samples (${GPU_SAMPLE_COLUMNS.join(', ')}) values (${GPU_SAMPLE_COLUMNS.map(() => '?').join(', ')})`;

/** What follows a multi-row insert of buckets: each folded into the stored one (see mergeRollup). */
export const FOLD_ROLLUPS_SUFFIX = `on conflict (node_key, bucket_at, series_id) do update set ${mergeRollup(METRIC_COLUMNS, 'gpu_rollups_5m')}`;

/** A node's GPU series: the key its rows lead with, and each GPU's series id. */
export interface NodeSeries {
  readonly nodeKey: number;
  readonly ids: ReadonlyMap<string, number>;
}

/** A rollup bucket being folded: values in ROLLUP_COLUMNS order. */
export type RollupBucket = (number | null)[];

/** A raw sample as stored: values in GPU_SAMPLE_COLUMNS order. */
export function gpuSampleRow(nodeKey: number, seriesId: number, at: number, gpu: GpuMetricsWire): unknown[] {
  const { cells, reasons } = sampleColumns([{ at, gpus: [gpu] }]);
  return [nodeKey, at, seriesId, ...[...cells.subarray(2)].map((v) => (Number.isNaN(v) ? null : v)), reasons[0]];
}

/**
 * Walks a batch's samples as raw rows, handing each to `take` (true: stored), and folds every
 * reading into its GPU's 5-minute bucket. `take` gets the same array, refilled, for every row:
 * it must bind or copy the values before it returns. Returns how many rows there were, how many
 * `take` stored, and the buckets the batch touched.
 */
export function walkSampleRows(series: NodeSeries, columns: SampleColumns, take: (row: readonly unknown[]) => boolean): { rows: number; stored: number; buckets: RollupBucket[] } {
  const { nodeKey } = series;
  const { cells, reasons } = columns;
  const ids = columns.gpus.map((uuid) => {
    const id = series.ids.get(uuid);
    if (id === undefined) throw new Error(`no series id for GPU ${uuid}`);
    return id;
  });
  const rows = reasons.length;
  const buckets: RollupBucket[] = [];
  const row: unknown[] = new Array<unknown>(GPU_SAMPLE_COLUMNS.length);
  row[0] = nodeKey;
  const last = GPU_SAMPLE_COLUMNS.length - 1;
  let stored = 0;
  // Each GPU's buckets by start, and its current one: rows come instant by instant, so most find theirs there.
  const byStart: Map<number, RollupBucket>[] = ids.map(() => new Map());
  const current: (RollupBucket | undefined)[] = new Array<RollupBucket | undefined>(ids.length);
  for (let r = 0; r < rows; r++) {
    const o = r * CELLS_PER_ROW;
    const at = cells[o]!;
    const gpu = cells[o + 1]!;
    const seriesId = ids[gpu]!;
    const bucketAt = at - (at % ROLLUP_BUCKET_MS);
    let bucket = current[gpu];
    if (bucket === undefined || bucket[1] !== bucketAt) {
      bucket = byStart[gpu]!.get(bucketAt);
      if (!bucket) {
        buckets.push((bucket = emptyBucket(nodeKey, bucketAt, seriesId)));
        byStart[gpu]!.set(bucketAt, bucket);
      }
      current[gpu] = bucket;
    }
    row[1] = at;
    row[2] = seriesId;
    for (let i = 0; i < GPU_METRICS.length; i++) {
      const v = cells[o + 2 + i]!;
      if (Number.isNaN(v)) row[3 + i] = null;
      else {
        row[3 + i] = v;
        foldInto(bucket, 3 + 4 * i, v);
      }
    }
    row[last] = reasons[r];
    if (take(row)) stored++;
  }
  return { rows, stored, buckets };
}

const emptyBucket = (nodeKey: number, bucketAt: number, seriesId: number): RollupBucket => {
  const bucket: RollupBucket = [nodeKey, bucketAt, seriesId];
  for (let i = 0; i < GPU_METRICS.length; i++) bucket.push(null, null, 0, 0);
  return bucket;
};

/** Adds a reading to a bucket's min, max, sum and count, which start at `at`. */
function foldInto(bucket: RollupBucket, at: number, v: number): void {
  const min = bucket[at];
  const max = bucket[at + 1];
  if (min === null || min === undefined || v < min) bucket[at] = v;
  if (max === null || max === undefined || v > max) bucket[at + 1] = v;
  bucket[at + 2] = (bucket[at + 2] as number) + v;
  bucket[at + 3] = (bucket[at + 3] as number) + 1;
}

/**
 * The GPU telemetry store's tables (migration 0009): an integer per GPU series, raw samples one
 * row per GPU per instant with a column per reading, and 5-minute rollups. Samples and rollups
 * are keyed by (node key, time, series): a batch of one host's GPUs lands on one or two pages
 * rather than one per GPU, which halved the cost of storing it, and a node's range is one scan.
 */
import { GPU_READINGS } from '@locus/protocol';

/** The numeric readings stored per sample and rolled up, by their wire names (GpuMetricsWire), in column order. */
export const GPU_METRICS = GPU_READINGS;
export type GpuMetric = (typeof GPU_METRICS)[number];

/** Each reading's column; `remappedRowsPending` is stored as 0 or 1, so that it rolls up too. */
export const GPU_METRIC_COLUMNS = {
  temperatureC: 'temperature_c',
  memoryTemperatureC: 'memory_temperature_c',
  powerDrawW: 'power_draw_w',
  powerLimitW: 'power_limit_w',
  energyMj: 'energy_mj',
  smClockMHz: 'sm_clock_mhz',
  memoryClockMHz: 'memory_clock_mhz',
  gpuUtilizationPct: 'gpu_utilization_pct',
  memoryUtilizationPct: 'memory_utilization_pct',
  framebufferUsedMiB: 'framebuffer_used_mib',
  framebufferTotalMiB: 'framebuffer_total_mib',
  eccVolatileUncorrected: 'ecc_volatile_uncorrected',
  eccAggregateUncorrected: 'ecc_aggregate_uncorrected',
  remappedRowsPending: 'remapped_rows_pending',
  pcieReplayCounter: 'pcie_replay_counter',
} as const satisfies Record<GpuMetric, string>;
export type GpuMetricColumn = (typeof GPU_METRIC_COLUMNS)[GpuMetric];

/** The width of a rollup bucket; buckets start at multiples of it since the epoch. */
export const ROLLUP_BUCKET_MS = 5 * 60_000;

/** One GPU of one node. Rows are never deleted (a node's history outlives its agent). */
export interface GpuSeriesTable {
  id: number;
  node_id: string;
  gpu_uuid: string;
  /** The same for every GPU of a node. */
  node_key: number;
}

export type GpuSampleTable = {
  node_key: number;
  at: number;
  series_id: number;
  /** The active clock-event (throttle) reasons, JSON; not rolled up. */
  clock_event_reasons: string | null;
} & { [C in GpuMetricColumn]: number | null };

/** Per metric: min and max (null when no sample in the bucket had the reading), sum and count. */
export type GpuRollupTable = {
  node_key: number;
  bucket_at: number;
  series_id: number;
} & { [C in GpuMetricColumn as `${C}_min` | `${C}_max`]: number | null } & { [C in GpuMetricColumn as `${C}_sum` | `${C}_count`]: number };

export interface TelemetryTables {
  gpu_series: GpuSeriesTable;
  gpu_samples: GpuSampleTable;
  gpu_rollups_5m: GpuRollupTable;
}

import type { GpuMetricsWire } from './agent.js';

/**
 * The numeric readings of a GPU sample, in the order telemetry stores them (remappedRowsPending
 * as 0 or 1, so that it rolls up too).
 */
export const GPU_READINGS = [
  'temperatureC',
  'memoryTemperatureC',
  'powerDrawW',
  'powerLimitW',
  'energyMj',
  'smClockMHz',
  'memoryClockMHz',
  'gpuUtilizationPct',
  'memoryUtilizationPct',
  'framebufferUsedMiB',
  'framebufferTotalMiB',
  'eccVolatileUncorrected',
  'eccAggregateUncorrected',
  'remappedRowsPending',
  'pcieReplayCounter',
] as const;
export type GpuReading = (typeof GPU_READINGS)[number];

/** Numbers per row of SampleColumns.cells: the instant, the GPU's index in `gpus`, then GPU_READINGS. */
export const CELLS_PER_ROW = 2 + GPU_READINGS.length;

/**
 * A batch's samples as columns, one row per GPU per instant: numbers in one Float64Array (which
 * moves between threads without being copied) and the few texts beside it. This is the form
 * the server stores samples from.
 */
export interface SampleColumns {
  /** The GPUs the rows name by index, in order of first appearance. */
  readonly gpus: readonly string[];
  /** CELLS_PER_ROW numbers a row: time (ms since the epoch), GPU index, readings (NaN where null). */
  readonly cells: Float64Array;
  /** Per row: the clock event reasons as JSON text, or null. */
  readonly reasons: readonly (string | null)[];
}

const cell = (v: number | null): number => (v === null ? Number.NaN : v);

/** The columns of instants' readings (each instant's time in ms since the epoch). */
export function sampleColumns(instants: readonly { readonly at: number; readonly gpus: readonly GpuMetricsWire[] }[]): SampleColumns {
  let rows = 0;
  for (const s of instants) rows += s.gpus.length;
  const cells = new Float64Array(rows * CELLS_PER_ROW);
  const reasons: (string | null)[] = new Array<string | null>(rows);
  const gpus: string[] = [];
  const indexOf = new Map<string, number>();
  let r = 0;
  for (const { at, gpus: readings } of instants) {
    for (const g of readings) {
      let gpu = indexOf.get(g.uuid);
      if (gpu === undefined) {
        gpu = gpus.length;
        gpus.push(g.uuid);
        indexOf.set(g.uuid, gpu);
      }
      // By name, in GPU_READINGS order (a test keeps the two in step): named reads stay fast
      // where a loop over the names does not.
      const o = r * CELLS_PER_ROW;
      cells[o] = at;
      cells[o + 1] = gpu;
      cells[o + 2] = cell(g.temperatureC);
      cells[o + 3] = cell(g.memoryTemperatureC);
      cells[o + 4] = cell(g.powerDrawW);
      cells[o + 5] = cell(g.powerLimitW);
      cells[o + 6] = cell(g.energyMj);
      cells[o + 7] = cell(g.smClockMHz);
      cells[o + 8] = cell(g.memoryClockMHz);
      cells[o + 9] = cell(g.gpuUtilizationPct);
      cells[o + 10] = cell(g.memoryUtilizationPct);
      cells[o + 11] = cell(g.framebufferUsedMiB);
      cells[o + 12] = cell(g.framebufferTotalMiB);
      cells[o + 13] = cell(g.eccVolatileUncorrected);
      cells[o + 14] = cell(g.eccAggregateUncorrected);
      cells[o + 15] = g.remappedRowsPending === null ? Number.NaN : g.remappedRowsPending ? 1 : 0;
      cells[o + 16] = cell(g.pcieReplayCounter);
      const list = g.clockEventReasons;
      reasons[r] = list === null ? null : list.length === 0 ? '[]' : JSON.stringify(list);
      r++;
    }
  }
  return { gpus, cells, reasons };
}

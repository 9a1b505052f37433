import { describe, expect, it } from 'vitest';
import { GpuMetricsWire } from '@locus/protocol';
import { GPU_METRIC_COLUMNS, GPU_METRICS } from '../telemetry-schema.js';
import { GPU_SAMPLE_COLUMNS, gpuSampleRow } from './gpu-samples.js';

const NODE_KEY = 987_654_321;
const SERIES_ID = 123_456_789_012;
const AT = Date.parse('2026-11-29T03:14:41.123Z');

const column = (name: string): number => {
  const at = GPU_SAMPLE_COLUMNS.indexOf(name);
  expect(at, `column ${name}`).toBeGreaterThanOrEqual(0);
  return at;
};

/** A GPU whose every numeric reading is its own value (101, 102, …), so that a swap shows. */
function distinctGpu(): GpuMetricsWire {
  const readings = Object.fromEntries(GPU_METRICS.filter((m) => m !== 'remappedRowsPending').map((m, i) => [m, 101 + i]));
  return GpuMetricsWire.parse({ uuid: 'GPU-0', ...readings, remappedRowsPending: true, clockEventReasons: ['SwPowerCap'] });
}

function nullGpu(): GpuMetricsWire {
  const readings = Object.fromEntries(GPU_METRICS.map((m) => [m, null]));
  return GpuMetricsWire.parse({ uuid: 'GPU-0', ...readings, clockEventReasons: null });
}

describe('gpuSampleRow', () => {
  it('stores every reading of the wire but the UUID, and only those', () => {
    const stored = [...GPU_METRICS, 'clockEventReasons', 'uuid'].sort();
    expect(Object.keys(GpuMetricsWire.shape).sort()).toEqual(stored);
    expect(GPU_SAMPLE_COLUMNS).toEqual(['node_key', 'at', 'series_id', ...GPU_METRICS.map((m) => GPU_METRIC_COLUMNS[m]), 'clock_event_reasons']);
    expect(new Set(GPU_SAMPLE_COLUMNS).size).toBe(GPU_SAMPLE_COLUMNS.length);
  });

  it('puts each reading in the column GPU_SAMPLE_COLUMNS names for it', () => {
    const gpu = distinctGpu();
    const row = gpuSampleRow(NODE_KEY, SERIES_ID, AT, gpu);
    expect(row).toHaveLength(GPU_SAMPLE_COLUMNS.length);
    expect(row[column('node_key')]).toBe(NODE_KEY);
    expect(row[column('at')]).toBe(AT);
    expect(row[column('series_id')]).toBe(SERIES_ID);
    for (const m of GPU_METRICS) {
      const expected = m === 'remappedRowsPending' ? 1 : gpu[m];
      expect({ metric: m, value: row[column(GPU_METRIC_COLUMNS[m])] }).toEqual({ metric: m, value: expected });
    }
    expect(row[column('clock_event_reasons')]).toBe('["SwPowerCap"]');
  });

  it('keeps each reading in its column whatever the values (each metric alone set)', () => {
    for (const m of GPU_METRICS) {
      const gpu = { ...nullGpu(), [m]: m === 'remappedRowsPending' ? true : 42.5 } as GpuMetricsWire;
      const row = gpuSampleRow(NODE_KEY, SERIES_ID, AT, gpu);
      const set = GPU_SAMPLE_COLUMNS.filter((_, i) => i > 2 && row[i] !== null);
      expect({ metric: m, set }).toEqual({ metric: m, set: [GPU_METRIC_COLUMNS[m]] });
    }
  });

  it('stores remappedRowsPending as 0 or 1 and the reasons as JSON text', () => {
    const row = gpuSampleRow(NODE_KEY, SERIES_ID, AT, { ...distinctGpu(), remappedRowsPending: false, clockEventReasons: [] });
    expect(row[column('remapped_rows_pending')]).toBe(0);
    expect(row[column('clock_event_reasons')]).toBe('[]');
    const several = gpuSampleRow(NODE_KEY, SERIES_ID, AT, { ...distinctGpu(), clockEventReasons: ['SwPowerCap', 'HwSlowdown "quoted"'] });
    expect(JSON.parse(several[column('clock_event_reasons')] as string)).toEqual(['SwPowerCap', 'HwSlowdown "quoted"']);
  });

  it('stores null for every reading the GPU does not report', () => {
    const row = gpuSampleRow(NODE_KEY, SERIES_ID, AT, nullGpu());
    for (const m of GPU_METRICS) expect({ metric: m, value: row[column(GPU_METRIC_COLUMNS[m])] }).toEqual({ metric: m, value: null });
    expect(row[column('clock_event_reasons')]).toBeNull();
    expect(row.slice(0, 3)).toEqual([NODE_KEY, AT, SERIES_ID]);
  });
});

import type { Sample, SampleMetrics } from '../../api/types.js';

export const CHARTED = [
  { metric: 'temperatureC', title: 'Temperature', unit: '°C' },
  { metric: 'powerDrawW', title: 'Power', unit: 'W' },
  { metric: 'smClockMHz', title: 'SM clock', unit: 'MHz' },
  { metric: 'gpuUtilizationPct', title: 'Utilization', unit: '%' },
  { metric: 'framebufferUsedMiB', title: 'Framebuffer used', unit: 'MiB' },
] as const satisfies readonly { metric: keyof SampleMetrics; title: string; unit: string }[];

export type ChartedMetric = (typeof CHARTED)[number]['metric'];

export interface AlignedSeries {
  /** Unix seconds, ascending: uPlot's x axis. */
  readonly x: number[];
  /** One array per GPU, aligned with `x`; null where that GPU has no reading then. */
  readonly ys: (number | null)[][];
}

/** Samples of several GPUs on one time axis (the union of their times), one series per GPU in `gpus` order. */
export function alignSeries(samples: ReadonlyMap<string, readonly Sample[]>, gpus: readonly string[], metric: ChartedMetric): AlignedSeries {
  const times = new Set<number>();
  const byGpu = gpus.map((gpu) => {
    const values = new Map<number, number | null>();
    for (const s of samples.get(gpu) ?? []) {
      const t = Math.round(Date.parse(s.at) / 1000);
      times.add(t);
      values.set(t, s.metrics[metric] ?? null);
    }
    return values;
  });
  const x = [...times].sort((a, b) => a - b);
  return { x, ys: byGpu.map((values) => x.map((t) => values.get(t) ?? null)) };
}

/**
 * Adds newly fetched samples to those kept, once each (refetches overlap), dropping what is
 * older than `floorMs`. Returns `kept` itself when nothing changed.
 */
export function mergeSamples(kept: readonly Sample[], fresh: readonly Sample[], floorMs: number): readonly Sample[] {
  const seen = new Set(kept.map((s) => s.at));
  const added = fresh.filter((s) => !seen.has(s.at));
  const first = kept[0];
  if (added.length === 0 && (!first || Date.parse(first.at) >= floorMs)) return kept;
  return [...kept, ...added].filter((s) => Date.parse(s.at) >= floorMs).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

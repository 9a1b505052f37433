import type { AlignedSeries } from './series.js';

/** One series of `GET /api/v1/nodes/{id}/telemetry`: a GPU's points over a range. */
export interface TelemetrySeries {
  readonly gpu: string | null;
  readonly points: readonly { readonly at: string; readonly min: number; readonly avg: number; readonly max: number; readonly count: number }[];
}

/** Telemetry series on one time axis (the union of their points' times), the mean of each point, one series per GPU in `gpus` order. */
export function alignTelemetry(series: readonly TelemetrySeries[], gpus: readonly string[]): AlignedSeries {
  const times = new Set<number>();
  const byGpu = new Map(
    series.map((s) => {
      const values = new Map<number, number>();
      for (const p of s.points) {
        const t = Math.round(Date.parse(p.at) / 1000);
        times.add(t);
        values.set(t, p.avg);
      }
      return [s.gpu, values] as const;
    }),
  );
  const x = [...times].sort((a, b) => a - b);
  return { x, ys: gpus.map((gpu) => x.map((t) => byGpu.get(gpu)?.get(t) ?? null)) };
}

import { useMemo } from 'react';
import { MetricChart } from '../../charts/MetricChart.js';
import { Empty } from '../../components/Status.js';
import type { GpuEntry } from './gpus.js';
import { alignSeries, CHARTED, type AlignedSeries, type ChartedMetric } from './series.js';
import type { SamplesByGpu } from './useNodeSamples.js';

/** Raw samples as the charts' series, one per GPU in `gpus` order. */
export function samplesSeries(samples: SamplesByGpu, gpus: readonly string[]): ReadonlyMap<ChartedMetric, AlignedSeries> {
  return new Map(CHARTED.map((c) => [c.metric, alignSeries(samples, gpus, c.metric)]));
}

/** Each charted metric, one line per GPU. */
export function MetricCharts({ series, gpus, period, span }: { readonly series: ReadonlyMap<ChartedMetric, AlignedSeries>; readonly gpus: readonly GpuEntry[]; readonly period: string; readonly span?: readonly [number, number] }) {
  const labels = useMemo(() => gpus.map((g) => g.label), [gpus]);
  if (CHARTED.every((c) => (series.get(c.metric)?.x.length ?? 0) === 0)) return <Empty>No readings in the last {period}.</Empty>;
  return (
    <div className="charts">
      {CHARTED.map((c) => {
        const s = series.get(c.metric) ?? { x: [], ys: [] };
        return <MetricChart key={c.metric} title={c.title} unit={c.unit} labels={labels} x={s.x} ys={s.ys} span={span} />;
      })}
    </div>
  );
}

import { useMemo } from 'react';
import { MetricChart } from '../../charts/MetricChart.js';
import { Empty } from '../../components/Status.js';
import type { GpuEntry } from './gpus.js';
import { alignSeries, CHARTED } from './series.js';
import type { SamplesByGpu } from './useNodeSamples.js';

/** The last hour of each charted metric, one line per GPU. */
export function MetricCharts({ samples, gpus }: { readonly samples: SamplesByGpu; readonly gpus: readonly GpuEntry[] }) {
  const uuids = useMemo(() => gpus.map((g) => g.uuid), [gpus]);
  const labels = useMemo(() => gpus.map((g) => g.label), [gpus]);
  const series = useMemo(() => CHARTED.map((c) => ({ ...c, ...alignSeries(samples, uuids, c.metric) })), [samples, uuids]);
  if ((series[0]?.x.length ?? 0) === 0) return <Empty>No samples in the last hour.</Empty>;
  return (
    <div className="charts">
      {series.map((s) => (
        <MetricChart key={s.metric} title={s.title} unit={s.unit} labels={labels} x={s.x} ys={s.ys} />
      ))}
    </div>
  );
}

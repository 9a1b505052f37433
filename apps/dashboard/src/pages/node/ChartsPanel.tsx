import { useMemo } from 'react';
import { Async } from '../../components/Status.js';
import { navigate } from '../../router/history.js';
import { CHART_RANGE_NAMES, type ChartRange } from '../../router/routes.js';
import type { GpuEntry } from './gpus.js';
import { MetricCharts, samplesSeries } from './MetricCharts.js';
import { useNodeSamples } from './useNodeSamples.js';
import { useNodeTelemetry } from './useNodeTelemetry.js';

function LastHour({ nodeId, gpus }: { readonly nodeId: string; readonly gpus: readonly GpuEntry[] }) {
  const uuids = useMemo(() => gpus.map((g) => g.uuid), [gpus]);
  const samples = useNodeSamples(nodeId, uuids);
  const series = useMemo(() => (samples.data ? samplesSeries(samples.data, uuids) : undefined), [samples.data, uuids]);
  return <Async state={{ ...samples, data: series }} what="samples">{(s) => <MetricCharts series={s} gpus={gpus} period="hour" />}</Async>;
}

function LongerRange({ nodeId, gpus, range }: { readonly nodeId: string; readonly gpus: readonly GpuEntry[]; readonly range: Exclude<ChartRange, 'hour'> }) {
  const telemetry = useNodeTelemetry(nodeId, range, useMemo(() => gpus.map((g) => g.uuid), [gpus]));
  return <Async state={telemetry} what="telemetry">{(t) => <MetricCharts series={t.series} span={t.span} gpus={gpus} period={range} />}</Async>;
}

/**
 * Temperature, power, SM clock, utilization and memory of the GPUs over the last hour (raw
 * samples, refreshed with only what is new), day or week (5-minute means from the server's
 * rollups). The range is the page's URL's (`?range=day`), so a link shows what its sender saw;
 * choosing another replaces the URL, without a history entry of its own.
 */
export function ChartsPanel({ nodeId, gpus, range, rangeHref }: { readonly nodeId: string; readonly gpus: readonly GpuEntry[]; readonly range: ChartRange; readonly rangeHref: (range: ChartRange) => string }) {
  return (
    <section className="panel" aria-label="Charts">
      <div className="page-head">
        <h2>Last {range}</h2>
        <div className="actions" role="group" aria-label="Range">
          {CHART_RANGE_NAMES.map((r) => (
            <button key={r} type="button" className={r === range ? undefined : 'secondary'} aria-pressed={r === range} onClick={() => navigate(rangeHref(r), { replace: true })}>
              {r}
            </button>
          ))}
        </div>
      </div>
      {gpus.length === 0 ? (
        <p className="status empty">No GPU answers now.</p>
      ) : range === 'hour' ? (
        <LastHour nodeId={nodeId} gpus={gpus} />
      ) : (
        <LongerRange nodeId={nodeId} gpus={gpus} range={range} />
      )}
    </section>
  );
}

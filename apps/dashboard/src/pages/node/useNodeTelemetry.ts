import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import { usePoll, type PollState } from '../../hooks/usePoll.js';
import { CHARTED, type AlignedSeries, type ChartedMetric } from './series.js';
import { alignTelemetry, type TelemetrySeries } from './telemetry.js';
import type { ChartRange } from '../../router/routes.js';

/** Each chart range's length. */
export const CHART_RANGES: Readonly<Record<ChartRange, number>> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };

export interface ChartedSeries {
  readonly series: ReadonlyMap<ChartedMetric, AlignedSeries>;
  /** The range asked for, Unix seconds. */
  readonly span: readonly [number, number];
}

/** Each charted metric over the last day or week, from the server's rollups: one request per metric, a line per GPU. */
export function useNodeTelemetry(nodeId: string, range: Exclude<ChartRange, 'hour'>, gpus: readonly string[]): PollState<ChartedSeries> {
  const api = useApi();
  return usePoll(`telemetry:${nodeId}:${range}:${gpus.join(',')}`, async (signal) => {
    const to = new Date();
    const from = new Date(to.getTime() - CHART_RANGES[range]);
    const answers = await Promise.all(
      CHARTED.map(async (c) => {
        const { series } = await api.get<{ series: TelemetrySeries[] }>(paths.telemetry(nodeId), { signal, query: { metric: c.metric, from: from.toISOString(), to: to.toISOString() } });
        return [c.metric, alignTelemetry(series, gpus)] as const;
      }),
    );
    return { series: new Map(answers), span: [from.getTime() / 1000, to.getTime() / 1000] as const };
  });
}

import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import type { Sample } from '../../api/types.js';
import { usePoll, type PollState } from '../../hooks/usePoll.js';
import { mergeSamples } from './series.js';

export const WINDOW_MS = 60 * 60 * 1000;
/** Samples can arrive late (an agent's outbox after an outage): each refresh re-reads this far back. */
const OVERLAP_MS = 2 * 60 * 1000;

export type SamplesByGpu = ReadonlyMap<string, readonly Sample[]>;

/** The last hour of samples of each GPU; refreshes fetch only what is new. */
export function useNodeSamples(nodeId: string, gpus: readonly string[]): PollState<SamplesByGpu> {
  const api = useApi();
  return usePoll(`samples:${nodeId}:${gpus.join(',')}`, async (signal, previous: SamplesByGpu | undefined) => {
    const now = new Date().getTime();
    const floor = now - WINDOW_MS;
    const next = new Map<string, readonly Sample[]>();
    await Promise.all(
      gpus.map(async (gpu) => {
        const kept = previous?.get(gpu) ?? [];
        const last = kept.at(-1);
        const since = last ? Math.max(floor, Date.parse(last.at) - OVERLAP_MS) : floor;
        const { samples } = await api.get<{ samples: Sample[] }>(paths.samples(nodeId), { signal, query: { since: new Date(since).toISOString(), gpu, limit: 10_000 } });
        next.set(gpu, mergeSamples(kept, samples, floor));
      }),
    );
    return next;
  });
}

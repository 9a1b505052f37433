import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import type { NodeEvent } from '../../api/types.js';
import { usePoll, type PollState } from '../../hooks/usePoll.js';

/** Events can arrive late (an agent's outbox after an outage): each refresh re-reads this far back. */
const OVERLAP_MS = 10 * 60 * 1000;

/** Adds fetched events to those kept, once each by id, oldest first; `kept` itself when none is new. */
export function mergeEvents(kept: readonly NodeEvent[], fresh: readonly NodeEvent[]): readonly NodeEvent[] {
  const seen = new Set(kept.map((e) => e.id));
  const added = fresh.filter((e) => !seen.has(e.id));
  if (added.length === 0) return kept;
  return [...kept, ...added].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/**
 * All of a node's events (health needs each component's latest state, however old), oldest
 * first; refreshes fetch only the recent ones.
 */
export function useNodeEvents(nodeId: string): PollState<readonly NodeEvent[]> {
  const api = useApi();
  return usePoll(`events:${nodeId}`, async (signal, previous: readonly NodeEvent[] | undefined) => {
    const last = previous?.at(-1);
    const since = last ? new Date(Date.parse(last.at) - OVERLAP_MS).toISOString() : undefined;
    const { events } = await api.get<{ events: NodeEvent[] }>(paths.events(nodeId), { signal, query: { since, limit: 10_000 } });
    return mergeEvents(previous ?? [], events);
  });
}

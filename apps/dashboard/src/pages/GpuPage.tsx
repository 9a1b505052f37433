import { useMemo } from 'react';
import { useApi } from '../api/context.js';
import { paths } from '../api/paths.js';
import type { NodeInfo, NodeInventory } from '../api/types.js';
import { Async, Empty } from '../components/Status.js';
import { HealthBadge } from '../components/VerdictBadge.js';
import { time } from '../components/format.js';
import { usePoll } from '../hooks/usePoll.js';
import { Link } from '../router/Link.js';
import { hrefOf, withChartRange, type ChartRange } from '../router/routes.js';
import { EventsTimeline } from './node/EventsTimeline.js';
import { gpuEntries, gpuLabeller } from './node/gpus.js';
import { gpuHealth, latestHealth } from './node/health.js';
import { ChartsPanel } from './node/ChartsPanel.js';
import { useNodeEvents } from './node/useNodeEvents.js';

const gpuOf = (body: unknown): unknown => (typeof body === 'object' && body !== null ? (body as { gpu?: unknown }).gpu : undefined);

/** `/nodes/{id}/gpus/{uuid}[?range=day|week]`: one GPU: what it is, each component's latest state with its suggested action, its charts and its events. */
export function GpuPage({ id, uuid, range }: { readonly id: string; readonly uuid: string; readonly range: ChartRange }) {
  const api = useApi();
  const node = usePoll(`gpu-node:${id}`, async (signal) => {
    const [info, inventory] = await Promise.all([api.get<NodeInfo>(paths.node(id), { signal }), api.get<NodeInventory>(paths.inventory(id), { signal })]);
    return { info, inventory };
  });
  const events = useNodeEvents(id);
  const mine = useMemo(() => (events.data ?? []).filter((e) => gpuOf(e.body) === uuid), [events.data, uuid]);
  const states = useMemo(() => latestHealth(mine), [mine]);
  return (
    <Async state={node} what="the GPU">
      {({ info, inventory }) => {
        const entries = gpuEntries(inventory, mine.length > 0 ? [uuid] : []);
        const gpu = entries.find((g) => g.uuid === uuid);
        if (!gpu) return <Empty>Node {info.name} has not reported a GPU {uuid}.</Empty>;
        const record = inventory.gpus.find((g) => g.uuid === uuid);
        const health = gpuHealth(states, uuid);
        return (
          <>
            <h1>
              {gpu.label} of <Link href={hrefOf({ page: 'node', id })}>{info.name}</Link> <HealthBadge value={health.health} />
            </h1>
            <section className="panel" aria-label="GPU">
              <dl className="facts">
                {[
                  ['Model', gpu.name],
                  ['UUID', gpu.uuid],
                  ['Serial', gpu.serial ?? '—'],
                  ['PCI bus', gpu.pciBusId ?? '—'],
                  ['First seen', record ? time(record.firstSeenAt) : '—'],
                  ['Last sample', !record ? '—' : record.lastSampleAt ? time(record.lastSampleAt) : 'none kept'],
                  ...(record?.missingSince ? [['Missing since', time(record.missingSince)]] : []),
                ].map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            </section>
            <section className="panel" aria-label="Components">
              <h2>Components</h2>
              {states.length === 0 ? (
                <Empty>No component has reported a problem: healthy.</Empty>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th>Component</th>
                      <th>Health</th>
                      <th>Reason</th>
                      <th>Suggested action</th>
                    </tr>
                  </thead>
                  <tbody>
                    {states.map((s) => (
                      <tr key={s.component}>
                        <td>{s.component}</td>
                        <td>
                          <HealthBadge value={s.health} />
                        </td>
                        <td>{s.reason || '—'}</td>
                        <td>{s.suggestedAction && s.suggestedAction !== 'none' ? s.suggestedAction.replaceAll('_', ' ') : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            {gpu.current ? (
              <ChartsPanel nodeId={id} gpus={[gpu]} range={range} rangeHref={(r) => hrefOf(withChartRange({ page: 'gpu', id, uuid }, r))} />
            ) : (
              <section className="panel" aria-label="Charts">
                <Empty>This GPU does not answer now.</Empty>
              </section>
            )}
            <section className="panel" aria-label="Events">
              <h2>Events</h2>
              <Async state={events} what="events" isEmpty={() => mine.length === 0} empty="No events of this GPU yet.">
                {() => <EventsTimeline events={mine} gpuLabel={gpuLabeller(entries)} />}
              </Async>
            </section>
          </>
        );
      }}
    </Async>
  );
}

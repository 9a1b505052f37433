import { useMemo } from 'react';
import { useApi } from '../api/context.js';
import { paths } from '../api/paths.js';
import type { NodeDetail, NodeInventory, NodeRegion, NodeVerdict, ZoneDetail } from '../api/types.js';
import { Async } from '../components/Status.js';
import { RestrictedBadge } from '../components/VerdictBadge.js';
import { usePoll } from '../hooks/usePoll.js';
import { hrefOf, withChartRange, type ChartRange } from '../router/routes.js';
import { EventsTimeline } from './node/EventsTimeline.js';
import { GpuTable } from './node/GpuTable.js';
import { gpuEntries, gpuLabeller, type GpuEntry } from './node/gpus.js';
import { latestHealth } from './node/health.js';
import { HostPanel } from './node/HostPanel.js';
import { ChartsPanel } from './node/ChartsPanel.js';
import { ProofButton } from './node/ProofButton.js';
import { RegionPanel } from './node/RegionPanel.js';
import { useNodeEvents } from './node/useNodeEvents.js';
import { VerdictPanel } from './node/VerdictPanel.js';
import { VerdictHistory } from './zone/VerdictHistory.js';

const NO_GPUS: readonly GpuEntry[] = [];

/** `/nodes/{id}[?range=day|week]`: the host and its GPUs, the verdict in words, the region, the verdict history with proofs, health, charts and events. */
export function NodePage({ id, range }: { readonly id: string; readonly range: ChartRange }) {
  const api = useApi();
  const node = usePoll(`node:${id}`, async (signal) => {
    const [info, inventory] = await Promise.all([api.get<NodeDetail>(paths.node(id), { signal }), api.get<NodeInventory>(paths.inventory(id), { signal })]);
    const zoneName = info.zoneId ? (await api.get<ZoneDetail>(paths.zone(info.zoneId), { signal })).name : null;
    return { info, inventory, zoneName };
  });
  const verdict = usePoll(`verdict:${id}`, (signal) => api.get<NodeVerdict>(paths.verdict(id), { signal }));
  const region = usePoll(`region:${id}`, (signal) => api.get<NodeRegion>(paths.region(id), { signal }));
  const events = useNodeEvents(id);
  const inventory = node.data?.inventory;
  const states = useMemo(() => latestHealth(events.data ?? []), [events.data]);
  const healthGpus = states.flatMap((s) => (s.gpu ? [s.gpu] : [])).join(',');
  const gpus = useMemo(() => (inventory ? gpuEntries(inventory, healthGpus ? healthGpus.split(',') : []) : NO_GPUS), [inventory, healthGpus]);
  const current = useMemo(() => gpus.filter((g) => g.current), [gpus]);
  const name = node.data?.info.name ?? id;

  return (
    <Async state={node} what="the node">
      {({ info, inventory: inv, zoneName }) => (
        <>
          <div className="page-head">
            <h1>
              Node {info.name} <RestrictedBadge value={verdict.data?.verdict.restricted} />
            </h1>
            <ProofButton nodeId={id} name={info.name} />
          </div>
          <div className="columns">
            <Async state={verdict} what="the verdict">
              {(v) => <VerdictPanel verdict={v} />}
            </Async>
            <HostPanel node={info} inventory={inv} zoneName={zoneName} now={node.updatedAt ?? new Date()} />
          </div>
          <Async state={region} what="the region">
            {(r) => <RegionPanel name={name} region={r} verdict={verdict.data?.verdict.restricted ?? null} />}
          </Async>
          <section className="panel" aria-label="Verdict history">
            <h2>Verdict history</h2>
            <VerdictHistory nodes={[{ nodeId: id, name: info.name }]} />
          </section>
          <section className="panel" aria-label="GPUs">
            <h2>GPUs</h2>
            {gpus.length === 0 ? <p className="status empty">No GPUs reported.</p> : <GpuTable nodeId={id} gpus={gpus} states={states} />}
          </section>
          <ChartsPanel nodeId={id} gpus={current} range={range} rangeHref={(r) => hrefOf(withChartRange({ page: 'node', id }, r))} />
          <section className="panel" aria-label="Events">
            <h2>Events</h2>
            <Async state={events} what="events" isEmpty={(e) => e.length === 0} empty="No events yet.">
              {(e) => <EventsTimeline events={e} gpuLabel={gpuLabeller(gpus)} />}
            </Async>
          </section>
        </>
      )}
    </Async>
  );
}

import { useApi } from '../api/context.js';
import { paths } from '../api/paths.js';
import type { FleetSummary } from '../api/types.js';
import { Async, Empty } from '../components/Status.js';
import { landmarkPoints, useLandmarks } from '../hooks/useLandmarks.js';
import { usePoll } from '../hooks/usePoll.js';
import { WorldMap } from '../map/WorldMap.js';
import { SummaryCards } from './overview/SummaryCards.js';
import { useFleetMap } from './overview/useFleetMap.js';
import { ZonesTable } from './overview/ZonesTable.js';

/** `/`: the fleet in numbers, the map of verified regions, and the zones. */
export function OverviewPage() {
  const api = useApi();
  const summary = usePoll('summary', (signal) => api.get<FleetSummary>(paths.summary, { signal }));
  const map = useFleetMap();
  const landmarks = useLandmarks();
  return (
    <>
      <h1>Fleet overview</h1>
      <Async state={summary} what="the fleet summary" isEmpty={(s) => s.nodes === 0} empty="No nodes are enrolled yet: enroll an agent (docs/agent.md) and its numbers appear here.">
        {(s) => <SummaryCards summary={s} />}
      </Async>
      <section>
        <h2>Where the nodes can be</h2>
        <p className="muted">
          Each region is every place a node can be, given its landmark round-trip times; a click opens its zone.
        </p>
        <WorldMap title="World map of node regions" regions={map.data?.regions ?? []} landmarks={landmarkPoints(landmarks.data)} />
        {map.data && map.data.regions.length === 0 && <Empty>No measured regions yet.</Empty>}
      </section>
      <section>
        <h2>Zones</h2>
        <Async state={map} what="zones" isEmpty={(m) => m.zones.length === 0} empty="No zones yet.">
          {(m) => <ZonesTable zones={m.zones} />}
        </Async>
      </section>
    </>
  );
}

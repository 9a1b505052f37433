import { useMemo } from 'react';
import { useApi } from '../api/context.js';
import { paths } from '../api/paths.js';
import type { Alert, FleetSummary, LandmarkStatusList } from '../api/types.js';
import { useCan, useMe } from '../app/me.js';
import { Async, Empty, Loading } from '../components/Status.js';
import { landmarkPoints, useLandmarkStatus } from '../hooks/useLandmarks.js';
import { usePoll, type PollState } from '../hooks/usePoll.js';
import { WorldMap } from '../map/WorldMap.js';
import { Counts, SummaryCards, VERDICT_ORDER } from './overview/SummaryCards.js';
import { SilentLandmarks } from './overview/SilentLandmarks.js';
import { fleetMapRegions, useFleetMap } from './overview/useFleetMap.js';
import { ZonesTable } from './overview/ZonesTable.js';

function FleetNumbers() {
  const api = useApi();
  const summary = usePoll('summary', (signal) => api.get<FleetSummary>(paths.summary, { signal }));
  const alerts = usePoll('open-alerts', async (signal) => (await api.get<{ alerts: Alert[] }>(paths.alerts, { signal, query: { state: 'firing', limit: 1000 } })).alerts.length);
  return (
    <Async state={summary} what="the fleet summary" isEmpty={(s) => s.nodes === 0} empty="No nodes are enrolled yet: enroll an agent (Enrollment page) and its numbers appear here.">
      {(s) => <SummaryCards summary={s} openAlerts={alerts.data} />}
    </Async>
  );
}

/**
 * `/`: the fleet in numbers, the map of verified regions, and the zones: three requests however
 * large the fleet (a fourth, the landmarks' status, for the operator's organization). An auditor,
 * who may not read the inventory, gets the verdict counts only.
 */
export function OverviewPage() {
  return useMe()?.operator ? <OperatorOverview /> : <Overview landmarkStatus={undefined} />;
}

/** The operator's organization also sees which landmarks are silent: named above the map, hollow on it. */
function OperatorOverview() {
  return <Overview landmarkStatus={useLandmarkStatus()} />;
}

function Overview({ landmarkStatus }: { readonly landmarkStatus: PollState<LandmarkStatusList> | undefined }) {
  const can = useCan();
  const map = useFleetMap();
  const silent = useMemo(() => new Set(landmarkStatus?.data?.landmarks.filter((l) => l.silent).map((l) => l.id)), [landmarkStatus?.data]);
  const landmarks = useMemo(() => landmarkPoints(map.data?.landmarks, silent), [map.data, silent]);
  const regions = useMemo(() => (map.data ? fleetMapRegions(map.data) : []), [map.data]);
  return (
    <>
      <h1>Fleet overview</h1>
      {landmarkStatus && <SilentLandmarks status={landmarkStatus} />}
      {can('fleet:read') ? (
        // After the map: the server answers in turn, and the summary of a large fleet takes longest.
        map.data || map.error ? (
          <FleetNumbers />
        ) : (
          <Loading what="the fleet summary" />
        )
      ) : (
        <Async state={map} what="the verdicts">
          {(m) => (
            <section className="cards" aria-label="Verdicts">
              <article className="card">
                <h3>Node verdicts (restricted)</h3>
                <Counts counts={m.verdicts} order={VERDICT_ORDER} />
              </article>
            </section>
          )}
        </Async>
      )}
      <section>
        <h2>Where the nodes can be</h2>
        <p className="muted">Each zone's members are drawn as the circles that enclose their feasible regions (from their latest verdicts), coloured by verdict; a click opens the zone, whose page draws each region exactly.</p>
        <WorldMap title="World map of node regions" regions={regions} landmarks={landmarks} />
        {map.data && map.data.zones.every((z) => z.regions.length === 0) && <Empty>No measured regions yet.</Empty>}
      </section>
      <section>
        <h2>Zones</h2>
        <Async state={map} what="zones" isEmpty={(m) => m.zones.length === 0} empty="No zones yet.">
          {(m) => <ZonesTable zones={m.zones} nodeLinks={can('fleet:read')} />}
        </Async>
      </section>
    </>
  );
}

import { useApi } from '../api/context.js';
import { paths } from '../api/paths.js';
import type { Alert, AlertList, MuteRule } from '../api/types.js';
import { KindOptions } from '../components/KindOptions.js';
import { time } from '../components/format.js';
import { useCan } from '../app/me.js';
import { Async } from '../components/Status.js';
import { usePoll, type PollState } from '../hooks/usePoll.js';
import { navigate } from '../router/history.js';
import { hrefOf, type AlertFilter } from '../router/routes.js';
import { AlertsTable } from './alerts/AlertsTable.js';
import { MuteRules } from './alerts/MuteRules.js';

/** `/alerts?state=…&kind=…`: firing alerts and their history, mute rules; mute and resolve for writers. */
export function AlertsPage({ filter }: { readonly filter: AlertFilter }) {
  const api = useApi();
  const can = useCan();
  const page = usePoll(`alerts:${filter.state}`, async (signal) => api.get<AlertList>(paths.alerts, { signal, query: { state: filter.state || undefined, limit: 1000 } }));
  const alerts: PollState<readonly Alert[]> = { ...page, data: page.data?.alerts };
  const held = page.data?.silenceHeld;
  const set = (patch: Partial<AlertFilter>) => navigate(hrefOf({ page: 'alerts', filter: { ...filter, ...patch } }), { replace: true });
  const rules = usePoll('mute-rules', async (signal) => (await api.get<{ rules: MuteRule[] }>(paths.muteRules, { signal })).rules);
  const changed = () => {
    alerts.reload();
    rules.reload();
  };
  return (
    <>
      <h1>Alerts</h1>
      <div className="filters" role="search">
        <label>
          State
          <select value={filter.state} onChange={(e) => set({ state: e.target.value as AlertFilter['state'] })}>
            <option value="">firing and resolved</option>
            <option value="firing">firing</option>
            <option value="resolved">resolved (history)</option>
          </select>
        </label>
        <label>
          Kind
          <select value={filter.kind} onChange={(e) => set({ kind: e.target.value })}>
            <option value="">any</option>
            <KindOptions />
          </select>
        </label>
      </div>
      {held && (
        <p className="notice" role="note">
          The servers are up since {time(held.serversUpSince)} (their first start, or their return from a break): agents had no server to report to before, so no node is marked silent before {time(held.until)}. A node that was silent before stays so.
        </p>
      )}
      <Async state={alerts} what="alerts" isEmpty={(list) => !list.some((a) => !filter.kind || a.kind === filter.kind)} empty={filter.state === 'firing' ? 'Nothing is firing.' : 'No alerts match.'}>
        {(list) => <AlertsTable alerts={list.filter((a) => !filter.kind || a.kind === filter.kind)} now={alerts.updatedAt ?? new Date()} canWrite={can('fleet:write')} onChange={changed} />}
      </Async>
      <h2>Mute rules</h2>
      <MuteRules rules={rules} canWrite={can('fleet:write')} />
    </>
  );
}

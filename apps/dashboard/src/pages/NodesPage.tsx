import { useApi } from '../api/context.js';
import { paths } from '../api/paths.js';
import type { FleetMapData, ListedNode } from '../api/types.js';
import { ErrorBox, Loading } from '../components/Status.js';
import { HealthBadge, RestrictedBadge } from '../components/VerdictBadge.js';
import { VirtualTable, type Column } from '../components/VirtualTable.js';
import { ago } from '../components/format.js';
import { usePoll } from '../hooks/usePoll.js';
import { navigate } from '../router/history.js';
import { Link } from '../router/Link.js';
import { hrefOf, nodesHref, type NodeFilter } from '../router/routes.js';
import { NodeFilters } from './nodes/NodeFilters.js';
import { useNodeList } from './nodes/useNodeList.js';

function SortHeader({ filter, field, children }: { readonly filter: NodeFilter; readonly field: string; readonly children: string }) {
  const sort = filter.sort || 'name';
  const current = sort === field ? 'ascending' : sort === `-${field}` ? 'descending' : undefined;
  const next = current === 'ascending' ? `-${field}` : field;
  return (
    <button type="button" className="sort" aria-sort={current} onClick={() => navigate(nodesHref({ ...filter, sort: next === 'name' ? '' : next }), { replace: true })}>
      {children}
      {current === 'ascending' ? ' ▲' : current === 'descending' ? ' ▼' : ''}
    </button>
  );
}

function columns(filter: NodeFilter, now: Date): Column<ListedNode>[] {
  return [
    { key: 'name', header: <SortHeader filter={filter} field="name">Name</SortHeader>, cell: (n) => <Link href={hrefOf({ page: 'node', id: n.id })}>{n.name}</Link> },
    { key: 'zone', header: <SortHeader filter={filter} field="zone">Zone</SortHeader>, cell: (n) => (n.zoneId ? <Link href={hrefOf({ page: 'zone', id: n.zoneId })}>{n.zoneName}</Link> : '—') },
    { key: 'country', header: 'Claimed', cell: (n) => n.claimedCountry ?? '—' },
    { key: 'verdict', header: <SortHeader filter={filter} field="verdict">Restricted</SortHeader>, cell: (n) => <RestrictedBadge value={n.verdict?.restricted} /> },
    { key: 'claim', header: 'Claim', cell: (n) => (n.claimedCountry ? (n.verdict?.claim ?? 'unjudged') : '—') },
    { key: 'gpus', header: 'GPUs', className: 'num', cell: (n) => n.gpus },
    { key: 'health', header: <SortHeader filter={filter} field="health">Health</SortHeader>, cell: (n) => <HealthBadge value={n.health} /> },
    { key: 'agent', header: 'Agent', cell: (n) => n.agentVersion ?? '—' },
    { key: 'reported', header: <SortHeader filter={filter} field="lastReportAt">Last report</SortHeader>, cell: (n) => ago(n.lastReportAt, now) },
    { key: 'measured', header: <SortHeader filter={filter} field="lastMeasuredAt">Last measured</SortHeader>, cell: (n) => ago(n.lastMeasuredAt, now) },
  ];
}

/**
 * `/nodes?q=…&verdict=…&health=…&zone=…&country=…&claim=…&agentVersion=…&sort=…`: the nodes, filtered, sorted
 * and paged by the server; only the rows in view are fetched and drawn. The URL holds the view.
 */
export function NodesPage({ filter }: { readonly filter: NodeFilter }) {
  const api = useApi();
  const list = useNodeList(filter);
  const zones = usePoll('fleet-map', (signal) => api.get<FleetMapData>(paths.fleetMap, { signal }));
  const filtered = Object.entries(filter).some(([k, v]) => k !== 'sort' && v !== '');
  const now = list.updatedAt ?? new Date();
  return (
    <>
      <h1>Nodes</h1>
      <NodeFilters filter={filter} zones={zones.data?.zones ?? []} />
      {list.data === undefined ? (
        list.error ? (
          <ErrorBox error={list.error} what="nodes" onRetry={list.reload} />
        ) : (
          <Loading what="nodes" />
        )
      ) : (
        <>
          {list.error && (
            <p className="status stale" role="alert">
              Refreshing nodes failed ({list.error.message}); showing data from {list.updatedAt?.toLocaleTimeString() ?? 'earlier'}.
            </p>
          )}
          <p className="muted" data-testid="node-count">
            {list.data.total} node(s){filtered ? ' match' : ''}
          </p>
          {list.data.total === 0 ? (
            <p className="status empty">{filtered ? 'No node matches this filter.' : 'No nodes are enrolled yet: enroll an agent (Enrollment page).'}</p>
          ) : (
            <VirtualTable label="Nodes" total={list.data.total} rowAt={list.rowAt} rowKey={(n) => n.id} columns={columns(filter, now)} onRange={list.setRange} />
          )}
        </>
      )}
    </>
  );
}

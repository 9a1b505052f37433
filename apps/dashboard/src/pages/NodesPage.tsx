import { useApi } from '../api/context.js';
import { paths } from '../api/paths.js';
import type { NodeInfo, ZoneSummary } from '../api/types.js';
import { Async, Empty } from '../components/Status.js';
import { ago } from '../components/format.js';
import { usePoll } from '../hooks/usePoll.js';
import { navigate } from '../router/history.js';
import { Link } from '../router/Link.js';
import { hrefOf } from '../router/routes.js';

interface NodeRow extends NodeInfo {
  readonly zoneName: string | null;
}

/** Nodes whose name, id, claimed country or zone contains the filter (case-insensitive). */
export function filterNodes(nodes: readonly NodeRow[], q: string): NodeRow[] {
  const needle = q.trim().toLowerCase();
  if (!needle) return [...nodes];
  return nodes.filter((n) => [n.name, n.id, n.claimedCountry ?? '', n.zoneName ?? ''].some((f) => f.toLowerCase().includes(needle)));
}

/**
 * `/nodes?q=…`: every node of the organization, filtered in the browser. The filter lives in the
 * URL. (For fleets of thousands the API needs pagination and a server-side filter.)
 */
export function NodesPage({ q }: { readonly q: string }) {
  const api = useApi();
  const nodes = usePoll('nodes', async (signal): Promise<NodeRow[]> => {
    const [{ nodes: list }, { zones }] = await Promise.all([api.get<{ nodes: NodeInfo[] }>(paths.nodes, { signal }), api.get<{ zones: ZoneSummary[] }>(paths.zones, { signal })]);
    const zoneName = new Map(zones.map((z) => [z.id, z.name]));
    return list.map((n) => ({ ...n, zoneName: n.zoneId ? (zoneName.get(n.zoneId) ?? n.zoneId) : null })).sort((a, b) => a.name.localeCompare(b.name));
  });
  const now = nodes.updatedAt ?? new Date();
  return (
    <>
      <h1>Nodes</h1>
      <Async state={nodes} what="nodes" isEmpty={(list) => list.length === 0} empty="No nodes are enrolled yet: enroll an agent (docs/agent.md).">
        {(list) => {
          const shown = filterNodes(list, q);
          return (
            <>
              <label className="filter">
                Filter{' '}
                <input type="search" value={q} placeholder="name, country or zone" onChange={(e) => navigate(hrefOf({ page: 'nodes', q: e.target.value }), { replace: true })} />
              </label>
              <p className="muted">
                {shown.length} of {list.length} node(s)
              </p>
              {shown.length === 0 ? (
                <Empty>No node matches “{q}”.</Empty>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th>Claimed country</th>
                      <th>Zone</th>
                      <th>Last measured</th>
                      <th>Enrolled</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((n) => (
                      <tr key={n.id}>
                        <td>
                          <Link href={hrefOf({ page: 'node', id: n.id })}>{n.name}</Link>
                        </td>
                        <td>{n.claimedCountry ?? '—'}</td>
                        <td>{n.zoneId ? <Link href={hrefOf({ page: 'zone', id: n.zoneId })}>{n.zoneName}</Link> : '—'}</td>
                        <td>{ago(n.lastMeasuredAt, now)}</td>
                        <td>{ago(n.createdAt, now)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          );
        }}
      </Async>
    </>
  );
}

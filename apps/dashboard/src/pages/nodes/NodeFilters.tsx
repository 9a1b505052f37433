import type { FleetMapZone } from '../../api/types.js';
import { navigate } from '../../router/history.js';
import { nodesHref, type NodeFilter } from '../../router/routes.js';

const CHOICES = {
  verdict: ['excluded', 'possible', 'certain', 'none'],
  claim: ['verified', 'consistent', 'contradicted', 'none'],
  health: ['healthy', 'degraded', 'unhealthy', 'unknown'],
} as const;

/** The list's filter controls; every change goes into the URL (replacing the entry, as typing does). */
export function NodeFilters({ filter, zones }: { readonly filter: NodeFilter; readonly zones: readonly FleetMapZone[] }) {
  const set = (patch: Partial<NodeFilter>) => navigate(nodesHref({ ...filter, ...patch }), { replace: true });
  return (
    <div className="filters" role="search">
      <label>
        Name <input type="search" value={filter.q} placeholder="part of a name" onChange={(e) => set({ q: e.target.value })} />
      </label>
      {(Object.keys(CHOICES) as (keyof typeof CHOICES)[]).map((key) => (
        <label key={key}>
          {key === 'verdict' ? 'Restricted' : key === 'claim' ? 'Claim' : 'Health'}
          <select value={filter[key]} onChange={(e) => set({ [key]: e.target.value })}>
            <option value="">any</option>
            {CHOICES[key].map((c) => (
              <option key={c} value={c}>
                {c !== 'none' ? c : key === 'verdict' ? 'no verdict yet' : 'not judged'}
              </option>
            ))}
          </select>
        </label>
      ))}
      <label>
        Zone
        <select value={filter.zone} onChange={(e) => set({ zone: e.target.value })}>
          <option value="">any</option>
          <option value="none">in no zone</option>
          {zones.map((z) => (
            <option key={z.id} value={z.id}>
              {z.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Claimed country <input className="country" value={filter.country} size={5} maxLength={4} placeholder="SG" onChange={(e) => set({ country: e.target.value.toUpperCase() })} />
      </label>
      <label>
        Agent version <input value={filter.agentVersion} size={8} maxLength={64} placeholder="0.1.0" title='"none": agents that do not say their version' onChange={(e) => set({ agentVersion: e.target.value.trim() })} />
      </label>
    </div>
  );
}

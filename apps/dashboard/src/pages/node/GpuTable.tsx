import { HealthBadge } from '../../components/VerdictBadge.js';
import { Link } from '../../router/Link.js';
import { hrefOf } from '../../router/routes.js';
import type { GpuEntry } from './gpus.js';
import { gpuHealth, type ComponentState } from './health.js';

/** Each GPU with its health (the worst latest state of its components) and what to do about problems. */
export function GpuTable({ nodeId, gpus, states }: { readonly nodeId: string; readonly gpus: readonly GpuEntry[]; readonly states: readonly ComponentState[] }) {
  return (
    <table className="gpus">
      <thead>
        <tr>
          <th>GPU</th>
          <th>Model</th>
          <th>Serial</th>
          <th>PCI</th>
          <th>Health</th>
          <th>Problems and suggested actions</th>
        </tr>
      </thead>
      <tbody>
        {gpus.map((g) => {
          const h = gpuHealth(states, g.uuid);
          return (
            <tr key={g.uuid} data-gpu={g.uuid}>
              <td title={g.uuid}>
                <Link href={hrefOf({ page: 'gpu', id: nodeId, uuid: g.uuid })}>{g.label}</Link>
              </td>
              <td>{g.name}</td>
              <td>{g.serial ?? '—'}</td>
              <td>{g.pciBusId ? <code>{g.pciBusId}</code> : '—'}</td>
              <td>
                <HealthBadge value={h.health} />
              </td>
              <td>
                {h.problems.length === 0
                  ? '—'
                  : h.problems.map((p) => (
                      <div key={p.component}>
                        <strong>{p.component}</strong>: {p.reason}
                        {p.suggestedAction && p.suggestedAction !== 'none' && <span className="action"> → {p.suggestedAction.replaceAll('_', ' ')}</span>}
                      </div>
                    ))}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

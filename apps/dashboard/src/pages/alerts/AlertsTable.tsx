import { useState } from 'react';
import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import type { Alert } from '../../api/types.js';
import { ActionError } from '../../components/ActionError.js';
import { ago, time } from '../../components/format.js';
import { useAction } from '../../hooks/useAction.js';
import { Link } from '../../router/Link.js';
import { hrefOf } from '../../router/routes.js';
import { MuteForm } from './MuteForm.js';

function AlertActions({ alert, onChange }: { readonly alert: Alert; readonly onChange: () => void }) {
  const api = useApi();
  const resolve = useAction();
  const [muting, setMuting] = useState(false);
  return (
    <>
      <span className="actions">
        {alert.state === 'firing' && !alert.muted && (
          <button type="button" className="secondary" onClick={() => setMuting((m) => !m)} aria-expanded={muting}>
            Mute…
          </button>
        )}
        {alert.state === 'firing' && (
          <button type="button" className="secondary" disabled={resolve.busy} onClick={() => resolve.run(() => api.send('POST', paths.resolveAlert(alert.id)), onChange)}>
            Resolve
          </button>
        )}
      </span>
      {muting && (
        <MuteForm
          target={{ kind: alert.kind, nodeId: alert.nodeId, zoneId: null }}
          label={`Mute ${alert.kind}`}
          onDone={() => {
            setMuting(false);
            onChange();
          }}
        />
      )}
      <ActionError error={resolve.error} what="resolve the alert" />
    </>
  );
}

/** Alerts, newest first, with mute and resolve for those who may change things. */
export function AlertsTable({ alerts, now, canWrite, onChange }: { readonly alerts: readonly Alert[]; readonly now: Date; readonly canWrite: boolean; readonly onChange: () => void }) {
  return (
    <table aria-label="Alerts">
      <thead>
        <tr>
          <th>Severity</th>
          <th>Kind</th>
          <th>What</th>
          <th>State</th>
          <th>Fired</th>
          {canWrite && <th>Actions</th>}
        </tr>
      </thead>
      <tbody>
        {alerts.map((a) => (
          <tr key={a.id} data-alert={a.id}>
            <td>
              <span className={`badge badge-severity-${a.severity}`}>{a.severity}</span>
            </td>
            <td>
              <code>{a.kind}</code>
            </td>
            <td>
              {a.summary}
              {a.nodeId && (
                <>
                  {' '}
                  <Link href={hrefOf({ page: 'node', id: a.nodeId })}>node</Link>
                </>
              )}
              {a.kind.startsWith('landmark-') && (
                <>
                  {' '}
                  <Link href="/landmarks">landmarks</Link>
                </>
              )}
              {a.muted && (
                <div className="muted">
                  muted until {time(a.muted.until)}: {a.muted.reason}
                </div>
              )}
            </td>
            <td>{a.state === 'firing' ? 'firing' : `resolved ${ago(a.resolvedAt, now)}`}</td>
            <td title={`first ${time(a.firstFiredAt)}`}>{ago(a.lastFiredAt, now)}</td>
            {canWrite && (
              <td>
                <AlertActions alert={a} onChange={onChange} />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

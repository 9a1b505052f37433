import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import type { MuteRule } from '../../api/types.js';
import { ActionError } from '../../components/ActionError.js';
import { Async } from '../../components/Status.js';
import { time } from '../../components/format.js';
import { useAction } from '../../hooks/useAction.js';
import type { PollState } from '../../hooks/usePoll.js';
import { Link } from '../../router/Link.js';
import { hrefOf } from '../../router/routes.js';

/** The mute rules in force, each with a button to lift it. */
export function MuteRules({ rules, canWrite }: { readonly rules: PollState<readonly MuteRule[]>; readonly canWrite: boolean }) {
  const api = useApi();
  const lift = useAction();
  return (
    <Async state={rules} what="mute rules" isEmpty={(r) => r.length === 0} empty="No mute rules in force.">
      {(list) => (
        <>
          <ActionError error={lift.error} what="lift the mute rule" />
          <table aria-label="Mute rules">
            <thead>
              <tr>
                <th>Kind</th>
                <th>Node</th>
                <th>Zone</th>
                <th>Until</th>
                <th>Reason</th>
                {canWrite && <th />}
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id}>
                  <td>{r.kind ?? 'every kind'}</td>
                  <td>{r.nodeId ? <Link href={hrefOf({ page: 'node', id: r.nodeId })}>{r.nodeId.slice(0, 8)}</Link> : 'every node'}</td>
                  <td>{r.zoneId ? <Link href={hrefOf({ page: 'zone', id: r.zoneId })}>{r.zoneName ?? r.zoneId.slice(0, 8)}</Link> : 'every zone'}</td>
                  <td>{time(r.until)}</td>
                  <td>{r.reason}</td>
                  {canWrite && (
                    <td>
                      <button type="button" className="secondary" disabled={lift.busy} onClick={() => lift.run(() => api.send('DELETE', paths.muteRule(r.id)), rules.reload)}>
                        Lift
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Async>
  );
}

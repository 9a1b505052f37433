import { useState, type FormEvent } from 'react';
import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import type { Alert } from '../../api/types.js';
import { ActionError } from '../../components/ActionError.js';
import { useAction } from '../../hooks/useAction.js';

const DURATIONS = [
  [3600, '1 hour'],
  [8 * 3600, '8 hours'],
  [86_400, '1 day'],
  [7 * 86_400, '1 week'],
] as const;

/** Mutes alerts of this kind on this node for a while (a mute rule): no webhook deliveries meanwhile. */
export function MuteForm({ alert, onDone }: { readonly alert: Alert; readonly onDone: () => void }) {
  const api = useApi();
  const action = useAction();
  const [reason, setReason] = useState('');
  const [durationS, setDurationS] = useState(86_400);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    action.run(() => api.send('POST', paths.muteRules, { kind: alert.kind, nodeId: alert.nodeId, durationS, reason: reason.trim() }), onDone);
  };
  return (
    <form className="inline" onSubmit={submit} aria-label={`Mute ${alert.kind}`}>
      <label>
        Reason <input required value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} placeholder="under investigation" />
      </label>
      <label>
        For
        <select value={durationS} onChange={(e) => setDurationS(Number(e.target.value))}>
          {DURATIONS.map(([s, label]) => (
            <option key={s} value={s}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={action.busy || reason.trim() === ''}>
        Mute
      </button>
      <ActionError error={action.error} what="mute" />
    </form>
  );
}

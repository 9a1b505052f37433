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

/** What a mute rule covers: a kind (or every kind), on a node (or any), in a zone (or any). */
export interface MuteTarget {
  readonly kind: Alert['kind'] | null;
  readonly nodeId: string | null;
  readonly zoneId: string | null;
}

/**
 * Mutes the alerts of a target for a while (a mute rule): no webhook deliveries meanwhile. From
 * an alert (its kind on its node), or from a zone (every alert of its members: a site's maintenance).
 */
export function MuteForm({ target, label, placeholder = 'under investigation', onDone }: { readonly target: MuteTarget; readonly label: string; readonly placeholder?: string; readonly onDone: () => void }) {
  const api = useApi();
  const action = useAction();
  const [reason, setReason] = useState('');
  const [durationS, setDurationS] = useState(86_400);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    action.run(() => api.send('POST', paths.muteRules, { ...target, durationS, reason: reason.trim() }), () => {
      setReason('');
      onDone();
    });
  };
  return (
    <form className="inline" onSubmit={submit} aria-label={label}>
      <label>
        Reason <input required value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} placeholder={placeholder} />
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

import { useState, type FormEvent } from 'react';
import { useApi } from '../api/context.js';
import { paths } from '../api/paths.js';
import type { FleetMapData } from '../api/types.js';
import { ActionError } from '../components/ActionError.js';
import { CopyButton } from '../components/CopyButton.js';
import { time } from '../components/format.js';
import { useAction } from '../hooks/useAction.js';
import { usePoll } from '../hooks/usePoll.js';
import { enrollCommand } from './enrollment.js';

const EXPIRIES = [
  [3600, '1 hour'],
  [86_400, '1 day'],
  [7 * 86_400, '1 week'],
  [30 * 86_400, '30 days'],
] as const;

interface Made {
  readonly token: string;
  readonly expiresAt: string;
  readonly uses: number;
}

/** `/enrollment`: make an enrollment token and the command that enrolls a host with it. */
export function EnrollmentPage() {
  const api = useApi();
  const map = usePoll('fleet-map', (signal) => api.get<FleetMapData>(paths.fleetMap, { signal }));
  const action = useAction();
  const [form, setForm] = useState({ uses: 1, expiresInS: 86_400, zoneId: '', claim: '' });
  const [made, setMade] = useState<Made | undefined>(undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    action.run(async () => setMade(await api.send<Made>('POST', paths.enrollmentTokens, { uses: form.uses, expiresInS: form.expiresInS, ...(form.zoneId ? { zoneId: form.zoneId } : {}) })));
  };
  const claim = /^[A-Z]{2}$/.test(form.claim) ? form.claim : undefined;
  return (
    <>
      <h1>Enroll hosts</h1>
      <p className="muted">An enrollment token lets agents join this organization; each host that enrolls spends one use. The token is shown once.</p>
      <form className="inline" onSubmit={submit} aria-label="New enrollment token">
        <label>
          Hosts <input type="number" min={1} max={100_000} value={form.uses} onChange={(e) => setForm({ ...form, uses: Math.max(1, Number(e.target.value) || 1) })} />
        </label>
        <label>
          Valid for
          <select value={form.expiresInS} onChange={(e) => setForm({ ...form, expiresInS: Number(e.target.value) })}>
            {EXPIRIES.map(([s, label]) => (
              <option key={s} value={s}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Zone
          <select value={form.zoneId} onChange={(e) => setForm({ ...form, zoneId: e.target.value })}>
            <option value="">none</option>
            {(map.data?.zones ?? []).map((z) => (
              <option key={z.id} value={z.id}>
                {z.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Claimed country <input value={form.claim} size={4} maxLength={2} placeholder="SG" onChange={(e) => setForm({ ...form, claim: e.target.value.toUpperCase() })} />
        </label>
        <button type="submit" disabled={action.busy}>
          Make token
        </button>
      </form>
      <ActionError error={action.error} what="make the token" />
      {made && (
        <section className="panel" aria-label="Enrollment command">
          <h2>Run on each host</h2>
          <p className="secret">
            Token for {made.uses} host(s), valid until {time(made.expiresAt)}. Copy it now: it is not shown again.
          </p>
          <div className="command">
            <pre data-testid="enroll-command">{enrollCommand(window.location.origin, made.token, claim ? { claim } : {})}</pre>
            <CopyButton text={enrollCommand(window.location.origin, made.token, claim ? { claim } : {})} />
          </div>
        </section>
      )}
    </>
  );
}

import { useState, type FormEvent } from 'react';
import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import { ROLES, type ApiToken, type Role } from '../../api/types.js';
import { useMe } from '../../app/me.js';
import { ActionError } from '../../components/ActionError.js';
import { CopyButton } from '../../components/CopyButton.js';
import { Async } from '../../components/Status.js';
import { ago, time } from '../../components/format.js';
import { useAction } from '../../hooks/useAction.js';
import { usePoll } from '../../hooks/usePoll.js';

const EXPIRIES = [
  [0, 'never'],
  [30 * 86_400, '30 days'],
  [90 * 86_400, '90 days'],
  [365 * 86_400, '1 year'],
] as const;

/** API tokens: one per person or system; make one (shown once), revoke one. */
export function Tokens() {
  const api = useApi();
  const me = useMe();
  const tokens = usePoll('tokens', async (signal) => (await api.get<{ tokens: ApiToken[] }>(paths.tokens, { signal })).tokens);
  const action = useAction();
  const [form, setForm] = useState<{ name: string; role: Role; expiresInS: number }>({ name: '', role: 'viewer', expiresInS: 0 });
  const [made, setMade] = useState<string | undefined>(undefined);
  // An admin may not make owners (the server refuses too).
  const grantable = me?.role === 'owner' ? ROLES : ROLES.filter((r) => r !== 'owner');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    action.run(async () => {
      const body = { name: form.name.trim(), role: form.role, ...(form.expiresInS ? { expiresInS: form.expiresInS } : {}) };
      setMade((await api.send<{ token: string }>('POST', paths.tokens, body)).token);
      setForm({ ...form, name: '' });
    }, tokens.reload);
  };
  const now = tokens.updatedAt ?? new Date();
  return (
    <section className="panel" aria-label="API tokens">
      <h2>API tokens</h2>
      <form className="inline" onSubmit={submit}>
        <label>
          For <input required value={form.name} maxLength={200} placeholder="alice, grafana" onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label>
          Role
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {grantable.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Expires
          <select value={form.expiresInS} onChange={(e) => setForm({ ...form, expiresInS: Number(e.target.value) })}>
            {EXPIRIES.map(([s, label]) => (
              <option key={s} value={s}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={action.busy || form.name.trim() === ''}>
          Make token
        </button>
      </form>
      <ActionError error={action.error} what="change the tokens" />
      {made && (
        <p className="secret">
          New token, shown once: <code>{made}</code> <CopyButton text={made} />
        </p>
      )}
      <Async state={tokens} what="tokens">
        {(list) => (
          <table aria-label="Tokens">
            <thead>
              <tr>
                <th>For</th>
                <th>Role</th>
                <th>Made</th>
                <th>Last used</th>
                <th>Expires</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((t) => (
                <tr key={t.id}>
                  <td>
                    {t.name}
                    {t.current && <span className="muted"> (this session)</span>}
                  </td>
                  <td>{t.role}</td>
                  <td>{t.createdAt ? time(t.createdAt) : '—'}</td>
                  <td>{ago(t.lastUsedAt, now)}</td>
                  <td>{t.expiresAt ? time(t.expiresAt) : 'never'}</td>
                  <td>
                    {!t.current && (
                      <button type="button" className="danger" disabled={action.busy} onClick={() => action.run(() => api.send('DELETE', paths.token(t.id)), tokens.reload)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Async>
    </section>
  );
}

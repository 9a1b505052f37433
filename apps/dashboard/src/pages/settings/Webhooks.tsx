import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import type { AlertKind, Delivery, Webhook } from '../../api/types.js';
import { KindOptions } from '../../components/KindOptions.js';
import { ActionError } from '../../components/ActionError.js';
import { Async } from '../../components/Status.js';
import { time } from '../../components/format.js';
import { useAction } from '../../hooks/useAction.js';
import { usePoll } from '../../hooks/usePoll.js';

/** How long alert changes may wait for others of their kind and zone (seconds; 0: each goes at once), and how that reads. */
const GROUPINGS: readonly (readonly [number, string])[] = [
  [0, 'each alert at once'],
  [30, 'grouped, 30 s'],
  [60, 'grouped, 1 min'],
  [300, 'grouped, 5 min'],
  [900, 'grouped, 15 min'],
];

/** The grouping choices, with a webhook's own wait among them when it was set to another through the API. */
function GroupingOptions({ current }: { readonly current?: number }) {
  const known = current === undefined || GROUPINGS.some(([s]) => s === current);
  return (
    <>
      {GROUPINGS.map(([s, label]) => (
        <option key={s} value={s}>
          {label}
        </option>
      ))}
      {!known && <option value={current}>grouped, {current} s</option>}
    </>
  );
}

/** Which severities a webhook is told of. */
function SeverityOptions() {
  return (
    <>
      <option value="warning">all alerts</option>
      <option value="critical">critical alerts only</option>
    </>
  );
}

/** A choice of alert kinds (several at once). */
function KindsPicker({ label, value, onChange }: { readonly label: string; readonly value: readonly AlertKind[]; readonly onChange: (kinds: AlertKind[]) => void }) {
  return (
    <label>
      {label}{' '}
      <select multiple size={3} value={[...value]} onChange={(e) => onChange([...e.target.selectedOptions].map((o) => o.value as AlertKind))}>
        <KindOptions />
      </select>
    </label>
  );
}

/** The kinds a webhook is told of, changed in place: none chosen saves every kind. */
function KindsEditor({ hook, busy, save }: { readonly hook: Webhook; readonly busy: boolean; readonly save: (kinds: readonly AlertKind[] | null) => void }) {
  const [editing, setEditing] = useState<readonly AlertKind[] | undefined>(undefined);
  const told = hook.kinds === null ? 'of every kind' : `of ${hook.kinds.join(', ')}`;
  if (editing === undefined) {
    return (
      <>
        {told}{' '}
        <button type="button" className="secondary" aria-label={`Change the kinds told to ${hook.url}`} onClick={() => setEditing(hook.kinds ?? [])}>
          Change
        </button>
      </>
    );
  }
  return (
    <span className="inline">
      <KindsPicker label={`Kinds told to ${hook.url}`} value={editing} onChange={setEditing} />
      <button
        type="button"
        disabled={busy}
        onClick={() => {
          save(editing.length === 0 ? null : editing);
          setEditing(undefined);
        }}
      >
        Save
      </button>
      <button type="button" className="secondary" onClick={() => setEditing(undefined)}>
        Cancel
      </button>
    </span>
  );
}

/** What a delivery's receiver answered: its status, or the error that stood for one. */
const answerOf = (d: Delivery): string => (d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? '—'));

/** A page of a delivery log, and the cursor of the next (older) one; null on the last. */
interface DeliveryPage {
  readonly deliveries: readonly Delivery[];
  readonly next: string | null;
}

function Deliveries({ hook, tested }: { readonly hook: Webhook; readonly tested: number }) {
  const api = useApi();
  /** Of one status, or all (''). */
  const [status, setStatus] = useState<'' | Delivery['status']>('');
  const newest = usePoll(`deliveries:${hook.id}:${status}`, async (signal) => api.get<DeliveryPage>(paths.deliveries(hook.id, { status }), { signal }));
  /** Older pages asked for, after the newest (which refreshes); dropped when the status changes. */
  const [older, setOlder] = useState<DeliveryPage | undefined>(undefined);
  const more = useAction();
  const next = older ? older.next : (newest.data?.next ?? null);
  const loadOlder = () =>
    more.run(async () => {
      const page = await api.get<DeliveryPage>(paths.deliveries(hook.id, { status, before: next ?? undefined }));
      setOlder((o) => ({ deliveries: [...(o?.deliveries ?? []), ...page.deliveries], next: page.next }));
    });
  const log = { ...newest, data: newest.data && [...newest.data.deliveries, ...(older?.deliveries.filter((d) => !newest.data!.deliveries.some((n) => n.id === d.id)) ?? [])] };
  const again = useAction();
  // A failed delivery sent again once its receiver is back; refused (409) when a later one told its alert's newer state.
  const sendAgain = (d: Delivery) => again.run(() => api.send<Delivery>('POST', paths.redeliver(hook.id, d.id)), log.reload);
  // A test just sent shows in the log at once.
  const reloadRef = useRef(log.reload);
  useEffect(() => {
    reloadRef.current = log.reload;
  });
  useEffect(() => {
    if (tested > 0) reloadRef.current();
  }, [tested]);
  return (
    <>
      <label>
        Show{' '}
        <select
          aria-label={`Deliveries shown of ${hook.url}`}
          value={status}
          onChange={(e) => {
            setStatus(e.target.value as typeof status);
            setOlder(undefined);
          }}
        >
          <option value="">all</option>
          <option value="failed">failed</option>
          <option value="pending">pending</option>
          <option value="delivered">delivered</option>
        </select>
      </label>
      <Async state={log} what="deliveries" isEmpty={(d) => d.length === 0} empty={status === '' ? 'Nothing sent yet: deliveries appear when an alert fires or resolves, or when you send a test.' : `No ${status} deliveries kept.`}>
        {(list) => (
          <>
            <ActionError error={again.error} what="send the delivery again" />
            <table aria-label={`Deliveries to ${hook.url}`}>
              <thead>
                <tr>
                  <th>Queued</th>
                  <th>Event</th>
                  <th>Status</th>
                  <th className="num">Attempts</th>
                  <th>Last tried</th>
                  <th>Last answer</th>
                  <th aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {list.map((d) => (
                  <tr key={d.id}>
                    <td>{time(d.createdAt)}</td>
                    <td>{d.event === 'group' ? `group of ${d.changes}` : d.event}</td>
                    <td>
                      <span className={`badge badge-delivery-${d.status}`}>{d.status}</span>
                      {d.nextAttemptAt !== null && <> next {time(d.nextAttemptAt)}</>}
                    </td>
                    <td className="num">{d.attempts}</td>
                    <td>{d.lastAttemptAt === null ? '—' : time(d.lastAttemptAt)}</td>
                    <td>{answerOf(d)}</td>
                    <td>
                      {d.status === 'failed' && d.event !== 'test' && (
                        <button type="button" className="secondary" disabled={again.busy} aria-label={`Send delivery ${d.id} again`} onClick={() => sendAgain(d)}>
                          Send again
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <ActionError error={more.error} what="load older deliveries" />
            {next !== null && (
              <button type="button" className="secondary" disabled={more.busy} onClick={loadOlder}>
                Older deliveries
              </button>
            )}
          </>
        )}
      </Async>
    </>
  );
}

/**
 * Webhooks: add one (its signing secret shown once, each alert change sent at once or grouped by
 * kind and zone), change its grouping, send one a test, remove one, and each one's delivery log.
 */
export function Webhooks() {
  const api = useApi();
  const hooks = usePoll('webhooks', async (signal) => (await api.get<{ webhooks: Webhook[] }>(paths.webhooks, { signal })).webhooks);
  const action = useAction();
  const [url, setUrl] = useState('');
  const [groupWaitS, setGroupWaitS] = useState(0);
  const [minSeverity, setMinSeverity] = useState<Webhook['minSeverity']>('warning');
  /** The kinds a new webhook is told of; none chosen: every kind. */
  const [kinds, setKinds] = useState<readonly AlertKind[]>([]);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const [open, setOpen] = useState<string | undefined>(undefined);
  /** The last test sent, by webhook, and how many were sent (the open log reloads). */
  const [tests, setTests] = useState<{ readonly results: Readonly<Record<string, Delivery>>; readonly sent: number }>({ results: {}, sent: 0 });
  const test = (hook: Webhook) =>
    action.run(async () => {
      const sent = await api.send<Delivery>('POST', paths.webhookTest(hook.id));
      setTests((t) => ({ results: { ...t.results, [hook.id]: sent }, sent: t.sent + 1 }));
    });
  const add = (e: FormEvent) => {
    e.preventDefault();
    action.run(async () => {
      const made = await api.send<{ secret: string }>('POST', paths.webhooks, { url: url.trim(), groupWaitS, minSeverity, kinds: kinds.length === 0 ? null : kinds });
      setSecret(made.secret);
      setUrl('');
    }, hooks.reload);
  };
  return (
    <section className="panel" aria-label="Webhooks">
      <h2>Webhooks</h2>
      <form className="inline" onSubmit={add}>
        <label>
          URL <input type="url" required value={url} size={40} placeholder="https://hooks.example/locus" onChange={(e) => setUrl(e.target.value)} />
        </label>
        <label>
          Send{' '}
          <select value={groupWaitS} onChange={(e) => setGroupWaitS(Number(e.target.value))}>
            <GroupingOptions />
          </select>
        </label>
        <label>
          Alerts{' '}
          <select value={minSeverity} onChange={(e) => setMinSeverity(e.target.value as Webhook['minSeverity'])}>
            <SeverityOptions />
          </select>
        </label>
        <KindsPicker label="Kinds (none chosen: every kind)" value={kinds} onChange={setKinds} />
        <button type="submit" disabled={action.busy}>
          Add webhook
        </button>
      </form>
      <ActionError error={action.error} what="change the webhooks" />
      {secret && (
        <p className="secret">
          Signing secret (HMAC-SHA256 in <code>X-Locus-Signature</code>), shown once: <code>{secret}</code>
        </p>
      )}
      <Async state={hooks} what="webhooks" isEmpty={(h) => h.length === 0} empty="No webhooks: alerts are only shown here.">
        {(list) => (
          <table>
            <thead>
              <tr>
                <th>URL</th>
                <th>Send</th>
                <th>Told of</th>
                <th>Added</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {list.map((h) => (
                <tr key={h.id}>
                  <td>
                    <code>{h.url}</code>
                    {tests.results[h.id] && (
                      <p role="status" aria-label={`Test of ${h.url}`}>
                        {tests.results[h.id]!.status === 'delivered' ? 'Test delivered' : 'Test failed'}: {answerOf(tests.results[h.id]!)}
                      </p>
                    )}
                    {open === h.id && <Deliveries hook={h} tested={tests.sent} />}
                  </td>
                  <td>
                    <select
                      aria-label={`Grouping of ${h.url}`}
                      value={h.groupWaitS}
                      disabled={action.busy}
                      onChange={(e) => {
                        const wait = Number(e.target.value);
                        action.run(() => api.send('PATCH', paths.webhook(h.id), { groupWaitS: wait }), hooks.reload);
                      }}
                    >
                      <GroupingOptions current={h.groupWaitS} />
                    </select>
                  </td>
                  <td>
                    <select
                      aria-label={`Severities told to ${h.url}`}
                      value={h.minSeverity}
                      disabled={action.busy}
                      onChange={(e) => {
                        const least = e.target.value;
                        action.run(() => api.send('PATCH', paths.webhook(h.id), { minSeverity: least }), hooks.reload);
                      }}
                    >
                      <SeverityOptions />
                    </select>{' '}
                    <KindsEditor hook={h} busy={action.busy} save={(chosen) => action.run(() => api.send('PATCH', paths.webhook(h.id), { kinds: chosen }), hooks.reload)} />
                  </td>
                  <td>{time(h.createdAt)}</td>
                  <td>
                    <span className="actions">
                      <button type="button" className="secondary" disabled={action.busy} onClick={() => test(h)}>
                        Send a test
                      </button>
                      <button type="button" className="secondary" aria-expanded={open === h.id} onClick={() => setOpen(open === h.id ? undefined : h.id)}>
                        Delivery log
                      </button>
                      <button type="button" className="danger" disabled={action.busy} onClick={() => action.run(() => api.send('DELETE', paths.webhook(h.id)), hooks.reload)}>
                        Remove
                      </button>
                    </span>
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

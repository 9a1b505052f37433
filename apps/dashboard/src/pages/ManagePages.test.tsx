// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ALERT_KINDS } from '../api/types.js';
import { MeContext, type Me } from '../app/me.js';
import { fakeFetch, json, renderWithApi } from '../testing.js';
import { EnrollmentPage } from './EnrollmentPage.js';
import { ReportsPage } from './ReportsPage.js';
import { SettingsPage } from './SettingsPage.js';

const OWNER: Me = { orgId: 'default', role: 'owner', tokenId: 't1', name: 'alice', permissions: ['fleet:read', 'fleet:write', 'reports:read', 'tokens:manage'], operator: true };
const MAP = { '/api/v1/fleet/map': { zones: [{ id: 'z1', name: 'eu-central', claimedCountry: 'DE', members: 2, restricted: 'excluded', claim: 'verified', emptyRegions: 0, regions: [] }], landmarks: [], verdicts: {} } };

function render(ui: React.ReactElement, routes: Parameters<typeof fakeFetch>[0], who: Me = OWNER) {
  const api = fakeFetch(routes);
  renderWithApi(<MeContext.Provider value={who}>{ui}</MeContext.Provider>, api.fetch);
  return api;
}

afterEach(cleanup);

describe('EnrollmentPage', () => {
  it('makes a token for a zone and shows the command that enrolls a host with it', async () => {
    const api = render(<EnrollmentPage />, { ...MAP, 'POST /api/v1/enrollment-tokens': () => json({ id: 'e1', token: 'locus_enroll', expiresAt: '2026-11-30T06:00:00.000Z', uses: 4 }, 201) });
    await screen.findByRole('option', { name: 'eu-central' });
    fireEvent.change(screen.getByLabelText('Hosts'), { target: { value: '4' } });
    fireEvent.change(screen.getByLabelText('Zone'), { target: { value: 'z1' } });
    fireEvent.change(screen.getByLabelText('Claimed country'), { target: { value: 'de' } });
    fireEvent.click(screen.getByRole('button', { name: 'Make token' }));
    expect((await screen.findByTestId('enroll-command')).textContent).toBe(`printf '%s\\n' 'locus_enroll' | sudo locus agent enroll --server '${window.location.origin}' --token-file - --claim DE`);
    expect(api.calls).toContain('POST /api/v1/enrollment-tokens {"uses":4,"expiresInS":86400,"zoneId":"z1"}');
  });
});

describe('ReportsPage', () => {
  it('says there are none yet, makes a signed JSON report of a zone, and lists it', async () => {
    let reports: object[] = [];
    const api = render(<ReportsPage />, {
      ...MAP,
      '/api/v1/reports': () => json({ reports }),
      'POST /api/v1/reports': () => {
        reports = [{ id: 'r1234567', format: 'json', zoneId: 'z1', createdAt: '2026-11-29T06:00:00.000Z', bytes: 2048, sha256: 'ab'.repeat(32), publicKey: 'k' }];
        return json(reports[0], 201);
      },
    });
    await screen.findByText('No reports yet.');
    await screen.findByRole('option', { name: 'zone eu-central' });
    fireEvent.change(screen.getByLabelText('Format'), { target: { value: 'json' } });
    fireEvent.change(screen.getByLabelText('Of'), { target: { value: 'z1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Make a signed report' }));
    const table = await screen.findByRole('table', { name: 'Reports' });
    expect(within(table).getAllByRole('row')[1]!.textContent).toMatch(/zone eu-centralJSON2,048 Babababab/);
    expect(api.calls).toContain('POST /api/v1/reports {"format":"json","zoneId":"z1"}');
  });
});

describe('SettingsPage', () => {
  it("lists the org's tokens, never offering to revoke this session's own, and revokes another", async () => {
    const tokens = [
      { id: 't1', name: 'alice', role: 'owner', createdAt: null, lastUsedAt: null, expiresAt: null, current: true },
      { id: 't2', name: 'grafana', role: 'viewer', createdAt: null, lastUsedAt: null, expiresAt: null, current: false },
    ];
    const api = render(<SettingsPage />, { '/api/v1/webhooks': { webhooks: [] }, '/api/v1/tokens': () => json({ tokens }), 'DELETE /api/v1/tokens/t2': () => json({ revoked: true }) });
    const table = await screen.findByRole('table', { name: 'Tokens' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(within(rows[0]!).queryByRole('button', { name: 'Revoke' })).toBeNull();
    fireEvent.click(within(rows[1]!).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(api.calls).toContain('DELETE /api/v1/tokens/t2'));
    expect(screen.getByText('No webhooks: alerts are only shown here.')).toBeTruthy();
  });

  it('sends a webhook a test and says what its receiver answered, the open log showing it too', async () => {
    let log: object[] = [];
    const delivery = (status: string, lastStatusCode: number | null, lastError: string | null) => ({ id: `d-${status}`, alertId: null, event: 'test', changes: 0, status, attempts: 1, lastStatusCode, lastError, createdAt: '2026-11-30T12:00:00.000Z', deliveredAt: null, lastAttemptAt: '2026-11-30T12:00:00.000Z', nextAttemptAt: null });
    const answers = [delivery('failed', null, 'connect ECONNREFUSED 10.0.0.9:443'), delivery('delivered', 204, null)];
    const api = render(<SettingsPage />, {
      '/api/v1/webhooks': { webhooks: [{ id: 'w1', url: 'https://hooks.example/locus', groupWaitS: 0, minSeverity: 'warning', kinds: null, createdAt: '2026-11-30T11:00:00.000Z' }] },
      '/api/v1/tokens': { tokens: [] },
      '/api/v1/webhooks/w1/deliveries': () => json({ deliveries: log }),
      'POST /api/v1/webhooks/w1/test': () => {
        const d = answers.shift()!;
        log = [d, ...log];
        return json(d);
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Delivery log' }));
    expect(await screen.findByText(/Nothing sent yet: deliveries appear when an alert fires or resolves, or when you send a test/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Send a test' }));
    await waitFor(() => expect(screen.getByRole('status', { name: 'Test of https://hooks.example/locus' }).textContent).toBe('Test failed: connect ECONNREFUSED 10.0.0.9:443'));
    const deliveries = await screen.findByRole('table', { name: 'Deliveries to https://hooks.example/locus' });
    expect(within(deliveries).getAllByRole('row')).toHaveLength(2);
    await waitFor(() => expect((screen.getByRole('button', { name: 'Send a test' }) as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByRole('button', { name: 'Send a test' }));
    await waitFor(() => expect(screen.getByRole('status', { name: 'Test of https://hooks.example/locus' }).textContent).toBe('Test delivered: HTTP 204'));
    await waitFor(() => expect(within(screen.getByRole('table', { name: 'Deliveries to https://hooks.example/locus' })).getAllByRole('row')).toHaveLength(3));
    expect(api.calls.filter((c) => c.startsWith('POST'))).toEqual(['POST /api/v1/webhooks/w1/test', 'POST /api/v1/webhooks/w1/test']);
  });

  it("adds a webhook that groups alert changes, changes another's grouping, and shows how many changes a group delivery carried", async () => {
    let webhooks = [
      { id: 'w1', url: 'https://chat.example/a', groupWaitS: 0, minSeverity: 'warning', kinds: null, createdAt: '2026-11-30T11:00:00.000Z' },
      { id: 'w2', url: 'https://chat.example/b', groupWaitS: 45, minSeverity: 'critical', kinds: ['restricted', 'gpu-health'], createdAt: '2026-11-30T11:00:00.000Z' },
    ];
    const api = render(<SettingsPage />, {
      '/api/v1/webhooks': () => json({ webhooks }),
      '/api/v1/tokens': { tokens: [] },
      'POST /api/v1/webhooks': () => json({ id: 'w3', url: 'https://chat.example/c', groupWaitS: 300, createdAt: '2026-11-30T12:00:00.000Z', secret: 'shown-once' }, 201),
      'PATCH /api/v1/webhooks/w1': () => {
        webhooks = [{ ...webhooks[0]!, groupWaitS: 60 }, webhooks[1]!];
        return json(webhooks[0]);
      },
      'PATCH /api/v1/webhooks/w2': () => {
        webhooks = [webhooks[0]!, { ...webhooks[1]!, minSeverity: 'warning' }];
        return json(webhooks[1]);
      },
      '/api/v1/webhooks/w1/deliveries': {
        deliveries: [
          { id: 'd3', alertId: 'a2', event: 'resolved', changes: 1, status: 'pending', attempts: 2, lastStatusCode: 503, lastError: 'HTTP 503', createdAt: '2026-11-30T12:02:00.000Z', deliveredAt: null, lastAttemptAt: '2026-11-30T12:02:05.000Z', nextAttemptAt: '2026-11-30T12:02:15.000Z' },
          { id: 'd2', alertId: null, event: 'group', changes: 412, status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null, createdAt: '2026-11-30T12:01:00.000Z', deliveredAt: '2026-11-30T12:01:00.000Z', lastAttemptAt: '2026-11-30T12:01:00.000Z', nextAttemptAt: null },
          { id: 'd1', alertId: 'a1', event: 'fired', changes: 1, status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null, createdAt: '2026-11-30T12:00:00.000Z', deliveredAt: '2026-11-30T12:00:00.000Z', lastAttemptAt: '2026-11-30T12:00:00.000Z', nextAttemptAt: null },
          { id: 'd0', alertId: 'a0', event: 'fired', changes: 1, status: 'failed', attempts: 14, lastStatusCode: null, lastError: 'connect ECONNREFUSED', createdAt: '2026-11-30T08:00:00.000Z', deliveredAt: null, lastAttemptAt: '2026-11-30T11:00:00.000Z', nextAttemptAt: null },
        ],
      },
      'POST /api/v1/webhooks/w1/deliveries/d0/redeliver': () => json({ statusCode: 409, code: 'LOCUS_ERR_CONFLICT', error: 'Conflict', message: 'delivery d9 (resolved, delivered), made later, told this alert in a newer state, which delivery d0 must not follow' }, 409),
    });
    const grouping = (url: string) => screen.getByRole('combobox', { name: `Grouping of ${url}` }) as HTMLSelectElement;
    await screen.findByRole('combobox', { name: 'Grouping of https://chat.example/a' });
    expect(grouping('https://chat.example/a').value).toBe('0');
    // A wait set through the API that the list lacks is shown as it is.
    expect(grouping('https://chat.example/b').value).toBe('45');
    expect(grouping('https://chat.example/b').selectedOptions[0]!.textContent).toBe('grouped, 45 s');
    fireEvent.change(grouping('https://chat.example/a'), { target: { value: '60' } });
    await waitFor(() => expect(grouping('https://chat.example/a').value).toBe('60'));
    // What each is told of: its severities (changed in place) and kinds.
    const told = (url: string) => screen.getByRole('combobox', { name: `Severities told to ${url}` }) as HTMLSelectElement;
    expect(told('https://chat.example/b').value).toBe('critical');
    expect(told('https://chat.example/b').parentElement!.textContent).toContain('of restricted, gpu-health');
    expect(told('https://chat.example/a').parentElement!.textContent).toContain('of every kind');
    fireEvent.change(told('https://chat.example/b'), { target: { value: 'warning' } });
    await waitFor(() => expect(told('https://chat.example/b').value).toBe('warning'));
    fireEvent.change(screen.getByLabelText('URL'), { target: { value: 'https://chat.example/c' } });
    fireEvent.change(screen.getByLabelText('Send'), { target: { value: '300' } });
    fireEvent.change(screen.getByLabelText('Alerts'), { target: { value: 'critical' } });
    const kinds = screen.getByLabelText(/^Kinds \(none chosen/) as HTMLSelectElement;
    for (const o of kinds.options) o.selected = o.value === 'node-silent' || o.value === 'restricted';
    fireEvent.change(kinds);
    fireEvent.click(screen.getByRole('button', { name: 'Add webhook' }));
    await screen.findByText('shown-once');
    expect(api.calls).toContain('PATCH /api/v1/webhooks/w1 {"groupWaitS":60}');
    expect(api.calls).toContain('PATCH /api/v1/webhooks/w2 {"minSeverity":"warning"}');
    const chosen = ALERT_KINDS.filter((k) => k === 'node-silent' || k === 'restricted');
    expect(api.calls).toContain(`POST /api/v1/webhooks {"url":"https://chat.example/c","groupWaitS":300,"minSeverity":"critical","kinds":${JSON.stringify(chosen)}}`);
    // Kinds changed in place: some, or (none chosen) every kind again.
    fireEvent.click(screen.getByRole('button', { name: 'Change the kinds told to https://chat.example/b' }));
    const editor = screen.getByLabelText('Kinds told to https://chat.example/b') as HTMLSelectElement;
    expect([...editor.selectedOptions].map((o) => o.value).sort()).toEqual(['gpu-health', 'restricted']);
    // (happy-dom follows an option's selected attribute once React has set it, so both are set.)
    for (const o of editor.options) {
      o.selected = o.value === 'node-silent';
      o.toggleAttribute('selected', o.selected);
    }
    fireEvent.change(editor);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.calls.filter((c) => c.startsWith('PATCH') && c.includes('kinds'))).toEqual(['PATCH /api/v1/webhooks/w2 {"kinds":["node-silent"]}']));
    await waitFor(() => expect((screen.getByRole('button', { name: 'Change the kinds told to https://chat.example/a' }) as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByRole('button', { name: 'Change the kinds told to https://chat.example/a' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.calls).toContain('PATCH /api/v1/webhooks/w1 {"kinds":null}'));
    fireEvent.click(screen.getAllByRole('button', { name: 'Delivery log' })[0]!);
    const log = await screen.findByRole('table', { name: 'Deliveries to https://chat.example/a' });
    const rows = within(log).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.children[1]!.textContent)).toEqual(['resolved', 'group of 412', 'fired', 'fired']);
    // A pending one says when it is tried next; each, when it was tried last.
    expect(rows[0]!.children[2]!.textContent).toBe(`pending next ${new Date('2026-11-30T12:02:15.000Z').toLocaleString()}`);
    expect(rows[0]!.children[4]!.textContent).toBe(new Date('2026-11-30T12:02:05.000Z').toLocaleString());
    expect(rows[1]!.children[2]!.textContent).toBe('delivered');
    // Only a failed one may be sent again; the server's refusal is shown.
    expect(within(log).getAllByRole('button', { name: /^Send delivery .* again$/ }).map((b) => b.getAttribute('aria-label'))).toEqual(['Send delivery d0 again']);
    fireEvent.click(within(log).getByRole('button', { name: 'Send delivery d0 again' }));
    await waitFor(() => expect(api.calls).toContain('POST /api/v1/webhooks/w1/deliveries/d0/redeliver'));
    expect(await screen.findByText(/told this alert in a newer state/)).toBeTruthy();
  });

  it('shows the deliveries of one status, and older ones a page at a time', async () => {
    const delivery = (id: string, status: string) => ({ id, alertId: 'a1', event: 'fired', changes: 1, status, attempts: 1, lastStatusCode: 200, lastError: null, createdAt: '2026-11-30T12:00:00.000Z', deliveredAt: null, lastAttemptAt: null, nextAttemptAt: null });
    const api = render(<SettingsPage />, {
      '/api/v1/webhooks': { webhooks: [{ id: 'w1', url: 'https://hooks.example/locus', groupWaitS: 0, minSeverity: 'warning', kinds: null, createdAt: '2026-11-30T11:00:00.000Z' }] },
      '/api/v1/tokens': { tokens: [] },
      '/api/v1/webhooks/w1/deliveries': (url: URL) => {
        if (url.searchParams.get('status') === 'failed') return json({ deliveries: [delivery('d2', 'failed')], next: null });
        if (url.searchParams.get('before') === 'c-2') return json({ deliveries: [delivery('d1', 'delivered')], next: null });
        return json({ deliveries: [delivery('d3', 'delivered'), delivery('d2', 'failed')], next: 'c-2' });
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Delivery log' }));
    const ids = () => within(screen.getByRole('table', { name: 'Deliveries to https://hooks.example/locus' })).getAllByRole('row').slice(1).map((r) => r.children[2]!.textContent);
    await waitFor(() => expect(ids()).toEqual(['delivered', 'failed']));
    fireEvent.click(screen.getByRole('button', { name: 'Older deliveries' }));
    await waitFor(() => expect(ids()).toEqual(['delivered', 'failed', 'delivered']));
    expect(screen.queryByRole('button', { name: 'Older deliveries' })).toBeNull();
    fireEvent.change(screen.getByRole('combobox', { name: 'Deliveries shown of https://hooks.example/locus' }), { target: { value: 'failed' } });
    await waitFor(() => expect(ids()).toEqual(['failed']));
    expect(api.calls.filter((c) => c.startsWith('/api/v1/webhooks/w1/deliveries'))).toEqual(expect.arrayContaining(['/api/v1/webhooks/w1/deliveries', '/api/v1/webhooks/w1/deliveries?before=c-2', '/api/v1/webhooks/w1/deliveries?status=failed']));
  });

  it('has nothing to offer a viewer', () => {
    render(<SettingsPage />, {}, { ...OWNER, role: 'viewer', permissions: ['fleet:read'] });
    expect(screen.getByText('Your role has nothing to set here.')).toBeTruthy();
  });
});

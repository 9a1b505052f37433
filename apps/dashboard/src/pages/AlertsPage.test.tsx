// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../api/types.js';
import { MeContext, type Me } from '../app/me.js';
import type { AlertFilter } from '../router/routes.js';
import { errorBody, fakeFetch, json, renderWithApi } from '../testing.js';
import { AlertsPage } from './AlertsPage.js';

const alert = (id: string, kind: Alert['kind'], state: Alert['state'], summary: string): Alert => ({
  id,
  kind,
  severity: 'critical',
  nodeId: 'n1',
  summary,
  state,
  firstFiredAt: '2026-11-29T06:00:00.000Z',
  lastFiredAt: '2026-11-29T06:00:00.000Z',
  resolvedAt: state === 'resolved' ? '2026-11-29T06:05:00.000Z' : null,
  muted: null,
});
const ALERTS = [alert('a1', 'gpu-health', 'firing', 'va-h200-02: GPU 3 xid'), alert('a2', 'restricted', 'firing', 'sin-h100-07: restricted countries possible'), alert('a3', 'node-silent', 'resolved', 'fra-h100-01: silent')];
const me = (role: Me['role'], permissions: string[]): Me => ({ orgId: 'default', role, tokenId: 't', name: null, permissions, operator: true });
const ADMIN = me('admin', ['fleet:read', 'fleet:write']);

beforeEach(() => window.history.replaceState(null, '', '/alerts'));
afterEach(cleanup);

function render(routes: Parameters<typeof fakeFetch>[0], who: Me = ADMIN, filter: AlertFilter = { state: '', kind: '' }) {
  const api = fakeFetch(routes);
  renderWithApi(
    <MeContext.Provider value={who}>
      <AlertsPage filter={filter} />
    </MeContext.Provider>,
    api.fetch,
  );
  return api;
}

const alertRows = () => within(screen.getByRole('table', { name: 'Alerts' })).getAllByRole('row').slice(1);

describe('AlertsPage', () => {
  it('lists alerts of the kind in the URL, firing and resolved', async () => {
    render({ '/api/v1/alerts': { alerts: ALERTS }, '/api/v1/mute-rules': { rules: [] } }, ADMIN, { state: '', kind: 'gpu-health' });
    await waitFor(() => expect(alertRows()).toHaveLength(1));
    expect(alertRows()[0]!.textContent).toMatch(/^criticalgpu-healthva-h200-02: GPU 3 xid nodefiring/);
    expect(screen.getByText('No mute rules in force.')).toBeTruthy();
  });

  it("links a landmark's alert, which names no node, to the landmarks page", async () => {
    render({ '/api/v1/alerts': { alerts: [{ ...alert('a4', 'landmark-silent', 'firing', 'landmark fra-1 (Frankfurt, DE): no measurement stored for over 15 min'), nodeId: null }] }, '/api/v1/mute-rules': { rules: [] } });
    await waitFor(() => expect(alertRows()).toHaveLength(1));
    const links = within(alertRows()[0]!).getAllByRole('link');
    expect(links.map((l) => [l.textContent, l.getAttribute('href')])).toEqual([['landmarks', '/landmarks']]);
  });

  it('filters by every kind of alert the server raises, a GPU missing and an inconsistent landmark too', async () => {
    render({ '/api/v1/alerts': { alerts: [...ALERTS, alert('a4', 'gpu-missing', 'firing', 'va-h200-02: GPU 5 missing')] }, '/api/v1/mute-rules': { rules: [] } }, ADMIN, { state: '', kind: 'gpu-missing' });
    await waitFor(() => expect(alertRows()).toHaveLength(1));
    const kinds = within(screen.getByRole('combobox', { name: 'Kind' })).getAllByRole('option').map((o) => o.getAttribute('value'));
    expect(kinds).toEqual(['', 'restricted', 'claim-contradicted', 'empty-region', 'impossible-travel', 'landmark-inconsistent', 'landmark-silent', 'gpu-health', 'gpu-missing', 'duplicate-gpu', 'node-silent']);
  });

  it('says so while the servers, just started or back from a break, hold silence', async () => {
    render({ '/api/v1/alerts': { alerts: ALERTS, silenceHeld: { serversUpSince: '2026-11-30T12:00:00.000Z', until: '2026-11-30T12:05:00.000Z' } }, '/api/v1/mute-rules': { rules: [] } });
    const note = await screen.findByRole('note');
    expect(note.textContent).toContain(`The servers are up since ${new Date('2026-11-30T12:00:00.000Z').toLocaleString()}`);
    expect(note.textContent).toContain(`no node is marked silent before ${new Date('2026-11-30T12:05:00.000Z').toLocaleString()}`);
    cleanup();
    render({ '/api/v1/alerts': { alerts: ALERTS, silenceHeld: null }, '/api/v1/mute-rules': { rules: [] } });
    await waitFor(() => expect(alertRows()).toHaveLength(3));
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('mutes an alert with a reason and a duration, then shows the rule', async () => {
    let rules: object[] = [];
    const api = render({
      '/api/v1/alerts': { alerts: ALERTS },
      '/api/v1/mute-rules': () => json({ rules }),
      'POST /api/v1/mute-rules': () => {
        rules = [{ id: 'm1', kind: 'restricted', nodeId: 'n1', until: '2026-11-30T06:00:00.000Z', reason: 'checking the site' }];
        return json(rules[0], 201);
      },
    });
    await waitFor(() => expect(alertRows()).toHaveLength(3));
    const row = alertRows()[1]!;
    fireEvent.click(within(row).getByRole('button', { name: 'Mute…' }));
    fireEvent.change(within(row).getByLabelText('Reason'), { target: { value: 'checking the site' } });
    fireEvent.change(within(row).getByLabelText('For'), { target: { value: '3600' } });
    fireEvent.click(within(row).getByRole('button', { name: 'Mute' }));
    await waitFor(() => expect(within(screen.getByRole('table', { name: 'Mute rules' })).getAllByRole('row')).toHaveLength(2));
    expect(api.calls).toContain('POST /api/v1/mute-rules {"kind":"restricted","nodeId":"n1","zoneId":null,"durationS":3600,"reason":"checking the site"}');
  });

  it('resolves by hand, and says why when the server refuses', async () => {
    const api = render({
      '/api/v1/alerts': { alerts: ALERTS },
      '/api/v1/mute-rules': { rules: [] },
      'POST /api/v1/alerts/a1/resolve': () => json(errorBody(403, 'LOCUS_ERR_FORBIDDEN', 'your role may not do this'), 403),
    });
    await waitFor(() => expect(alertRows()).toHaveLength(3));
    fireEvent.click(within(alertRows()[0]!).getByRole('button', { name: 'Resolve' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Could not resolve the alert\. your role may not do thisLOCUS_ERR_FORBIDDEN/);
    expect(api.calls).toContain('POST /api/v1/alerts/a1/resolve');
  });

  it('offers no changes to a viewer', async () => {
    render({ '/api/v1/alerts': { alerts: ALERTS }, '/api/v1/mute-rules': { rules: [] } }, me('viewer', ['fleet:read']));
    await waitFor(() => expect(alertRows()).toHaveLength(3));
    expect(screen.queryByRole('button', { name: 'Mute…' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Resolve' })).toBeNull();
  });

  it('shows an empty state when nothing fires, and the error when the list fails', async () => {
    render({ '/api/v1/alerts': { alerts: [] }, '/api/v1/mute-rules': { rules: [] } }, ADMIN, { state: 'firing', kind: '' });
    expect((await screen.findByText('Nothing is firing.')).textContent).toBe('Nothing is firing.');
    cleanup();
    render({ '/api/v1/alerts': () => json(errorBody(500, 'LOCUS_ERR_SERVER', 'boom'), 500), '/api/v1/mute-rules': { rules: [] } });
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Could not load alerts\. boom/);
  });
});

// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App.js';
import { errorBody, fakeFetch, json } from './testing.js';

const SUMMARY = { nodes: 2, gpus: { total: 16, byModel: { 'NVIDIA H100': 16 }, health: { healthy: 15, degraded: 1, unhealthy: 0, unknown: 0 } }, verdicts: { excluded: 1, possible: 1, certain: 0, none: 0 }, agentVersions: { '0.1.0': 1, '(unknown)': 1 }, zones: 0 };
const ME = (role: string, permissions: string[]) => ({ orgId: 'default', role, tokenId: 't1', name: role, permissions, operator: true });
const OWNER = ME('owner', ['fleet:read', 'fleet:write', 'verdicts:read', 'landmarks:read', 'landmarks:write', 'reports:read', 'tokens:manage']);
const FLEET_MAP = { zones: [], landmarks: [], verdicts: { excluded: 3, possible: 1, certain: 0, none: 2 } };
const unauthorized = () => json(errorBody(401, 'LOCUS_ERR_UNAUTHENTICATED', 'unknown or expired token'), 401);

function serve(routes: Parameters<typeof fakeFetch>[0]) {
  const api = fakeFetch(routes);
  vi.stubGlobal('fetch', api.fetch);
  return api;
}

function signIn(token: string) {
  fireEvent.change(screen.getByLabelText('API token'), { target: { value: token } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

beforeEach(() => {
  window.sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('App', () => {
  it('refuses a token the server does not accept, and keeps nothing', async () => {
    serve({ '/api/v1/landmarks': unauthorized });
    render(<App />);
    signIn('locus_wrong');
    expect((await screen.findByRole('alert')).textContent).toBe('The server does not accept this token.');
    expect(window.sessionStorage.getItem('locus.token')).toBeNull();
  });

  it('keeps an accepted token in sessionStorage and shows the page the URL names', async () => {
    serve({ '/api/v1/me': OWNER, '/api/v1/landmarks': { landmarks: [] }, '/api/v1/fleet/summary': SUMMARY, '/api/v1/fleet/map': FLEET_MAP, '/api/v1/alerts': { alerts: [] } });
    render(<App />);
    signIn('  locus_good ');
    expect((await screen.findByTestId('summary-nodes')).textContent).toBe('2');
    // Nodes by agent version, each a link to its list: agents that do not say, as "none".
    const byVersion = screen.getByText('By agent version').nextElementSibling!;
    expect([...byVersion.querySelectorAll('a')].map((a) => [a.closest('div')!.querySelector('dt')!.textContent, a.getAttribute('href')])).toEqual([
      ['(unknown)', '/nodes?agentVersion=none'],
      ['0.1.0', '/nodes?agentVersion=0.1.0'],
    ]);
    expect(window.sessionStorage.getItem('locus.token')).toBe('locus_good');
  });

  it('goes back to the login with a notice when the API answers 401, and stays on the same URL', async () => {
    window.sessionStorage.setItem('locus.token', 'locus_revoked');
    window.history.replaceState(null, '', '/landmarks');
    serve({ '/api/v1/me': unauthorized, '/api/v1/landmarks': unauthorized });
    render(<App />);
    await waitFor(() => expect(screen.getByLabelText('API token')).toBeTruthy());
    expect(screen.getByRole('alert').textContent).toMatch(/no longer accepts your token \(HTTP 401\)/);
    expect(window.sessionStorage.getItem('locus.token')).toBeNull();
    expect(window.location.pathname).toBe('/landmarks');
  });

  it('logs out on request', async () => {
    window.sessionStorage.setItem('locus.token', 'locus_good');
    serve({ '/api/v1/me': OWNER, '/api/v1/landmarks': { landmarks: [] } });
    window.history.replaceState(null, '', '/landmarks');
    render(<App />);
    await screen.findByText(/No landmarks are registered yet/);
    fireEvent.click(screen.getByRole('button', { name: 'Log out' }));
    expect(screen.getByLabelText('API token')).toBeTruthy();
    expect(window.sessionStorage.getItem('locus.token')).toBeNull();
  });

  it("gives an auditor verdicts and reports only: no fleet inventory, no links to it", async () => {
    window.sessionStorage.setItem('locus.token', 'locus_auditor');
    const api = serve({ '/api/v1/me': ME('auditor', ['verdicts:read', 'landmarks:read', 'reports:read']), '/api/v1/fleet/map': FLEET_MAP });
    render(<App />);
    const verdicts = await screen.findByRole('region', { name: 'Verdicts' });
    expect(verdicts.textContent).toBe('Node verdicts (restricted)excluded3possible1certain0none2');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect([...nav.querySelectorAll('a')].map((a) => a.textContent)).toEqual(['Overview', 'Reports', 'Landmarks', 'Settings']);
    expect(api.calls.some((c) => c.startsWith('/api/v1/fleet/summary') || c.startsWith('/api/v1/nodes') || c.startsWith('/api/v1/alerts'))).toBe(false);
    window.history.replaceState(null, '', '/nodes');
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect((await screen.findByText(/may not see this page/)).textContent).toMatch(/^Your role \(auditor\) may not see this page/);
  });
});

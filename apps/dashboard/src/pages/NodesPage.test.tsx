// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListedNode } from '../api/types.js';
import { NO_FILTER, type NodeFilter } from '../router/routes.js';
import { errorBody, fakeFetch, json, renderWithApi } from '../testing.js';
import { NodesPage } from './NodesPage.js';
import { PAGE_SIZE } from './nodes/useNodeList.js';

const node = (i: number): ListedNode => ({
  id: `n${i}`,
  name: `sin-h100-${String(i).padStart(5, '0')}`,
  hostKey: `key-${i}`,
  claimedCountry: 'SG',
  zoneId: 'z-sg',
  zoneName: 'ap-southeast (Singapore)',
  createdAt: '2026-01-01T00:00:00.000Z',
  lastMeasuredAt: null,
  lastReportAt: null,
  agentVersion: i === 1 ? null : '0.1.0',
  gpus: 8,
  health: i % 2 ? 'healthy' : 'degraded',
  verdict: { restricted: 'excluded', claim: 'verified', countryEstimate: 'SG', computedAt: '2026-01-01T00:00:00.000Z' },
});
const FLEET = Array.from({ length: 1000 }, (_, i) => node(i));

/** A server that pages like the real one: offset, limit, total; `health` filters. */
const pagingServer = (nodes: readonly ListedNode[]) => (url: URL) => {
  const health = url.searchParams.get('health');
  const matches = health ? nodes.filter((n) => n.health === health) : nodes;
  const offset = Number(url.searchParams.get('offset') ?? 0);
  const limit = Number(url.searchParams.get('limit') ?? 500);
  return json({ nodes: matches.slice(offset, offset + limit), total: matches.length, offset, limit });
};
const MAP = { '/api/v1/fleet/map': { zones: [], landmarks: [], verdicts: {} } };

beforeEach(() => window.history.replaceState(null, '', '/nodes'));
afterEach(cleanup);

const rows = () => within(screen.getByRole('table')).getAllByRole('row').filter((r) => r.querySelector('td a'));
const page = (filter: Partial<NodeFilter> = {}) => <NodesPage filter={{ ...NO_FILTER, ...filter }} />;

describe('NodesPage', () => {
  it('shows a loading state, then the first page from the server, drawing only the rows in view', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const serve = pagingServer(FLEET);
    const api = fakeFetch({ '/api/v1/nodes': async (url: URL) => (await gate, serve(url)), ...MAP });
    renderWithApi(page(), api.fetch);
    expect(screen.getAllByRole('status').map((s) => s.textContent)).toContain('Loading nodes…');
    release();
    await waitFor(() => expect(screen.getByTestId('node-count').textContent).toBe('1000 node(s)'));
    expect(rows().length).toBeGreaterThan(10);
    expect(rows().length).toBeLessThan(60);
    expect(rows()[0]!.textContent).toMatch(/^sin-h100-00000ap-southeast \(Singapore\)SGrestricted excludedverified8degraded0\.1\.0/);
    // An agent that does not say its version.
    expect(rows()[1]!.textContent).toMatch(/healthy—/);
    expect(screen.getByRole('link', { name: 'sin-h100-00001' }).getAttribute('href')).toBe('/nodes/n1');
    expect(api.calls.filter((c) => c.startsWith('/api/v1/nodes'))).toEqual([`/api/v1/nodes?offset=0&limit=${PAGE_SIZE}`]);
  });

  it('fetches the page that scrolls into view', async () => {
    const api = fakeFetch({ '/api/v1/nodes': pagingServer(FLEET), ...MAP });
    const { container } = renderWithApi(page(), api.fetch);
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    const scroller = container.querySelector('.virtual')!;
    scroller.scrollTop = 36 * 450;
    fireEvent.scroll(scroller);
    await waitFor(() => expect(screen.getByRole('link', { name: 'sin-h100-00450' })).toBeTruthy());
    expect(api.calls).toContain(`/api/v1/nodes?offset=400&limit=${PAGE_SIZE}`);
    expect(screen.queryByRole('link', { name: 'sin-h100-00000' })).toBeNull();
  });

  it('asks the server for the filter in the URL, and writes a changed filter back into the URL', async () => {
    const api = fakeFetch({ '/api/v1/nodes': pagingServer(FLEET), ...MAP });
    renderWithApi(page({ health: 'degraded', q: 'sin' }), api.fetch);
    await waitFor(() => expect(screen.getByTestId('node-count').textContent).toBe('500 node(s) match'));
    expect(api.calls).toContain(`/api/v1/nodes?q=sin&health=degraded&offset=0&limit=${PAGE_SIZE}`);
    fireEvent.change(screen.getByRole('searchbox'), { target: { value: 'va-' } });
    expect(window.location.search).toBe('?q=va-&health=degraded');
    // The page's filter is its URL's, as the router gives it: this one still names q=sin.
    fireEvent.change(screen.getByLabelText('Agent version'), { target: { value: ' 0.2.0 ' } });
    expect(window.location.search).toBe('?q=sin&health=degraded&agentVersion=0.2.0');
    fireEvent.click(screen.getByRole('button', { name: /^Name/ }));
    expect(new URLSearchParams(window.location.search).get('sort')).toBe('-name');
  });

  it('asks the server for the nodes of an agent version, or of agents that do not say theirs', async () => {
    const api = fakeFetch({ '/api/v1/nodes': pagingServer(FLEET), ...MAP });
    renderWithApi(page({ agentVersion: 'none' }), api.fetch);
    await waitFor(() => expect(api.calls).toContain(`/api/v1/nodes?agentVersion=none&offset=0&limit=${PAGE_SIZE}`));
    expect((screen.getByLabelText('Agent version') as HTMLInputElement).value).toBe('none');
  });

  it('says so when the filter matches nothing', async () => {
    renderWithApi(page({ health: 'unknown' }), fakeFetch({ '/api/v1/nodes': pagingServer(FLEET), ...MAP }).fetch);
    expect((await screen.findByText(/No node matches/)).textContent).toBe('No node matches this filter.');
  });

  it('shows an empty state when no node is enrolled', async () => {
    renderWithApi(page(), fakeFetch({ '/api/v1/nodes': pagingServer([]), ...MAP }).fetch);
    expect((await screen.findByText(/No nodes are enrolled yet/)).textContent).toMatch(/enroll an agent/);
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('shows the server error with its code, and loads again on Retry', async () => {
    let fail = true;
    const serve = pagingServer(FLEET.slice(0, 3));
    const api = fakeFetch({ '/api/v1/nodes': (url: URL) => (fail ? json(errorBody(500, 'LOCUS_ERR_SERVER', 'internal error; see the server log'), 500) : serve(url)), ...MAP });
    renderWithApi(page(), api.fetch);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/^Could not load nodes\. internal error; see the server log LOCUS_ERR_SERVER \(HTTP 500\)/);
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

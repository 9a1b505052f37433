// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NodeInfo } from '../api/types.js';
import { errorBody, fakeFetch, json, renderWithApi } from '../testing.js';
import { NodesPage } from './NodesPage.js';

const node = (id: string, name: string, claimedCountry: string | null, zoneId: string | null): NodeInfo => ({
  id,
  name,
  hostKey: `key-${id}`,
  claimedCountry,
  zoneId,
  createdAt: '2026-01-01T00:00:00.000Z',
  lastMeasuredAt: null,
});
const NODES = [node('n1', 'va-h100-01', 'US', 'z-us'), node('n2', 'sin-h100-07', 'SG', 'z-sg'), node('n3', 'sin-h100-01', 'SG', 'z-sg')];
const ZONES = [
  { id: 'z-us', name: 'us-east (Virginia)', claimedCountry: 'US', createdAt: '2026-01-01T00:00:00.000Z', members: 1, restricted: 'excluded', claim: 'verified', outliers: [] },
  { id: 'z-sg', name: 'ap-southeast (Singapore)', claimedCountry: 'SG', createdAt: '2026-01-01T00:00:00.000Z', members: 2, restricted: 'possible', claim: 'consistent', outliers: [] },
];

beforeEach(() => window.history.replaceState(null, '', '/nodes'));
afterEach(cleanup);

const rows = () => within(screen.getByRole('table')).getAllByRole('row').slice(1);

describe('NodesPage', () => {
  it('shows a loading state, then the nodes sorted by name with their zones', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const api = fakeFetch({ '/api/v1/nodes': async () => (await gate, json({ nodes: NODES })), '/api/v1/zones': { zones: ZONES } });
    renderWithApi(<NodesPage q="" />, api.fetch);
    expect(screen.getByRole('status').textContent).toBe('Loading nodes…');
    release();
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(rows().map((r) => r.textContent)).toEqual([expect.stringMatching(/^sin-h100-01SGap-southeast/), expect.stringMatching(/^sin-h100-07SG/), expect.stringMatching(/^va-h100-01USus-east \(Virginia\)/)]);
    expect(screen.getByRole('link', { name: 'sin-h100-07' }).getAttribute('href')).toBe('/nodes/n2');
    expect(api.calls).toEqual(['/api/v1/nodes', '/api/v1/zones']);
  });

  it('filters by the query in the URL and writes what is typed back into it', async () => {
    renderWithApi(<NodesPage q="singapore" />, fakeFetch({ '/api/v1/nodes': { nodes: NODES }, '/api/v1/zones': { zones: ZONES } }).fetch);
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.getByText('2 of 3 node(s)')).toBeTruthy();
    fireEvent.change(screen.getByRole('searchbox'), { target: { value: 'va-' } });
    expect(window.location.search).toBe('?q=va-');
  });

  it('says so when the filter matches nothing', async () => {
    renderWithApi(<NodesPage q="fra-" />, fakeFetch({ '/api/v1/nodes': { nodes: NODES }, '/api/v1/zones': { zones: ZONES } }).fetch);
    expect((await screen.findByText(/No node matches/)).textContent).toBe('No node matches “fra-”.');
  });

  it('shows an empty state when no node is enrolled', async () => {
    renderWithApi(<NodesPage q="" />, fakeFetch({ '/api/v1/nodes': { nodes: [] }, '/api/v1/zones': { zones: [] } }).fetch);
    expect((await screen.findByText(/No nodes are enrolled yet/)).textContent).toMatch(/enroll an agent/);
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('shows the server error with its code, and loads again on Retry', async () => {
    let fail = true;
    const api = fakeFetch({
      '/api/v1/nodes': () => (fail ? json(errorBody(500, 'LOCUS_ERR_SERVER', 'internal error; see the server log'), 500) : json({ nodes: NODES })),
      '/api/v1/zones': { zones: ZONES },
    });
    renderWithApi(<NodesPage q="" />, api.fetch);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/^Could not load nodes\. internal error; see the server log LOCUS_ERR_SERVER \(HTTP 500\)/);
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

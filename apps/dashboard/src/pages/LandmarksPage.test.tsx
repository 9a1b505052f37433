// @vitest-environment happy-dom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LandmarkStatusList } from '../api/types.js';
import { MeContext, type Me } from '../app/me.js';
import { errorBody, fakeFetch, json, renderWithApi } from '../testing.js';
import { LandmarksPage } from './LandmarksPage.js';
import { OverviewPage } from './OverviewPage.js';

const me = (operator: boolean): Me => ({ orgId: operator ? 'default' : 'tenant-b', role: 'owner', tokenId: 't1', name: 'alice', permissions: ['fleet:read', 'verdicts:read', 'landmarks:read'], operator });
const info = (id: string, name: string, country: string, lat: number, lon: number) => ({ id, name, country, lat, lon, publicKey: `key-${id}` });
const LANDMARKS = [info('fra-1', 'Frankfurt', 'DE', 50.11, 8.68), info('sin-1', 'Singapore', 'SG', 1.35, 103.82), info('tyo-1', 'Tokyo', 'JP', 35.68, 139.65)];
const minutesAgo = (m: number) => new Date(new Date().getTime() - m * 60_000).toISOString();
/** The server's answer: each landmark's newest measurement, which it counts silent, their newest refusals and which of them are refused now. */
const status = (last: Record<string, string | null>, silent: string[] = [], silentAfterS = 900, refusals: Record<string, LandmarkStatusList['landmarks'][number]['lastRefusal']> = {}, refused: string[] = []): LandmarkStatusList => ({
  silentAfterS,
  landmarks: LANDMARKS.map((l) => ({ id: l.id, name: l.name, country: l.country, registeredAt: minutesAgo(600), lastMeasurementAt: last[l.id] ?? null, lastRefusal: refusals[l.id] ?? null, refused: refused.includes(l.id), silent: silent.includes(l.id), version: l.id === 'tyo-1' ? null : l.id === 'sin-1' ? '0.2.0' : '0.1.0' })),
});
const PLACE = { code: 'LOCUS_ERR_MEASUREMENT_SIGNATURE', message: 'landmark "tyo-1" signed a place other than its registered one' };

function render(ui: React.ReactElement, routes: Parameters<typeof fakeFetch>[0], who: Me) {
  const api = fakeFetch(routes);
  // The map's atlas too (a 404 here: borders are not what these tests look at).
  vi.stubGlobal('fetch', api.fetch);
  renderWithApi(<MeContext.Provider value={who}>{ui}</MeContext.Provider>, api.fetch);
  return api;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('LandmarksPage', () => {
  it("shows the operator when each landmark last measured, and flags the silent ones in the table and on the map", async () => {
    const api = render(<LandmarksPage />, { '/api/v1/landmarks': { landmarks: LANDMARKS }, '/api/v1/landmarks/status': status({ 'fra-1': minutesAgo(2), 'sin-1': minutesAgo(180) }, ['sin-1', 'tyo-1'], 900, { 'tyo-1': { at: minutesAgo(1), ...PLACE }, 'fra-1': { at: minutesAgo(30), ...PLACE } }, ['tyo-1']) }, me(true));
    const table = await screen.findByRole('table', { name: 'Landmarks' });
    await waitFor(() => expect(within(table).getAllByRole('row')[1]?.textContent).toContain('2 min ago'));
    expect(within(table).getByRole('columnheader', { name: 'Last measurement' })).toBeTruthy();
    const row = (id: string) => table.querySelector(`tr[data-landmark="${id}"]`)!;
    // The version each one runs, as its deliveries say; none yet for one whose deliveries stored nothing.
    const versionColumn = within(table).getAllByRole('columnheader').findIndex((h) => h.textContent === 'Version');
    expect(['fra-1', 'sin-1', 'tyo-1'].map((id) => row(id).children[versionColumn]?.textContent)).toEqual(['0.1.0', '0.2.0', '—']);
    expect(row('fra-1').className).toBe('');
    expect(row('sin-1').className).toBe('silent');
    expect(row('sin-1').textContent).toContain('3 h ago · silent');
    // Tokyo delivers, but its measurements are refused: the row says why. Frankfurt's old refusal, before its newest measurement, is not shown.
    expect(row('tyo-1').className).toBe('silent');
    expect(row('tyo-1').textContent).toContain('none stored · silentrefused 1 min ago: landmark "tyo-1" signed a place other than its registered one');
    expect(row('fra-1').textContent).not.toContain('refused');
    expect(screen.getByTestId('landmarks-silent').textContent).toMatch(/^2 of 3 landmark\(s\) silent: the server has stored no measurement of theirs for 15 minutes /);
    expect([...document.querySelectorAll('rect.landmark.silent')].map((r) => r.getAttribute('data-landmark')).sort()).toEqual(['sin-1', 'tyo-1']);
    expect(screen.getByText(/silent landmark \(none of its measurements stored lately\)/)).toBeTruthy();
    expect(api.calls).toContain('/api/v1/landmarks/status');
  });

  it('says none is silent when the server counts none so, in its own silence time', async () => {
    render(<LandmarksPage />, { '/api/v1/landmarks': { landmarks: LANDMARKS }, '/api/v1/landmarks/status': status({ 'fra-1': minutesAgo(1), 'sin-1': minutesAgo(50), 'tyo-1': minutesAgo(0) }, [], 3600) }, me(true));
    await screen.findByText(/No landmark is silent: each one's newest stored measurement is under 1 h old/);
    expect(document.querySelectorAll('tr.silent, rect.landmark.silent')).toHaveLength(0);
  });

  it("keeps the landmarks when their status cannot load, and says so", async () => {
    render(<LandmarksPage />, { '/api/v1/landmarks': { landmarks: LANDMARKS }, '/api/v1/landmarks/status': () => json(errorBody(503, 'LOCUS_ERR_UNAVAILABLE', 'database unreachable'), 503) }, me(true));
    await screen.findByText(/When the landmarks last measured could not load \(database unreachable\)/);
    expect(within(screen.getByRole('table', { name: 'Landmarks' })).getAllByRole('row')).toHaveLength(4);
  });

  it("does not ask for the status in another organization, which may not read it", async () => {
    const api = render(<LandmarksPage />, { '/api/v1/landmarks': { landmarks: LANDMARKS } }, me(false));
    const table = await screen.findByRole('table', { name: 'Landmarks' });
    expect(within(table).queryByRole('columnheader', { name: 'Last measurement' })).toBeNull();
    expect(api.calls).not.toContain('/api/v1/landmarks/status');
  });
});

describe('OverviewPage', () => {
  const routes = {
    '/api/v1/fleet/map': { zones: [], landmarks: LANDMARKS, verdicts: {} },
    '/api/v1/fleet/summary': { nodes: 0, gpus: { total: 0, byModel: {}, health: {} }, verdicts: {}, agentVersions: {}, zones: 0 },
    '/api/v1/alerts': { alerts: [] },
    '/api/v1/landmarks/status': status({ 'fra-1': minutesAgo(1), 'sin-1': minutesAgo(1), 'tyo-1': minutesAgo(45) }, ['tyo-1']),
  };

  it("names the silent landmarks to the operator", async () => {
    render(<OverviewPage />, routes, me(true));
    expect((await screen.findByTestId('landmarks-silent')).textContent).toMatch(/^1 of 3 landmark\(s\) silent for over 15 minutes, .*: Tokyo \(tyo-1\): last 45 min ago\. Landmarks$/);
    // And drawn hollow on the map, the others as ever.
    await waitFor(() => expect(document.querySelectorAll('rect.landmark')).toHaveLength(3));
    expect([...document.querySelectorAll('rect.landmark.silent')].map((r) => r.getAttribute('data-landmark'))).toEqual(['tyo-1']);
  });

  it('asks nothing of the landmarks for another organization', async () => {
    const api = render(<OverviewPage />, routes, me(false));
    await screen.findByText(/No nodes are enrolled yet/);
    expect(api.calls).not.toContain('/api/v1/landmarks/status');
    expect(screen.queryByTestId('landmarks-silent')).toBeNull();
    await waitFor(() => expect(document.querySelectorAll('rect.landmark')).toHaveLength(3));
    expect(document.querySelectorAll('rect.landmark.silent')).toHaveLength(0);
  });
});

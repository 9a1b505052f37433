// @vitest-environment happy-dom
import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { GpuRecord, NodeInventory } from '../api/types.js';
import { time } from '../components/format.js';
import { fakeFetch, renderWithApi } from '../testing.js';
import { GpuPage } from './GpuPage.js';

const NODE = { id: 'n1', name: 'gpu-7', hostKey: 'k'.repeat(43), claimedCountry: null, zoneId: null, createdAt: '2026-11-01T00:00:00.000Z', lastMeasuredAt: null, agentVersion: '0.1.0', lastReportAt: '2026-12-03T11:59:50.000Z', lastRefusal: null, refused: false };
const gpu = (uuid: string, over: Partial<GpuRecord>): GpuRecord => ({
  uuid,
  serial: '1650000000001',
  name: 'NVIDIA H100 80GB HBM3',
  pciBusId: '00000000:18:00.0',
  // Listed by the inventory its agent sent at enrollment, a month before; sampled every 10 s since.
  firstSeenAt: '2026-11-01T00:00:00.000Z',
  lastSeenAt: '2026-11-01T00:00:00.000Z',
  lastSampleAt: '2026-12-03T11:59:50.000Z',
  missing: false,
  missingSince: null,
  ...over,
});
const INVENTORY = (gpus: readonly GpuRecord[]): NodeInventory => ({ inventory: { gpus: gpus.filter((g) => !g.missing).map((g, index) => ({ index, uuid: g.uuid })) } as never, updatedAt: '2026-12-03T10:00:00.000Z', gpus });
const fact = (term: string) => screen.getByText(term, { selector: 'dt' }).nextElementSibling?.textContent;
const show = (gpus: readonly GpuRecord[], uuid: string) => {
  const api = fakeFetch({ '/api/v1/nodes/n1': NODE, '/api/v1/nodes/n1/inventory': INVENTORY(gpus), '/api/v1/nodes/n1/events': { events: [] } });
  renderWithApi(<GpuPage id="n1" uuid={uuid} range="hour" />, api.fetch);
};

afterEach(cleanup);

describe('GpuPage', () => {
  it('says when a GPU was last sampled, not when an inventory last listed it', async () => {
    show([gpu('GPU-a', {})], 'GPU-a');
    await waitFor(() => expect(fact('Last sample')).toBe(time('2026-12-03T11:59:50.000Z')));
    expect(fact('First seen')).toBe(time('2026-11-01T00:00:00.000Z'));
    expect(screen.queryByText('Missing since', { selector: 'dt' })).toBeNull();
  });

  it('says since when a GPU has been missing from the inventory, and that no sample is kept when none is', async () => {
    show([gpu('GPU-a', {}), gpu('GPU-b', { lastSampleAt: null, missing: true, missingSince: '2026-12-03T09:00:00.000Z' })], 'GPU-b');
    await waitFor(() => expect(fact('Missing since')).toBe(time('2026-12-03T09:00:00.000Z')));
    expect(fact('Last sample')).toBe('none kept');
  });
});

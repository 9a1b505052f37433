// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ZoneDetail } from '../../api/types.js';
import { fakeFetch, json, renderWithApi } from '../../testing.js';
import { ZoneMaintenance } from './ZoneMaintenance.js';

const ZONE: ZoneDetail = { id: 'z1', name: 'fra-dc1', claimedCountry: 'DE', createdAt: '2026-11-30T00:00:00.000Z', restricted: 'excluded', claim: 'verified', members: [], ifColocated: null, outliers: [] };
const rule = (id: string, zoneId: string | null, zoneName: string | null) => ({ id, kind: null, nodeId: null, zoneId, zoneName, until: '2026-11-30T14:00:00.000Z', reason: 'site maintenance' });

afterEach(cleanup);

describe('ZoneMaintenance', () => {
  it("mutes every alert of the zone's members for a while, lists the zone's rules alone, and lifts one", async () => {
    let rules = [rule('other', 'z2', 'sin-dc1')];
    const api = fakeFetch({
      '/api/v1/mute-rules': () => json({ rules }),
      'POST /api/v1/mute-rules': () => {
        rules = [...rules, rule('m1', 'z1', 'fra-dc1')];
        return json(rules.at(-1), 201);
      },
      'DELETE /api/v1/mute-rules/m1': () => {
        rules = rules.filter((r) => r.id !== 'm1');
        return json({ deleted: true });
      },
    });
    renderWithApi(<ZoneMaintenance zone={ZONE} />, api.fetch);
    expect(await screen.findByText('No mute rules in force.')).toBeTruthy();
    const form = screen.getByRole('form', { name: 'Mute the alerts of fra-dc1' });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'site maintenance' } });
    fireEvent.change(within(form).getByLabelText('For'), { target: { value: '28800' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Mute' }));
    await waitFor(() => expect(within(screen.getByRole('table', { name: 'Mute rules' })).getAllByRole('row')).toHaveLength(2));
    expect(api.calls).toContain('POST /api/v1/mute-rules {"kind":null,"nodeId":null,"zoneId":"z1","durationS":28800,"reason":"site maintenance"}');
    const row = within(screen.getByRole('table', { name: 'Mute rules' })).getAllByRole('row')[1]!;
    expect(row.textContent).toContain('every kind');
    expect(within(row).getByRole('link', { name: 'fra-dc1' }).getAttribute('href')).toBe('/zones/z1');
    expect((within(form).getByLabelText('Reason') as HTMLInputElement).value).toBe('');
    fireEvent.click(within(row).getByRole('button', { name: 'Lift' }));
    expect(await screen.findByText('No mute rules in force.')).toBeTruthy();
    expect(api.calls).toContain('DELETE /api/v1/mute-rules/m1');
  });
});

import { describe, expect, it } from 'vitest';
import type { VerdictRecord, ZoneDetail } from '../../api/types.js';
import { zoneNotice } from './notice.js';

const verdict = (restricted: VerdictRecord['restricted'], possibleCountries: string[], claim: VerdictRecord['claim'] = 'consistent'): VerdictRecord => ({
  claimed: 'SG',
  claim,
  restricted,
  possibleCountries,
  areaKm2: 1000,
  radiusKm: 100,
  estimate: { lat: 1.35, lon: 103.8 },
  countryEstimate: possibleCountries[0] ?? null,
});
const zone = (members: ZoneDetail['members'], over: Partial<ZoneDetail> = {}): ZoneDetail => ({
  id: 'z',
  name: 'ap-southeast (Singapore)',
  claimedCountry: 'SG',
  createdAt: '2026-01-01T00:00:00.000Z',
  restricted: members.every((m) => m.verdict.restricted === 'excluded') ? 'excluded' : 'possible',
  claim: 'consistent',
  members,
  ifColocated: verdict('excluded', ['SG']),
  outliers: [],
  ...over,
});
const honest = { nodeId: 'a', name: 'sin-h100-01', measurements: 8, verdict: verdict('excluded', ['SG', 'MY']) };
const smuggled = { nodeId: 'b', name: 'sin-h100-07', measurements: 8, verdict: verdict('possible', ['RU', 'CN', 'SG', 'HK']) };

describe('zoneNotice', () => {
  it('says nothing about a zone whose members are all excluded', () => {
    expect(zoneNotice(zone([honest]))).toEqual([]);
  });

  it('names the member that keeps restricted countries possible, and what its region reaches', () => {
    expect(zoneNotice(zone([honest, smuggled]))).toEqual([
      "Restricted countries are possible for this zone: sin-h100-07's region reaches Russia (RU), China (CN) and Hong Kong (HK). A zone is excluded only when every member is.",
    ]);
  });

  it('names the one outlier that cannot stand with the others', () => {
    const far = { ...honest, nodeId: 'c', name: 'sin-h100-09' };
    const lines = zoneNotice(zone([honest, far, smuggled], { outliers: ['b'], ifColocated: { ...verdict('possible', []), empty: true } }));
    expect(lines.at(-1)).toBe('sin-h100-07 disagrees with the other members: they cannot all stand at one place, and without sin-h100-07 the rest could.');
  });

  it('of two members that cannot stand together, points at the one whose own verdict is not excluded', () => {
    const lines = zoneNotice(zone([honest, smuggled], { outliers: ['a', 'b'], ifColocated: { ...verdict('possible', []), empty: true } }));
    expect(lines.at(-1)).toBe(
      "The members cannot all stand at one place; without any one of sin-h100-01 and sin-h100-07 the rest could. Of these, only sin-h100-07's own verdict does not exclude restricted countries.",
    );
  });

  it('names members that contradict the claim', () => {
    const elsewhere = { ...honest, nodeId: 'd', name: 'sin-h100-03', verdict: verdict('excluded', ['DE'], 'contradicted') };
    expect(zoneNotice(zone([honest, elsewhere]))).toEqual(['sin-h100-03 contradicts the claim: its region does not reach Singapore.']);
  });

  it('says that an empty zone has no members yet', () => {
    expect(zoneNotice(zone([], { restricted: null }))).toEqual(['This zone has no members yet: enroll agents with an enrollment token for it.']);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_BORDER_MARGIN } from './constants.js';
import { DEFAULT_RESTRICTED } from './countries.js';
import { regionContains } from './region.js';
import type { SpeedModel } from './speed.js';
import { degrees, km, ms, type Km } from './units.js';
import { regionFromRtts, verifyTarget, type RttBound } from './verdict.js';
import { fromLatLon } from './vec3.js';
import { naturalEarthWorld } from './world/natural-earth.js';

const world = naturalEarthWorld();
const restricted = new Set(DEFAULT_RESTRICTED);

const PLACES = {
  tokyo: [35.6762, 139.6503],
  singapore: [1.3521, 103.8198],
  frankfurt: [50.1109, 8.6821],
  hongKong: [22.3193, 114.1694],
  cayenne: [4.9224, -52.3135],
  spratly: [10.38, 114.36],
  shipOffQingdao: [35.9, 120.6],
} as const;
type Place = keyof typeof PLACES;

const at = (place: Place, rttMs: number): RttBound => ({ lat: degrees(PLACES[place][0]), lon: degrees(PLACES[place][1]), rtt: ms(rttMs) });
const verify = (bounds: RttBound[], claimed: string | null, opts: { speed?: SpeedModel; marginKm?: Km } = {}) =>
  verifyTarget(world, bounds, claimed, { speed: opts.speed ?? 'vacuum', restricted, marginKm: opts.marginKm ?? DEFAULT_BORDER_MARGIN });

describe('verifyTarget, worked examples', () => {
  it('bounds a host 1 ms from Tokyo to 149.9 km and verifies Japan', () => {
    const v = verify([at('tokyo', 1)], 'JP');
    expect(v.possibleCountries).toEqual(['JP']);
    expect(v.claim).toBe('verified');
    expect(v.restricted).toBe('excluded');
    // The cap is 149.9 km of geodesic distance; reported radius is on the mean sphere.
    expect(v.radiusKm).toBeGreaterThan(149.9);
    expect(v.radiusKm).toBeLessThan(151);
    expect(v.estimate!.lat).toBeCloseTo(35.6762, 6);
  });

  it.each([
    ['a negative RTT (its cap would reach past the antipode, over Shenzhen, yet exclude China)', { ...at('singapore', 0), rtt: ms(-30) }, /RTT -30 ms is not a non-negative number/],
    ['an RTT that is not a number', { ...at('singapore', 0), rtt: ms(Number.NaN) }, /RTT NaN ms/],
    ['a latitude past the pole', { ...at('singapore', 2), lat: degrees(200) }, /latitude 200 is not within ±90°/],
    ['a longitude out of range', { ...at('singapore', 2), lon: degrees(Number.POSITIVE_INFINITY) }, /longitude Infinity/],
  ])('refuses to judge from %s rather than compute a verdict', (_, bound, message) => {
    expect(() => verify([bound], 'SG')).toThrow(message);
    expect(() => regionFromRtts([at('tokyo', 5), bound], 'vacuum')).toThrow(RangeError);
  });

  it('excludes China for a host 2 ms from Singapore', () => {
    const v = verify([at('singapore', 2)], 'SG');
    expect(v.restricted).toBe('excluded');
    expect(v.claim).toBe('consistent');
    expect(new Set(v.possibleCountries)).toEqual(new Set(['SG', 'MY', 'ID']));
  });

  it('cannot exclude China for a host 2 ms from Singapore under a 40 ms bound from Tokyo', () => {
    expect(verify([at('singapore', 60), at('tokyo', 40)], 'SG').restricted).toBe('possible');
  });

  it('contradicts France for a host 0.5 ms from Frankfurt', () => {
    const v = verify([at('frankfurt', 0.5)], 'FR');
    expect(v.claim).toBe('contradicted');
    expect(v.possibleCountries).toEqual(['DE']);
  });

  it('is certain of a restricted country for a host 0.2 ms from Hong Kong', () => {
    const v = verify([at('hongKong', 0.2)], 'SG');
    expect(v.restricted).toBe('certain');
    expect(v.claim).toBe('contradicted');
    expect(v.possibleCountries).toContain('HK');
  });

  it('reports an empty region for RTTs no place can satisfy', () => {
    const v = verify([at('frankfurt', 1), at('tokyo', 1)], 'DE');
    expect(v).toMatchObject({ empty: true, claim: 'contradicted', restricted: 'possible', radiusKm: null, estimate: null, countryEstimate: null, possibleCountries: [] });
  });

  it('says nothing without a claim, and keeps every country possible without RTTs', () => {
    const v = verify([], null);
    expect(v.claim).toBeNull();
    expect(v.restricted).toBe('possible');
    expect(v.possibleCountries.length).toBeGreaterThan(200);
  });

  it('verifies both FR and GF for a host in French Guiana', () => {
    expect(verify([at('cayenne', 0.1)], 'FR').claim).toBe('verified');
    expect(verify([at('cayenne', 0.1)], 'GF').claim).toBe('verified');
  });

  it('counts disputed islands for every claimant and verifies none', () => {
    const v = verify([at('spratly', 0.3)], 'VN');
    expect(v.possibleCountries).toEqual(expect.arrayContaining(['CN', 'VN', 'PH', 'TW', 'MY', 'BN']));
    expect(v.claim).toBe('consistent');
    expect(v.restricted).toBe('possible');
  });

  it("counts a country's territorial sea: a ship off Qingdao is in China, though no land is in its region", () => {
    const ship = [at('shipOffQingdao', 0.02)];
    expect(verify(ship, null).restricted).toBe('certain');
    expect(verify(ship, null, { marginKm: km(0) }).restricted).toBe('excluded');
  });

  it('is tighter with the fiber model but never looser', () => {
    const bounds = [at('singapore', 30), at('tokyo', 40)];
    const vac = verify(bounds, null);
    const fib = verify(bounds, null, { speed: 'fiber' });
    expect(fib.areaKm2).toBeLessThan(vac.areaKm2);
    for (const c of fib.possibleCountries) expect(vac.possibleCountries).toContain(c);
  });

  it('places the estimate inside a one-cap region and reports its area', () => {
    const bounds = [at('frankfurt', 3)];
    const v = verify(bounds, null);
    const region = regionFromRtts(bounds, 'vacuum');
    expect(regionContains(region, fromLatLon(v.estimate!.lat, v.estimate!.lon))).toBe(true);
    const r = 449.7 / 6371.0088;
    expect(v.areaKm2 / (2 * Math.PI * (1 - Math.cos(r)) * 6371.0088 ** 2)).toBeCloseTo(1, 2);
  });
});

import { degrees, distanceUpperBoundKm, ms, SPEED_OF_LIGHT_VACUUM, syntheticRtt, type LatLon } from '@locus/geo';
import { describe, expect, it } from 'vitest';
import { linkDelayBetween } from './geography.js';

const FRANKFURT: LatLon = { lat: degrees(50.1109), lon: degrees(8.6821) };
const TOKYO: LatLon = { lat: degrees(35.6762), lon: degrees(139.6503) };

describe('linkDelayBetween', () => {
  it('gives Frankfurt–Tokyo half the synthetic round trip each way', () => {
    expect(linkDelayBetween(FRANKFURT, TOKYO).oneWayMs).toBe(syntheticRtt(FRANKFURT, TOKYO) / 2);
  });

  it('never lets Frankfurt–Tokyo beat light in vacuum one way', () => {
    const vacuumMs = distanceUpperBoundKm(FRANKFURT, TOKYO) / SPEED_OF_LIGHT_VACUUM;
    expect(vacuumMs).toBeGreaterThan(30);
    expect(linkDelayBetween(FRANKFURT, TOKYO).oneWayMs).toBeGreaterThanOrEqual(vacuumMs);
  });

  it('puts Tokyo about 70 ms one way from Frankfurt on a typical path', () => {
    // ≈ 9,350 km × 1.5 stretch / 199.86 km/ms in fibre, plus half the 0.2 ms overhead.
    expect(linkDelayBetween(FRANKFURT, TOKYO).oneWayMs).toBeGreaterThan(69);
    expect(linkDelayBetween(FRANKFURT, TOKYO).oneWayMs).toBeLessThan(72);
  });

  it('is symmetric', () => {
    expect(linkDelayBetween(TOKYO, FRANKFURT)).toEqual(linkDelayBetween(FRANKFURT, TOKYO));
  });

  it('leaves only half the path overhead between a place and itself', () => {
    expect(linkDelayBetween(TOKYO, TOKYO, { stretch: 1.5, overheadMs: ms(0.4) }).oneWayMs).toBeCloseTo(0.2, 9);
  });

  it('follows the given path model', () => {
    const direct = linkDelayBetween(FRANKFURT, TOKYO, { stretch: 1, overheadMs: ms(0) });
    const detour = linkDelayBetween(FRANKFURT, TOKYO, { stretch: 2, overheadMs: ms(0) });
    expect(detour.oneWayMs).toBeCloseTo(2 * direct.oneWayMs, 9);
  });
});

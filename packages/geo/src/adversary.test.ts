import { describe, expect, it } from 'vitest';
import { DEFAULT_BORDER_MARGIN } from './constants.js';
import { DEFAULT_RESTRICTED } from './countries.js';
import { syntheticRtt } from './synthetic.js';
import { degrees, ms, type Ms } from './units.js';
import { verifyTarget, type RttBound } from './verdict.js';
import type { LatLon } from './vec3.js';
import { naturalEarthWorld } from './world/natural-earth.js';

const world = naturalEarthWorld();
const restricted = new Set(DEFAULT_RESTRICTED);
const ll = (lat: number, lon: number): LatLon => ({ lat: degrees(lat), lon: degrees(lon) });

/** Landmarks in large data-centre cities of unrestricted countries. */
const LANDMARKS = [
  ll(50.11, 8.68), ll(52.37, 4.9), ll(51.51, -0.13), ll(52.23, 21.01), ll(60.17, 24.94), ll(59.33, 18.07), ll(41.01, 28.98),
  ll(39.04, -77.49), ll(32.78, -96.8), ll(37.34, -121.89), ll(25.2, 55.27), ll(19.08, 72.88), ll(1.35, 103.82), ll(25.03, 121.57),
  ll(35.68, 139.65), ll(37.57, 126.98), ll(14.6, 120.98), ll(-33.87, 151.21), ll(-23.55, -46.63), ll(-26.2, 28.05),
  ll(43.24, 76.89), ll(47.92, 106.92), ll(21.03, 105.85), ll(33.89, 35.5), ll(25.76, -80.19),
];

/** Hosts inside restricted countries, each claiming a neighbour, with a real place in that neighbour to imitate. */
const SMUGGLED: readonly [string, LatLon, string, LatLon][] = [
  ['Shenzhen', ll(22.54, 114.06), 'VN', ll(21.03, 105.85)],
  ['Shanghai', ll(31.23, 121.47), 'JP', ll(33.59, 130.4)],
  ['Beijing', ll(39.9, 116.41), 'MN', ll(47.92, 106.92)],
  ['Urumqi', ll(43.83, 87.62), 'KZ', ll(43.24, 76.89)],
  ['Harbin', ll(45.8, 126.53), 'KR', ll(37.57, 126.98)],
  ['Hong Kong', ll(22.32, 114.17), 'TW', ll(22.63, 120.3)],
  ['Macau', ll(22.2, 113.54), 'TW', ll(25.03, 121.57)],
  ['Moscow', ll(55.76, 37.62), 'FI', ll(60.17, 24.94)],
  ['St Petersburg', ll(59.93, 30.36), 'EE', ll(59.44, 24.75)],
  ['Vladivostok', ll(43.12, 131.89), 'JP', ll(43.06, 141.35)],
  ['Kaliningrad', ll(54.71, 20.51), 'PL', ll(54.35, 18.65)],
  ['Tehran', ll(35.69, 51.39), 'AE', ll(25.2, 55.27)],
  ['Tabriz', ll(38.08, 46.29), 'TR', ll(39.93, 32.86)],
  ['Pyongyang', ll(39.04, 125.76), 'KR', ll(37.57, 126.98)],
  ['Damascus', ll(33.51, 36.28), 'LB', ll(33.89, 35.5)],
  ['Havana', ll(23.11, -82.37), 'US', ll(25.76, -80.19)],
  ['Minsk', ll(53.9, 27.56), 'LT', ll(54.69, 25.28)],
  ['Brest, Belarus', ll(52.1, 23.7), 'PL', ll(52.23, 21.01)],
];

const rttsFrom = (place: LatLon, stretch: number): Ms[] => LANDMARKS.map((l) => syntheticRtt(l, place, { stretch, overheadMs: ms(0.1) }));

/** Delay strategies a host could use: it can only add delay to each landmark's RTT. */
function strategies(honest: Ms[], mimic: Ms[]): [string, number[]][] {
  const order = honest.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
  const median = honest.slice().sort((a, b) => a - b)[honest.length >> 1]!;
  const out: [string, number[]][] = [];
  for (const extra of [0, 1, 5, 20, 60, 200]) {
    out.push([`+${extra} ms everywhere`, honest.map((r) => r + extra)]);
    for (const k of [1, 2, 4]) out.push([`+${extra} ms on the nearest ${k}`, honest.map((r, i) => (order.slice(0, k).includes(i) ? r + extra : r))]);
    out.push([`+${extra} ms on far landmarks`, honest.map((r) => (r > median ? r + extra : r))]);
  }
  out.push(['imitating a host in the claimed country', honest.map((r, i) => Math.max(r, mimic[i]!))]);
  out.push(['imitating it, plus 3 ms', honest.map((r, i) => Math.max(r, mimic[i]!) + 3)]);
  return out;
}

describe('a host in a restricted country that adds delay', () => {
  it.each(SMUGGLED)('in %s, claiming %s, is never excluded nor verified', (_, truth, claim, decoy) => {
    for (const stretch of [1, 1.3, 2]) {
      for (const [how, rtts] of strategies(rttsFrom(truth, stretch), rttsFrom(decoy, 1))) {
        const bounds: RttBound[] = LANDMARKS.map((l, i) => ({ ...l, rtt: ms(rtts[i]!) }));
        const v = verifyTarget(world, bounds, claim, { speed: 'vacuum', restricted, marginKm: DEFAULT_BORDER_MARGIN });
        expect(v.restricted, how).not.toBe('excluded');
        expect(v.claim, how).not.toBe('verified');
      }
    }
  });

  it('gets excluded when honest and far from any restricted country (the test can fail)', () => {
    const warsawHost = rttsFrom(ll(52.2, 20.95), 1.3);
    const v = verifyTarget(world, LANDMARKS.map((l, i) => ({ ...l, rtt: warsawHost[i]! })), 'PL', { speed: 'vacuum', restricted, marginKm: DEFAULT_BORDER_MARGIN });
    expect(v.restricted).toBe('excluded');
  });
});

import { describe, expect, it } from 'vitest';
import { degrees, ms } from './units.js';
import { maxDistanceKm } from './bound.js';
import { distanceUpperBoundKm, syntheticRtt } from './synthetic.js';
import { DEFAULT_TRAVEL, boundsAt, grownRtt, travelConflict, type BoundAt, type TimedBound } from './travel.js';

const T0 = Date.parse('2026-11-29T12:00:00Z');
const MIN = 60_000;
const at = (landmark: string, lat: number, lon: number, rtt: number, minutes: number): TimedBound => ({ landmark, lat: degrees(lat), lon: degrees(lon), rtt: ms(rtt), at: T0 + minutes * MIN });
const FRA = [50.1109, 8.6821] as const;
const AMS = [52.3676, 4.9041] as const;
const SIN = [1.3521, 103.8198] as const;

describe('travel conflicts', () => {
  it('find one key answering near Frankfurt and near Singapore at once: a copied identity', () => {
    const c = travelConflict([at('fra-1', ...FRA, 1, 0), at('sin-1', ...SIN, 2, 3), at('sin-1', ...SIN, 170, 1)]);
    expect(c).toBeDefined();
    expect([c!.a.landmark, c!.b.landmark].sort()).toEqual(['fra-1', 'sin-1']);
    // 10,264 km apart on the sphere, less two caps of ~150 and ~300 km and 200 km of travel.
    expect(c!.gapKm).toBeGreaterThan(9500);
    expect(c!.gapKm).toBeLessThan(9700);
  });

  it('find nothing for an honest host far from one landmark', () => {
    expect(travelConflict([at('fra-1', ...FRA, 1, 0), at('sin-1', ...SIN, 170, 1), at('ams-1', ...AMS, 5, 2)])).toBeUndefined();
  });

  it('allow a host to move as fast as an airliner, not faster', () => {
    // Frankfurt–Amsterdam is ~365 km; caps of 30 km each; 1,200 km/h for at most 10 minutes is 200 km.
    expect(travelConflict([at('fra-1', ...FRA, 0.2, 0), at('ams-1', ...AMS, 0.2, 9)])).toMatchObject({ gapKm: expect.any(Number) });
    expect(travelConflict([at('fra-1', ...FRA, 0.2, 0), at('ams-1', ...AMS, 0.2, 9)], { speed: 'vacuum', maxSpeedKmPerH: 2400, bucketMs: 10 * MIN })).toBeUndefined();
    // Across adjacent buckets the allowance doubles (up to 20 minutes apart): 400 km, enough.
    expect(travelConflict([at('fra-1', ...FRA, 0.2, 9), at('ams-1', ...AMS, 0.2, 11)])).toBeUndefined();
  });

  it('find a move too fast across hours, not only within minutes, and allow one slow enough', () => {
    // Frankfurt, then Singapore three hours later: 10,264 km, where 3 h 10 min at 1,200 km/h is 3,800 km.
    const c = travelConflict([at('fra-1', ...FRA, 1, 0), at('sin-1', ...SIN, 1, 180)]);
    expect([c?.a.landmark, c?.b.landmark]).toEqual(['fra-1', 'sin-1']);
    expect(c!.gapKm).toBeGreaterThan(6000);
    expect(c!.gapKm).toBeLessThan(6500);
    // Nine hours later: a flight could have made it.
    expect(travelConflict([at('fra-1', ...FRA, 1, 0), at('sin-1', ...SIN, 1, 540)])).toBeUndefined();
  });

  it('uses the least RTT per landmark in each bucket and ignores an empty list', () => {
    expect(travelConflict([])).toBeUndefined();
    const slowThenFast = [at('fra-1', ...FRA, 50, 0), at('fra-1', ...FRA, 1, 1), at('sin-1', ...SIN, 1, 2)];
    expect(travelConflict(slowThenFast)?.a.rtt).toBe(1);
  });
});

describe('bounds at a time', () => {
  it('grow a bound by the way a host can travel since it was measured: 1,200 km an hour, as RTT in vacuum', () => {
    // 1,200 km/h for an hour is 1,200 km each way: 2 × 1,200 / 299.792458 ms.
    expect(grownRtt(ms(10), 3_600_000, DEFAULT_TRAVEL)).toBeCloseTo(10 + 2400 / 299.792458, 9);
    expect(grownRtt(ms(10), 60_000, DEFAULT_TRAVEL)).toBeCloseTo(10 + 40 / 299.792458, 9);
    // Read with light in fibre, the same 20 km is a longer RTT.
    expect(grownRtt(ms(10), 60_000, { speed: 'fiber', maxSpeedKmPerH: 1200 })).toBeCloseTo(10 + 40 / 199.861638, 6);
    expect(grownRtt(ms(10), 0, DEFAULT_TRAVEL)).toBe(10);
    // A landmark's clock ahead of the judge's: the measurement counts as taken now, never as tighter.
    expect(grownRtt(ms(10), -30_000, DEFAULT_TRAVEL)).toBe(10);
  });

  it('take per landmark the measurement tightest once grown, not the least RTT of the window', () => {
    const bounds = boundsAt([at('fra-1', ...FRA, 1, 0), at('fra-1', ...FRA, 1.5, 59), at('sin-1', ...SIN, 170, 30), at('sin-1', ...SIN, 171, 31)], T0 + 60 * MIN);
    expect(bounds.map((b) => b.measured.landmark)).toEqual(['fra-1', 'sin-1']);
    // The hour-old 1 ms grows by 8 ms; the minute-old 1.5 ms by 0.13 ms.
    expect(bounds[0]!.measured.rtt).toBe(1.5);
    expect(bounds[0]!.rtt).toBeCloseTo(1.5 + 40 / 299.792458, 9);
    // 30 minutes old against 29: a minute more of travel (0.13 ms) weighs less than 1 ms more RTT.
    expect(bounds[1]!.measured.rtt).toBe(170);
    expect(bounds[1]!.rtt).toBeCloseTo(170 + (30 * 40) / 299.792458, 9);
  });

  it('give no bound for no measurement, and keep the first of two equal ones', () => {
    expect(boundsAt([], T0)).toEqual([]);
    const first = at('fra-1', ...FRA, 2, 0);
    expect(boundsAt([first, at('fra-1', ...FRA, 2, 0)], T0)[0]!.measured).toBe(first);
  });

  it('go on from bounds already found as if their measurements came first', () => {
    const timed = [at('fra-1', ...FRA, 2, -50), at('sin-1', ...SIN, 170, -30), at('fra-1', ...FRA, 1.9, -55), at('sin-1', ...SIN, 170, -10), at('ams-1', 52.37, 4.9, 7, -5)];
    const held = boundsAt(timed.slice(0, 2), T0);
    expect(boundsAt(timed.slice(2), T0, DEFAULT_TRAVEL, held)).toEqual(boundsAt(timed, T0));
    // Of equal grown RTTs the held one stays; a tighter one replaces it.
    expect(boundsAt([at('sin-1', ...SIN, 170, -30)], T0, DEFAULT_TRAVEL, held)[1]).toBe(held[1]);
    expect(boundsAt([at('sin-1', ...SIN, 170, -29)], T0, DEFAULT_TRAVEL, held)[1]!.measured.at).toBe(T0 - 29 * MIN);
    expect(boundsAt([], T0, DEFAULT_TRAVEL, held)).toEqual(held);
  });

  it('hold a host that answered one landmark from one place and another from a second (it moved)', () => {
    // The audit's case: from Vyborg two hours ago, from Kaliningrad now. Ungrown, each landmark's
    // least RTT is the nearer place's, and Helsinki's cap (Vyborg's RTT) and Warsaw's
    // (Kaliningrad's) meet in the Baltics only. Grown, Vyborg's RTT is 2,400 km looser than the
    // answer from Kaliningrad now, and both bounds hold Kaliningrad.
    const vyborg = { lat: degrees(60.71), lon: degrees(28.75) };
    const kaliningrad = { lat: degrees(54.71), lon: degrees(20.51) };
    const hel = { landmark: 'hel', lat: degrees(60.17), lon: degrees(24.94) };
    const waw = { landmark: 'waw', lat: degrees(52.23), lon: degrees(21.01) };
    const timed = [hel, waw].flatMap((l) => [
      { ...l, rtt: syntheticRtt(l, vyborg), at: T0 - 120 * MIN },
      { ...l, rtt: syntheticRtt(l, kaliningrad), at: T0 },
    ]);
    const now = boundsAt(timed, T0);
    expect(now.map((b) => b.measured.at)).toEqual([T0, T0]);
    const holds = (b: BoundAt, place: typeof vyborg) => distanceUpperBoundKm(b.measured, place) <= maxDistanceKm(b.rtt, 'vacuum');
    for (const b of now) expect(holds(b, kaliningrad)).toBe(true);
    // Ungrown, Helsinki's bound does not reach Kaliningrad.
    expect(distanceUpperBoundKm(hel, kaliningrad)).toBeGreaterThan(maxDistanceKm(syntheticRtt(hel, vyborg), 'vacuum'));
  });
});

import { describe, expect, it } from 'vitest';
import { degrees, ms } from './units.js';
import { travelConflict, type TimedBound } from './travel.js';

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

  it('uses the least RTT per landmark in each bucket and ignores an empty list', () => {
    expect(travelConflict([])).toBeUndefined();
    const slowThenFast = [at('fra-1', ...FRA, 50, 0), at('fra-1', ...FRA, 1, 1), at('sin-1', ...SIN, 1, 2)];
    expect(travelConflict(slowThenFast)?.a.rtt).toBe(1);
  });
});

import { capAngleForDistance, maxDistanceKm } from './bound.js';
import { WGS84_MIN_RADIUS, MEAN_EARTH_RADIUS } from './constants.js';
import type { SpeedModel } from './speed.js';
import { angleBetween, fromLatLon } from './vec3.js';
import { km, type Degrees, type Km, type Ms } from './units.js';

/** One timed measurement of a host: from a landmark at a place, an RTT, at a time (ms since epoch). */
export interface TimedBound {
  readonly landmark: string;
  readonly lat: Degrees;
  readonly lon: Degrees;
  readonly rtt: Ms;
  readonly at: number;
}

/** Two measurements that one host cannot both have given: it would have had to move too fast. */
export interface TravelConflict {
  readonly a: TimedBound;
  readonly b: TimedBound;
  /** How far apart the two feasible caps stay after allowing the move, at least (km, mean radius). */
  readonly gapKm: Km;
}

export interface TravelOptions {
  readonly speed: SpeedModel;
  /** The fastest a host may move between measurements; a server on an airliner stays within this. */
  readonly maxSpeedKmPerH: number;
  /** Measurements are compared within and across adjacent time buckets of this width. */
  readonly bucketMs: number;
}

export const DEFAULT_TRAVEL: TravelOptions = Object.freeze({ speed: 'vacuum', maxSpeedKmPerH: 1200, bucketMs: 10 * 60_000 });

/**
 * Measurements of one host key that no single host could have given: by time bucket, the least
 * RTT per landmark, each compared with those of the same and the next bucket. The host was in
 * the first cap then and in the second later, and moved at most maxSpeed × (the longest time the
 * two buckets allow) — all as conservative sphere angles (the same as the verdict's caps), so a
 * conflict found is a proof that two hosts answer for this key (or that a landmark lies), never
 * a coincidence. Returns the widest conflict, or undefined.
 */
export function travelConflict(bounds: readonly TimedBound[], options: TravelOptions = DEFAULT_TRAVEL): TravelConflict | undefined {
  const buckets = new Map<number, Map<string, TimedBound>>();
  for (const b of bounds) {
    const key = Math.floor(b.at / options.bucketMs);
    const bucket = buckets.get(key) ?? new Map<string, TimedBound>();
    const held = bucket.get(b.landmark);
    if (!held || b.rtt < held.rtt) bucket.set(b.landmark, b);
    buckets.set(key, bucket);
  }
  // Each bound's cap once (a bucket's bounds meet those of three buckets).
  const caps = new Map<TimedBound, { center: ReturnType<typeof fromLatLon>; angle: number }>();
  const cap = (b: TimedBound) => {
    let c = caps.get(b);
    if (!c) caps.set(b, (c = { center: fromLatLon(b.lat, b.lon), angle: capAngleForDistance(b.lat, maxDistanceKm(b.rtt, options.speed)) }));
    return c;
  };
  let worst: TravelConflict | undefined;
  for (const [key, bucket] of buckets) {
    for (const next of [0, 1]) {
      const other = buckets.get(key + next);
      if (!other) continue;
      // Two measurements in buckets key and key+next are at most (next + 1) bucket widths apart.
      const moveAngle = (options.maxSpeedKmPerH * ((next + 1) * options.bucketMs)) / 3_600_000 / WGS84_MIN_RADIUS;
      for (const a of bucket.values()) {
        const ca = cap(a);
        for (const b of other.values()) {
          if (next === 0 && a.landmark >= b.landmark) continue;
          const cb = cap(b);
          const gap = angleBetween(ca.center, cb.center) - ca.angle - cb.angle - moveAngle;
          if (gap > 0 && (!worst || gap * MEAN_EARTH_RADIUS > worst.gapKm)) worst = { a, b, gapKm: km(gap * MEAN_EARTH_RADIUS) };
        }
      }
    }
  }
  return worst;
}

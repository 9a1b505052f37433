import { capAngleForDistance, maxDistanceKm } from './bound.js';
import { WGS84_MIN_RADIUS, MEAN_EARTH_RADIUS } from './constants.js';
import { speedOf, type SpeedModel } from './speed.js';
import { angleBetween, fromLatLon } from './vec3.js';
import { km, ms, type Degrees, type Km, type Ms } from './units.js';

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
  /** Measurements are summed up per landmark in time buckets of this width (the least RTT of each), and buckets compared. */
  readonly bucketMs: number;
}

export const DEFAULT_TRAVEL: TravelOptions = Object.freeze({ speed: 'vacuum', maxSpeedKmPerH: 1200, bucketMs: 10 * 60_000 });

/** How a bound grows with its age: the signal speed its RTT is read with, and the host's fastest travel. */
export type GrowthOptions = Pick<TravelOptions, 'speed' | 'maxSpeedKmPerH'>;

/**
 * The RTT that bounds, `ageMs` after it was measured, a host that moves at most
 * `maxSpeedKmPerH`: the host was within rtt/2 · v of the landmark then and has gone at most
 * maxSpeed × age since, so the cap of rtt + 2 · maxSpeed · age / v holds it now. A measurement
 * from the future (a landmark's clock ahead) does not shrink: its age counts as 0.
 */
export function grownRtt(rtt: Ms, ageMs: number, options: GrowthOptions): Ms {
  const travelledKm = (options.maxSpeedKmPerH * Math.max(0, ageMs)) / 3_600_000;
  return ms(rtt + (2 * travelledKm) / speedOf(options.speed));
}

/** A landmark's bound at a time: its measurement that bounds the host tightest then, and that RTT grown to then. */
export interface BoundAt {
  readonly measured: TimedBound;
  readonly rtt: Ms;
}

/**
 * Each landmark's bound on where a host is at `at` (ms since epoch), in the order the landmarks
 * first appear: of its measurements, the least RTT grown by its age (grownRtt); of equal ones,
 * the first given. A verdict on these describes where the host can be at `at`, even if it
 * answered different landmarks from different places as it moved; the least RTT of a window,
 * ungrown, holds only a host that stayed in one place for all of it. `held`: bounds at `at`
 * already found from measurements given before these (as if they came first in `timed`).
 */
export function boundsAt(timed: readonly TimedBound[], at: number, options: GrowthOptions = DEFAULT_TRAVEL, held: readonly BoundAt[] = []): BoundAt[] {
  const best = new Map<string, BoundAt>(held.map((b) => [b.measured.landmark, b]));
  for (const b of timed) {
    const rtt = grownRtt(b.rtt, at - b.at, options);
    const tightest = best.get(b.landmark);
    if (!tightest || rtt < tightest.rtt) best.set(b.landmark, { measured: b, rtt });
  }
  return [...best.values()];
}

/**
 * Measurements of one host key that no single host could have given: by time bucket, the least
 * RTT per landmark, each compared with those of other landmarks in every bucket. The host was in
 * the first cap then and in the second later, and moved at most maxSpeed × (the longest time the
 * two buckets allow) — all as conservative sphere angles (the same as the verdict's caps), so a
 * conflict found is a proof that two hosts answer for this key (or that a landmark lies), never
 * a coincidence. Returns the widest conflict, or undefined. Two landmarks whose tightest caps
 * meet cannot conflict, so an honest host's costs a comparison per pair of landmarks.
 */
export function travelConflict(bounds: readonly TimedBound[], options: TravelOptions = DEFAULT_TRAVEL): TravelConflict | undefined {
  // Per landmark, per bucket, the least RTT (of equal ones the first given) and its cap.
  type Held = { readonly bucket: number; readonly bound: TimedBound; angle: number };
  const byLandmark = new Map<string, Map<number, Held>>();
  for (const b of bounds) {
    const bucket = Math.floor(b.at / options.bucketMs);
    const buckets = byLandmark.get(b.landmark) ?? new Map<number, Held>();
    const held = buckets.get(bucket);
    if (!held || b.rtt < held.bound.rtt) buckets.set(bucket, { bucket, bound: b, angle: 0 });
    byLandmark.set(b.landmark, buckets);
  }
  const landmarks = [...byLandmark.values()].map((buckets) => {
    const held = [...buckets.values()];
    for (const h of held) h.angle = capAngleForDistance(h.bound.lat, maxDistanceKm(h.bound.rtt, options.speed));
    return { center: fromLatLon(held[0]!.bound.lat, held[0]!.bound.lon), held, tightest: Math.min(...held.map((h) => h.angle)) };
  });
  // The move allowed between buckets `apart` apart: they hold times at most (apart + 1) widths apart.
  const moveAngle = (apart: number) => (options.maxSpeedKmPerH * ((apart + 1) * options.bucketMs)) / 3_600_000 / WGS84_MIN_RADIUS;
  let worst: TravelConflict | undefined;
  for (const [i, x] of landmarks.entries()) {
    for (const y of landmarks.slice(i + 1)) {
      const apart = angleBetween(x.center, y.center);
      if (apart - x.tightest - y.tightest <= 0) continue;
      for (const a of x.held) {
        for (const b of y.held) {
          const gap = apart - a.angle - b.angle - moveAngle(Math.abs(a.bucket - b.bucket));
          if (gap <= 0 || (worst && gap * MEAN_EARTH_RADIUS <= worst.gapKm)) continue;
          const [first, second] = a.bound.at <= b.bound.at ? [a.bound, b.bound] : [b.bound, a.bound];
          worst = { a: first, b: second, gapKm: km(gap * MEAN_EARTH_RADIUS) };
        }
      }
    }
  }
  return worst;
}

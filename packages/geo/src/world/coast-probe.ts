import { SPEED_OF_LIGHT_VACUUM, MEAN_EARTH_RADIUS, DEFAULT_BORDER_MARGIN } from '../constants.js';
import type { CountryCode } from '../countries.js';
import { degrees, km, ms, type Km } from '../units.js';
import { angleBetween, dot, fromLatLon, tangentFrame, type Vec3 } from '../vec3.js';
import { verifyTarget } from '../verdict.js';
import { unitsContaining } from './pip.js';
import type { World } from './world.js';

/**
 * A search for waters a country may hold that the world leaves out: points at sea inside the
 * convex hull of that country's land nearby, where a straight baseline between two points of it
 * could run, and where a region around the point still proves the country absent. It finds
 * candidates, not law: Locus cannot know which baselines a country drew, and a point between a
 * country's islands and another country's coast may well be the other's (see docs/geo.md,
 * "Reviewing the overlay areas").
 */
export interface CoastProbeOptions {
  /** The country whose waters to look for. */
  readonly country: CountryCode;
  /** Degrees; west > east crosses the antimeridian. */
  readonly south: number;
  readonly north: number;
  readonly west: number;
  readonly east: number;
  /** Grid step of the points tried at sea, in degrees (default 0.1). */
  readonly stepDeg?: number;
  /** Longest baseline looked for: land farther than this from a point does not count (default 100 km). */
  readonly segmentKm?: number;
  /** The verdict's margin (default 25 km, as `geo verify`). */
  readonly marginKm?: number;
  /** Called after each row of the grid, for progress. */
  readonly onRow?: (done: number, rows: number) => void;
}

export interface CoastProbeHit {
  readonly lat: number;
  readonly lon: number;
  /** The largest region (a cap around the point, to 1 km) that still proves the country absent. */
  readonly largestExcludedKm: number;
  /** The widest angle, seen from the point, with none of the country's land within `segmentKm` (under 180°: inside its hull). */
  readonly gapDeg: number;
  /** Whether another country's land lies within `segmentKm` too: the waters there may be its. */
  readonly otherLandNear: boolean;
}

/** Land is sampled at this step (degrees) to find the country's land around each point. */
const LAND_STEP_DEG = 0.05;
/** Regions are searched up to this radius (km). */
const LARGEST_KM = 2000;

interface LandPoint {
  readonly v: Vec3;
  readonly holder: boolean;
}

const wrapLon = (lon: number): number => ((((lon + 180) % 360) + 360) % 360) - 180;

/** Longitudes from west to east by step, across the antimeridian when west > east. */
function lonsOf(west: number, east: number, step: number): number[] {
  const span = east >= west ? east - west : east + 360 - west;
  return Array.from({ length: Math.floor(span / step + 1e-9) + 1 }, (_, i) => wrapLon(west + i * step));
}

function latsOf(south: number, north: number, step: number): number[] {
  return Array.from({ length: Math.floor((north - south) / step + 1e-9) + 1 }, (_, i) => south + i * step);
}

/**
 * Probes a box of sea for the country's waters the world leaves out (see CoastProbeOptions).
 * Cost: one point-in-country test per land sample and per sea point, and a dozen verdicts for
 * each point inside the hull; a box of 10° by 10° at 0.1° takes seconds.
 */
export function probeCoast(world: World, o: CoastProbeOptions): CoastProbeHit[] {
  const step = o.stepDeg ?? 0.1;
  const segment = o.segmentKm ?? 100;
  const margin = km(o.marginKm ?? DEFAULT_BORDER_MARGIN);
  const codesAt = (lat: number, lon: number): readonly CountryCode[] =>
    unitsContaining(world, fromLatLon(degrees(lat), degrees(lon))).flatMap((u) => world.units[u]!.codes);

  // The land around the box, binned by whole degrees so each point looks at its neighbourhood only.
  const padLat = segment / 111 + 1;
  const padLon = Math.min(180, segment / (111 * Math.cos((Math.min(85, Math.max(Math.abs(o.south), Math.abs(o.north)) + padLat) * Math.PI) / 180)) + 1);
  const bins = new Map<string, LandPoint[]>();
  const binKey = (lat: number, lon: number) => `${Math.floor(lat)},${Math.floor(wrapLon(lon))}`;
  const boxSpan = o.east >= o.west ? o.east - o.west : o.east + 360 - o.west;
  const landLons = boxSpan + 2 * padLon >= 360 ? lonsOf(-180, 180 - LAND_STEP_DEG, LAND_STEP_DEG) : lonsOf(o.west - padLon, o.east + padLon, LAND_STEP_DEG);
  for (const lat of latsOf(Math.max(-89.9, o.south - padLat), Math.min(89.9, o.north + padLat), LAND_STEP_DEG)) {
    for (const lon of landLons) {
      const codes = codesAt(lat, lon);
      if (codes.length === 0) continue;
      const key = binKey(lat, lon);
      const list = bins.get(key) ?? [];
      list.push({ v: fromLatLon(degrees(lat), degrees(lon)), holder: codes.includes(o.country) });
      bins.set(key, list);
    }
  }
  const landNear = (lat: number, lon: number): LandPoint[] => {
    const dLat = Math.ceil(segment / 111) + 1;
    const dLon = Math.min(180, Math.ceil(segment / (111 * Math.max(0.01, Math.cos(((Math.abs(lat) + dLat) * Math.PI) / 180)))) + 1);
    const out: LandPoint[] = [];
    for (let a = Math.floor(lat) - dLat; a <= Math.floor(lat) + dLat; a++) {
      for (let b = -dLon; b <= dLon; b++) out.push(...(bins.get(`${a},${Math.floor(wrapLon(Math.floor(lon) + b))}`) ?? []));
    }
    return out;
  };

  const absent = (lat: number, lon: number, radiusKm: number): boolean =>
    !verifyTarget(world, [{ lat: degrees(lat), lon: degrees(lon), rtt: ms((2 * radiusKm) / SPEED_OF_LIGHT_VACUUM) }], null, {
      speed: 'vacuum',
      marginKm: margin,
      restricted: new Set([o.country]),
    }).possibleCountries.includes(o.country);
  const largestExcluded = (lat: number, lon: number): Km => {
    if (!absent(lat, lon, 1)) return km(0);
    let lo = 1;
    let hi = LARGEST_KM;
    while (hi - lo > 1) {
      const mid = (lo + hi) / 2;
      if (absent(lat, lon, mid)) lo = mid;
      else hi = mid;
    }
    return km(lo);
  };

  const hits: CoastProbeHit[] = [];
  const lats = latsOf(o.south, o.north, step);
  lats.forEach((lat, row) => {
    for (const lon of lonsOf(o.west, o.east, step)) {
      if (codesAt(lat, lon).length > 0) continue;
      const q = fromLatLon(degrees(lat), degrees(lon));
      const near = landNear(lat, lon).filter((p) => angleBetween(q, p.v) * MEAN_EARTH_RADIUS <= segment);
      const held = near.filter((p) => p.holder);
      if (held.length === 0) continue;
      const { e1, e2 } = tangentFrame(q);
      const bearings = held.map((p) => Math.atan2(dot(p.v, e2), dot(p.v, e1))).sort((a, b) => a - b);
      let gap = bearings[0]! + 2 * Math.PI - bearings.at(-1)!;
      for (let i = 1; i < bearings.length; i++) gap = Math.max(gap, bearings[i]! - bearings[i - 1]!);
      if (gap >= Math.PI) continue;
      const largest = largestExcluded(lat, lon);
      if (largest < 1) continue;
      hits.push({ lat, lon, largestExcludedKm: largest, gapDeg: (gap * 180) / Math.PI, otherLandNear: near.length > held.length });
    }
    o.onRow?.(row + 1, lats.length);
  });
  return hits;
}

/**
 * Landmark planning: which candidate sites to add so that the most hosts reach
 * `restricted: excluded`. Every "would this host be excluded" is answered by `verifyTarget`, the
 * function `locus geo verify` uses, on the host's bounds plus the predicted one; the planner never
 * changes a verdict on real measurements.
 */
import { capAngleForDistance, maxDistanceKm } from '../bound.js';
import { MEAN_EARTH_RADIUS } from '../constants.js';
import type { CountryCode } from '../countries.js';
import { farthestAngle, regionArea, samplePoints } from '../measure.js';
import { regionContains, type Region } from '../region.js';
import { makeCap, type Cap } from '../cap.js';
import { degrees, type Degrees, type Ms } from '../units.js';
import { dot, fromLatLon, toLatLon, type Vec3 } from '../vec3.js';
import { regionFromRtts, verifyTarget, type RttBound, type Verdict, type VerifyOptions } from '../verdict.js';
import { NO_UNIT, rasterUnitAt } from '../world/raster.js';
import type { World } from '../world/world.js';

export interface PlanSite {
  readonly id: string;
  readonly lat: Degrees;
  readonly lon: Degrees;
}

export interface PlanHost {
  readonly id: string;
  readonly lat: Degrees;
  readonly lon: Degrees;
  /** What the host starts from: its measured RTTs, or ones predicted for the existing landmarks. */
  readonly bounds: readonly RttBound[];
}

/** The RTT a candidate site would measure to a host (real or predicted). */
export type RttOracle = (host: number, site: number) => Ms;

export interface PlanOptions extends VerifyOptions {
  readonly k: number;
  /** Points sampled per region to measure how much restricted area a site removes (tie-break). */
  readonly areaSamples?: number;
}

export interface PlanPick {
  readonly site: number;
  /** Hosts this site makes `excluded`, in host order. */
  readonly newlyExcluded: readonly number[];
  /** Restricted area removed from the regions of hosts not yet excluded, km² (estimated). */
  readonly restrictedAreaRemovedKm2: number;
}

export interface PlanResult {
  readonly picks: readonly PlanPick[];
  readonly excludedBefore: readonly boolean[];
  readonly excludedAfter: readonly boolean[];
  /** Each host's verdict with every pick added (real or predicted bounds, as planned). */
  readonly finalVerdicts: readonly Verdict[];
  readonly finalBounds: readonly (readonly RttBound[])[];
  /** Verdict calls made, for benchmarks. */
  readonly verdictCalls: number;
}

interface HostState {
  bounds: RttBound[];
  region: Region;
  excluded: boolean;
  verdict: Verdict;
  /** Points of the region that lie in restricted land, and the area each stands for (sr). */
  restrictedPoints: Vec3[];
  pointArea: number;
}

interface Effect {
  readonly flips: boolean;
  /** Restricted area removed, steradians. */
  readonly removed: number;
}

const NO_EFFECT: Effect = { flips: false, removed: 0 };
const DEFAULT_AREA_SAMPLES = 256;

/**
 * Points in restricted land are found on the 0.1° raster, so they lie within a cell (under 8 km)
 * of restricted land; with a margin above this a region keeping one cannot be excluded, and the
 * verdict call can be skipped. Below it the planner always asks the verdict.
 */
export const SKIP_MARGIN_KM = 15;

const isRestrictedAt = (world: World, p: Vec3, restricted: ReadonlySet<CountryCode>): boolean => {
  const { lat, lon } = toLatLon(p);
  const u = rasterUnitAt(world.raster, lat, lon);
  return u !== NO_UNIT && world.units[u]!.codes.some((c) => restricted.has(c));
};

/**
 * Centres of the `stepDeg` grid cells that lie in restricted land on the border raster: each is
 * within a raster cell (under 8 km) of restricted land.
 */
export function restrictedLandPoints(world: World, restricted: ReadonlySet<CountryCode>, stepDeg = 1): Vec3[] {
  const out: Vec3[] = [];
  for (let lat = -90 + stepDeg / 2; lat < 90; lat += stepDeg) {
    for (let lon = -180 + stepDeg / 2; lon < 180; lon += stepDeg) {
      const p = fromLatLon(degrees(lat), degrees(lon));
      if (isRestrictedAt(world, p, restricted)) out.push(p);
    }
  }
  return out;
}

/**
 * True when the region holds one of the points. With restrictedLandPoints and a margin of at least
 * SKIP_MARGIN_KM such a region cannot be excluded; false says nothing. Cheap for vast regions,
 * where the border query is not.
 */
export function regionHoldsAny(region: Region, points: readonly Vec3[]): boolean {
  if (region.empty) return false;
  const first = region.caps[0];
  return points.some((p) => (!first || dot(first.center, p) >= first.cos) && regionContains(region, p));
}

export function restrictedPointsOf(world: World, region: Region, restricted: ReadonlySet<CountryCode>, count: number): { points: Vec3[]; pointArea: number } {
  if (region.empty) return { points: [], pointArea: 0 };
  const all = samplePoints(region, count);
  const points = all.filter((p) => isRestrictedAt(world, p, restricted));
  return { points, pointArea: all.length === 0 ? 0 : regionArea(region) / all.length };
}

/**
 * Greedy selection: each round takes the site that makes the most hosts excluded, ties broken by
 * the restricted area it removes from the regions of the hosts still possible. Stops after k
 * sites or when no site changes anything. Effects are cached per host and site and recomputed only
 * for hosts whose region a pick changed.
 */
export function planSites(world: World, hosts: readonly PlanHost[], sites: readonly PlanSite[], rtt: RttOracle, options: PlanOptions): PlanResult {
  const verify: VerifyOptions = { speed: options.speed, restricted: options.restricted, marginKm: options.marginKm, shareSamples: options.shareSamples ?? 16 };
  const samples = options.areaSamples ?? DEFAULT_AREA_SAMPLES;
  let verdictCalls = 0;
  const judge = (bounds: readonly RttBound[]): Verdict => {
    verdictCalls++;
    return verifyTarget(world, bounds, null, verify);
  };
  const stateOf = (bounds: RttBound[]): HostState => {
    const region = regionFromRtts(bounds, options.speed);
    const verdict = judge(bounds);
    const excluded = verdict.restricted === 'excluded';
    const { points, pointArea } = excluded ? { points: [], pointArea: 0 } : restrictedPointsOf(world, region, options.restricted, samples);
    return { bounds, region, excluded, verdict, restrictedPoints: points, pointArea };
  };
  const states = hosts.map((h) => stateOf(h.bounds.slice()));
  const excludedBefore = states.map((s) => s.excluded);
  const siteCenters = sites.map((s) => fromLatLon(s.lat, s.lon));
  const boundOf = (h: number, s: number): RttBound => ({ lat: sites[s]!.lat, lon: sites[s]!.lon, rtt: rtt(h, s) });
  const capOf = (b: RttBound, s: number): Cap => makeCap(siteCenters[s]!, capAngleForDistance(b.lat, maxDistanceKm(b.rtt, options.speed)));

  const effect = (h: number, s: number): Effect => {
    const st = states[h]!;
    if (st.excluded || st.region.empty) return NO_EFFECT;
    const bound = boundOf(h, s);
    const cap = capOf(bound, s);
    // A cap that holds the whole region changes nothing.
    if (farthestAngle(st.region, cap.center) <= cap.angle) return NO_EFFECT;
    let kept = 0;
    for (const p of st.restrictedPoints) if (dot(p, cap.center) >= cap.cos) kept++;
    const removed = (st.restrictedPoints.length - kept) * st.pointArea;
    if (kept > 0 && options.marginKm >= SKIP_MARGIN_KM) return { flips: false, removed };
    return { flips: judge([...st.bounds, bound]).restricted === 'excluded', removed };
  };

  const cache: (Effect | undefined)[][] = hosts.map(() => sites.map(() => undefined));
  const chosen = new Set<number>();
  const picks: PlanPick[] = [];
  for (let round = 0; round < Math.min(options.k, sites.length); round++) {
    let best = -1;
    let bestGain = 0;
    let bestRemoved = 0;
    for (let s = 0; s < sites.length; s++) {
      if (chosen.has(s)) continue;
      let gain = 0;
      let removed = 0;
      for (let h = 0; h < hosts.length; h++) {
        const e = (cache[h]![s] ??= effect(h, s));
        if (e.flips) gain++;
        removed += e.removed;
      }
      if (gain > bestGain || (gain === bestGain && removed > bestRemoved)) [best, bestGain, bestRemoved] = [s, gain, removed];
    }
    if (best < 0) break;
    chosen.add(best);
    const newlyExcluded: number[] = [];
    for (let h = 0; h < hosts.length; h++) {
      const e = cache[h]![best]!;
      if (e === NO_EFFECT) continue;
      const next = stateOf([...states[h]!.bounds, boundOf(h, best)]);
      if (next.excluded && !states[h]!.excluded) newlyExcluded.push(h);
      states[h] = next;
      cache[h] = sites.map(() => undefined);
    }
    picks.push({ site: best, newlyExcluded, restrictedAreaRemovedKm2: bestRemoved * MEAN_EARTH_RADIUS * MEAN_EARTH_RADIUS });
  }
  return {
    picks,
    excludedBefore,
    excludedAfter: states.map((s) => s.excluded),
    finalVerdicts: states.map((s) => s.verdict),
    finalBounds: states.map((s) => s.bounds),
    verdictCalls,
  };
}

/**
 * Scores sets of sites: which hosts are excluded with those sites added, each site's RTT from
 * `rtt`. Sites whose cap holds a host's whole region are left out of its verdict (they change
 * nothing), so most hosts keep their first verdict and scoring many sets stays cheap.
 */
export function siteScorer(world: World, hosts: readonly PlanHost[], sites: readonly PlanSite[], rtt: RttOracle, options: VerifyOptions): (chosen: readonly number[]) => boolean[] {
  const verify: VerifyOptions = { ...options, shareSamples: options.shareSamples ?? 16 };
  const base = hosts.map((h) => verifyTarget(world, h.bounds, null, verify).restricted === 'excluded');
  const cuts = hosts.map((h, i) => {
    const region = regionFromRtts(h.bounds, options.speed);
    return sites.map((s, j) => {
      const b: RttBound = { lat: s.lat, lon: s.lon, rtt: rtt(i, j) };
      return farthestAngle(region, fromLatLon(s.lat, s.lon)) > capAngleForDistance(b.lat, maxDistanceKm(b.rtt, options.speed)) ? b : undefined;
    });
  });
  return (chosen) =>
    hosts.map((h, i) => {
      const added = chosen.map((s) => cuts[i]![s]).filter((b): b is RttBound => b !== undefined);
      if (added.length === 0) return base[i]!;
      return verifyTarget(world, [...h.bounds, ...added], null, verify).restricted === 'excluded';
    });
}

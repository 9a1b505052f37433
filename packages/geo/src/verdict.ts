import { capAngleForDistance, maxDistanceKm } from './bound.js';
import { makeCap } from './cap.js';
import { WGS84_MIN_RADIUS, MEAN_EARTH_RADIUS } from './constants.js';
import type { CountryCode } from './countries.js';
import { enclosingCap, regionArea, samplePoints } from './measure.js';
import { arcMidpoint, regionFromCaps, type Region } from './region.js';
import type { SpeedModel } from './speed.js';
import { km, km2, radians, type Degrees, type Km, type Km2, type Ms } from './units.js';
import { fromLatLon, toLatLon, type LatLon, type Vec3 } from './vec3.js';
import { overlayGridUnitsAt, overlayUnitsAt } from './world/overlay.js';
import { unitsContaining } from './world/pip.js';
import { arcsMeetingRegion } from './world/query.js';
import { NO_UNIT, rasterUnitAt } from './world/raster.js';
import type { Borders, CountryUnit, World } from './world/world.js';

export const CLAIM_VERDICTS = ['verified', 'consistent', 'contradicted'] as const;
export type ClaimVerdict = (typeof CLAIM_VERDICTS)[number];
export const RESTRICTED_VERDICTS = ['excluded', 'possible', 'certain'] as const;
export type RestrictedVerdict = (typeof RESTRICTED_VERDICTS)[number];

/** A minimum round-trip time measured by a landmark at a known place. */
export interface RttBound {
  readonly lat: Degrees;
  readonly lon: Degrees;
  readonly rtt: Ms;
}

/**
 * Why a bound cannot be judged from; undefined when it can. A negative RTT would draw a cap past
 * the antipode whose sine is negative, and a latitude past a pole a centre elsewhere: either
 * could exclude countries the host may be in, so they are refused rather than computed.
 */
export function badBound(b: RttBound): string | undefined {
  if (!(b.rtt >= 0)) return `RTT ${b.rtt} ms is not a non-negative number`;
  if (!(Math.abs(b.lat) <= 90)) return `latitude ${b.lat} is not within ±90°`;
  if (!(Math.abs(b.lon) <= 180)) return `longitude ${b.lon} is not within ±180°`;
  return undefined;
}

/** The feasible region: every point that could answer each landmark within its RTT. Throws RangeError on a bound badBound refuses. */
export function regionFromRtts(bounds: readonly RttBound[], speed: SpeedModel): Region {
  for (const b of bounds) {
    const bad = badBound(b);
    if (bad !== undefined) throw new RangeError(`cannot judge from this bound: ${bad}`);
  }
  return regionFromCaps(bounds.map((b) => makeCap(fromLatLon(b.lat, b.lon), capAngleForDistance(b.lat, maxDistanceKm(b.rtt, speed)))));
}

/** The region grown by `marginKm` in every direction (a superset: each cap grows by the margin). */
export function expandRegion(region: Region, marginKm: Km): Region {
  if (region.whole || marginKm === 0) return region;
  const grow = marginKm / WGS84_MIN_RADIUS;
  return regionFromCaps(region.caps.map((c) => makeCap(c.center, radians(c.angle + grow))));
}

export interface Verdict {
  readonly claimed: CountryCode | null;
  readonly claim: ClaimVerdict | null;
  readonly restricted: RestrictedVerdict;
  /** Every country whose land or overlay area comes within the margin of the region, largest share of the region first. */
  readonly possibleCountries: readonly CountryCode[];
  readonly areaKm2: Km2;
  readonly radiusKm: Km | null;
  readonly estimate: LatLon | null;
  readonly countryEstimate: CountryCode | null;
  readonly empty: boolean;
}

export interface JudgeOptions {
  readonly claimed: CountryCode | null;
  /**
   * How far beyond the region a country still counts as possible, in km. It covers each
   * country's territorial sea (12 nautical miles, 22.2 km) and error in the border data.
   * A larger margin only ever weakens a verdict.
   */
  readonly marginKm: Km;
  readonly restricted: ReadonlySet<CountryCode>;
  /** Points sampled to rank countries by area share; membership never depends on it. */
  readonly shareSamples?: number;
}

const DEFAULT_SHARE_SAMPLES = 512;

/** Units whose land or border meets the region: exact, up to the cap rim slack. */
function unitsMeeting(world: Borders, region: Region, containing = (p: Vec3): number[] => unitsContaining(world, p)): Uint8Array {
  const meets = new Uint8Array(world.units.length);
  if (region.whole) return meets.fill(1);
  arcsMeetingRegion(world, region).forEach((hit, a) => {
    if (hit) for (let o = world.ownerStart[a]!; o < world.ownerStart[a + 1]!; o++) meets[world.owners[o]!] = 1;
  });
  // A part of the region that crosses no border lies inside one unit (or at sea); each
  // part has a boundary arc, so testing one point per arc finds every such unit.
  for (const arc of region.arcs) for (const u of containing(arcMidpoint(region, arc))) meets[u] = 1;
  return meets;
}

/**
 * Judges a region against country borders, with the semantics of DESIGN.md. Hosts stand on
 * land or in a country's territorial sea, so a country is possible when its land comes
 * within `marginKm` of the region; so is it when one of the world's overlay areas of it
 * (waters beyond the territorial sea, reefs, occupied land) does. Then `excluded`,
 * `contradicted`, `verified` and `certain` hold for the true location whenever the RTTs obey
 * the speed bound, because the region always contains it.
 */
export function judgeRegion(world: World, region: Region, options: JudgeOptions): Verdict {
  const { claimed } = options;
  if (region.empty) {
    return {
      claimed,
      claim: claimed === null ? null : 'contradicted',
      restricted: 'possible',
      possibleCountries: [],
      areaKm2: km2(0),
      radiusKm: null,
      estimate: null,
      countryEstimate: null,
      empty: true,
    };
  }
  const { units, overlay } = world;
  const expanded = expandRegion(region, options.marginKm);
  const meets = unitsMeeting(world, expanded);
  const meeting = units.filter((_, u) => meets[u] === 1);
  const overlayMeets = overlay ? unitsMeeting(overlay, expanded, (p) => overlayUnitsAt(overlay, p)) : new Uint8Array(0);
  const touchedAreas = overlay ? overlay.units.flatMap((_, u) => (overlayMeets[u] === 1 ? [u] : [])) : [];
  const touched = touchedAreas.map((u) => overlay!.units[u]!);
  const isRestricted = (c: CountryCode): boolean => options.restricted.has(c);
  // A disputed unit is one of its codes, we cannot say which; an undisputed one is all of them.
  const certainOf = (u: CountryUnit, holds: (c: CountryCode) => boolean): boolean => (u.disputed ? u.codes.every(holds) : u.codes.some(holds));

  let restricted: RestrictedVerdict = 'possible';
  if (!meeting.some((u) => u.codes.some(isRestricted))) restricted = 'excluded';
  else if (meeting.every((u) => certainOf(u, isRestricted))) restricted = 'certain';

  const isClaimed = (c: CountryCode): boolean => c === claimed;
  let claim: ClaimVerdict | null = null;
  if (claimed !== null) {
    if (!meeting.some((u) => u.codes.some(isClaimed))) claim = 'contradicted';
    else if (meeting.every((u) => certainOf(u, isClaimed))) claim = 'verified';
    else claim = 'consistent';
  }

  // Overlay outlines are drawn with room to spare (over coasts and past front lines), so an area may
  // only weaken a verdict: it makes its countries possible, and keeps "certain" or "verified"
  // only where that verdict already holds of the area. It never makes one.
  if (restricted === 'excluded' && touched.some((u) => u.codes.some(isRestricted))) restricted = 'possible';
  if (restricted === 'certain' && !touched.every((u) => certainOf(u, isRestricted))) restricted = 'possible';
  if (claim === 'contradicted' && touched.some((u) => u.codes.some(isClaimed))) claim = 'consistent';
  if (claim === 'verified' && !touched.every((u) => certainOf(u, isClaimed))) claim = 'consistent';

  const enclosing = enclosingCap(region);
  const share = new Map<CountryCode, number>();
  for (const unit of [...meeting, ...touched]) for (const c of unit.codes) share.set(c, 0);
  const count = (c: CountryCode): void => {
    if (share.has(c)) share.set(c, share.get(c)! + 1);
  };
  for (const p of samplePoints(region, options.shareSamples ?? DEFAULT_SHARE_SAMPLES, enclosing)) {
    const at = toLatLon(p);
    const u = rasterUnitAt(world.raster, at.lat, at.lon);
    const codes = u === NO_UNIT ? [] : units[u]!.codes;
    const areas = overlay && touchedAreas.length > 0 ? overlayGridUnitsAt(overlay, at, touchedAreas) : [];
    if (areas.length === 0) codes.forEach(count);
    else new Set([...codes, ...areas.flatMap((a) => overlay!.units[a]!.codes)]).forEach(count);
  }
  const possibleCountries = [...share].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).map(([c]) => c);

  return {
    claimed,
    claim,
    restricted,
    possibleCountries,
    areaKm2: km2(regionArea(region) * MEAN_EARTH_RADIUS * MEAN_EARTH_RADIUS),
    radiusKm: km(enclosing.angle * MEAN_EARTH_RADIUS),
    estimate: toLatLon(enclosing.center),
    countryEstimate: possibleCountries[0] ?? null,
    empty: false,
  };
}

export interface VerifyOptions extends Omit<JudgeOptions, 'claimed'> {
  readonly speed: SpeedModel;
}

/** Region and verdict for one target from its minimum RTTs. */
export function verifyTarget(world: World, bounds: readonly RttBound[], claimed: CountryCode | null, options: VerifyOptions): Verdict {
  return judgeRegion(world, regionFromRtts(bounds, options.speed), { ...options, claimed });
}

/**
 * Why a host stays uncovered after planning, in terms a person can act on: which restricted
 * country its region still touches, how fast a landmark near it would have to answer, and whether
 * any candidate is near enough.
 */
import { MEAN_EARTH_RADIUS } from '../constants.js';
import { countryName, type CountryCode } from '../countries.js';
import { speedOf, type SpeedModel } from '../speed.js';
import { km, type Km, type Ms } from '../units.js';
import { fromLatLon, type LatLon, type Vec3 } from '../vec3.js';
import type { Verdict } from '../verdict.js';
import { unitsContaining } from '../world/pip.js';
import type { Borders, World } from '../world/world.js';
import { modelDistanceKm } from './rtt-model.js';

/**
 * Distances to the nearest land of given countries, or overlay area of them (zero inside one),
 * with each country's vertices gathered once.
 */
export function nearestLandFinder(world: World): (codes: readonly CountryCode[], p: LatLon) => { code: CountryCode; km: Km } | undefined {
  const vertices = new Map<CountryCode, Float64Array>();
  const gather = (borders: Borders, code: CountryCode, out: number[]): void => {
    for (let a = 0; a < borders.arcFirst.length; a++) {
      let owned = false;
      for (let o = borders.ownerStart[a]!; o < borders.ownerStart[a + 1]! && !owned; o++) owned = borders.units[borders.owners[o]!]!.codes.includes(code);
      if (!owned) continue;
      for (let i = borders.arcFirst[a]!; i <= borders.arcLast[a]!; i++) out.push(borders.xyz[3 * i]!, borders.xyz[3 * i + 1]!, borders.xyz[3 * i + 2]!);
    }
  };
  const of = (code: CountryCode): Float64Array => {
    let v = vertices.get(code);
    if (v) return v;
    const out: number[] = [];
    gather(world, code, out);
    if (world.overlay) gather(world.overlay, code, out);
    vertices.set(code, (v = Float64Array.from(out)));
    return v;
  };
  return (codes, p) => {
    const q: Vec3 = fromLatLon(p.lat, p.lon);
    const overlay = world.overlay;
    const inside = overlay ? unitsContaining(overlay, q).flatMap((u) => overlay.units[u]!.codes) : [];
    let best: { code: CountryCode; km: Km } | undefined;
    for (const code of codes) {
      if (inside.includes(code)) return { code, km: km(0) };
      const v = of(code);
      let top = -2;
      for (let i = 0; i < v.length; i += 3) top = Math.max(top, v[i]! * q[0] + v[i + 1]! * q[1] + v[i + 2]! * q[2]);
      if (top < -1) continue;
      const d = km(Math.acos(Math.min(1, top)) * MEAN_EARTH_RADIUS);
      if (!best || d < best.km) best = { code, km: d };
    }
    return best;
  };
}

export interface ReasonInput {
  readonly host: LatLon;
  readonly verdict: Verdict;
  readonly restricted: ReadonlySet<CountryCode>;
  readonly marginKm: Km;
  readonly speed: SpeedModel;
  /** The host's predicted RTT from a landmark `d` km away (per-host or global model). */
  readonly predict: (d: Km) => Ms;
  /** The host's own model, when the prediction comes from its measurements: its path inflation over straight fibre. */
  readonly measured: { readonly inflation: number } | null;
  readonly candidates: readonly (LatLon & { readonly id: string; readonly name: string })[];
  readonly chosen: ReadonlySet<number>;
  readonly k: number;
  readonly nearestLand: ReturnType<typeof nearestLandFinder>;
}

const f1 = (x: number): string => x.toFixed(1);
const f0 = (x: number): string => x.toFixed(0);
const f2 = (x: number): string => x.toFixed(x < 1 ? 2 : 1);

/** A sentence saying why the host is not predicted excluded, and what would change that. */
export function uncoveredReason(input: ReasonInput): string {
  const { verdict, host, marginKm } = input;
  if (verdict.empty) return 'its RTTs leave no place that fits them all (a broken measurement or a listed position far from the host), so nothing can be proven';
  const touched = verdict.possibleCountries.filter((c) => input.restricted.has(c));
  const names = touched.join(', ');
  const nearest = input.nearestLand(touched, host);
  if (!nearest) return `its region reaches ${names || 'a restricted country'}`;
  const v = speedOf(input.speed);
  const clear = nearest.km - marginKm;
  if (clear <= 0) {
    return `touches ${names}: ${countryName(nearest.code)}'s land is ${f0(nearest.km)} km from its listed position, within the ${f0(marginKm)} km margin, so no landmark can exclude it`;
  }
  // A landmark x km from the host answering within r ms keeps the host within x + r/2·v of its
  // position; that stays clear of the country when r < 2·(clear − x) / v.
  const needAt = (x: number): number => (2 * (clear - x)) / v;
  const pred0 = input.predict(km(0));
  const where = `touches ${names} (${nearest.code} land ${f0(nearest.km)} km from its listed position)`;
  if (pred0 >= needAt(0)) {
    const m = input.measured;
    return m
      ? `${where}; its measured RTTs (path inflation ${f1(m.inflation)}× straight fibre) put even a landmark in the same city at about ${f1(pred0)} ms, and excluding ${nearest.code} needs under ${f2(needAt(0))} ms`
      : `${where}; even a landmark in the same city would need an RTT under ${f2(needAt(0))} ms, and the model predicts ${f1(pred0)} ms for a well-connected host`;
  }
  // The farthest a site may stand and still be fast enough, by bisection (prediction grows with x, need shrinks).
  let lo = 0;
  let hi = clear;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (input.predict(km(mid)) < needAt(mid)) lo = mid;
    else hi = mid;
  }
  const distances = input.candidates.map((c) => modelDistanceKm(host, c));
  const order = distances.map((d, i) => [d, i] as const).sort((a, b) => a[0] - b[0]);
  const [nearD, nearI] = order[0] ?? [Infinity, -1];
  const need = `would need an RTT under ${f2(needAt(0))} ms from a landmark within ${f0(lo)} km`;
  if (nearI < 0) return `${where}; ${need}, and no candidate was given`;
  const nearName = input.candidates[nearI]!.name || input.candidates[nearI]!.id;
  if (nearD > lo) return `${where}; ${need}; the nearest candidate, ${nearName}, is ${f0(nearD)} km away`;
  const unchosen = order.find(([d, i]) => d <= lo && !input.chosen.has(i));
  if (unchosen && input.chosen.size >= input.k) {
    const c = input.candidates[unchosen[1]]!;
    return `${where}; candidate ${c.name || c.id} (${f0(unchosen[0])} km away) would likely exclude it, but the ${input.k} sites went to hosts with more to gain`;
  }
  return `${where}; ${need}, and though ${nearName} is ${f0(nearD)} km away the region still reaches ${nearest.code} elsewhere`;
}

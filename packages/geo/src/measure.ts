import { makeCap, rimPoint } from './cap.js';
import { arcMidpoint, regionContains, type Region } from './region.js';
import { TAU } from './intervals.js';
import { add, dot, norm, normalize, scale, sub, tangentFrame, type Vec3 } from './vec3.js';
import { radians, steradians, type Radians, type Steradians } from './units.js';

/** The point of the region lowest along `d` (smallest p·d), i.e. farthest from direction d. */
export function lowestPoint(region: Region, d: Vec3): { point: Vec3; value: number } {
  const dn = normalize(d);
  const antipode = scale(dn, -1);
  if (region.whole || regionContains(region, antipode)) return { point: antipode, value: -1 };
  let best: { point: Vec3; value: number } = { point: antipode, value: Infinity };
  const consider = (p: Vec3): void => {
    const v = dot(p, dn);
    if (v < best.value) best = { point: p, value: v };
  };
  for (const arc of region.arcs) {
    const cap = region.caps[arc.cap]!;
    const b = cap.sin * dot(cap.e1, dn);
    const c = cap.sin * dot(cap.e2, dn);
    consider(rimPoint(cap, arc.from));
    consider(rimPoint(cap, arc.to));
    let lowest = Math.atan2(c, b) + Math.PI;
    if (lowest >= TAU) lowest -= TAU;
    if (lowest > arc.from && lowest < arc.to) consider(rimPoint(cap, lowest));
  }
  return best;
}

/** Largest angle from `center` to any point of the region. */
export const farthestAngle = (region: Region, center: Vec3): Radians =>
  radians(Math.acos(Math.max(-1, Math.min(1, lowestPoint(region, center).value))));

/** Point of the segment, triangle or single point nearest the origin; undefined if degenerate or outside. */
function nearestOnSimplex(pts: readonly Vec3[]): { point: Vec3; support: Vec3[] } | undefined {
  if (pts.length === 1) return { point: pts[0]!, support: [pts[0]!] };
  const p0 = pts[0]!;
  const e = pts.slice(1).map((p) => sub(p, p0));
  if (pts.length === 2) {
    const ee = dot(e[0]!, e[0]!);
    if (ee < 1e-30) return undefined;
    const t = -dot(p0, e[0]!) / ee;
    if (t < 0 || t > 1) return undefined;
    return { point: add(p0, scale(e[0]!, t)), support: pts.slice() };
  }
  const [u, v] = [e[0]!, e[1]!];
  const uu = dot(u, u);
  const uv = dot(u, v);
  const vv = dot(v, v);
  const det = uu * vv - uv * uv;
  if (det < 1e-30) return undefined;
  const pu = -dot(p0, u);
  const pv = -dot(p0, v);
  const s = (pu * vv - pv * uv) / det;
  const t = (pv * uu - pu * uv) / det;
  if (s < 0 || t < 0 || s + t > 1) return undefined;
  return { point: add(p0, add(scale(u, s), scale(v, t))), support: pts.slice() };
}

/** The point of the convex hull of up to four points nearest the origin, and the points that span it. */
function nearestInHull(pts: readonly Vec3[]): { point: Vec3; support: Vec3[] } {
  let best: { point: Vec3; support: Vec3[] } | undefined;
  for (let mask = 1; mask < 1 << pts.length; mask++) {
    const subset = pts.filter((_, i) => mask & (1 << i));
    if (subset.length > 3) continue;
    const cand = nearestOnSimplex(subset);
    if (cand && (!best || norm(cand.point) < norm(best.point))) best = cand;
  }
  return best!;
}

export interface EnclosingCap {
  readonly center: Vec3;
  /** Largest angle from the centre to any point of the region. */
  readonly angle: Radians;
}

/**
 * Pattern search on the sphere for a centre with a smaller farthest angle, for regions too
 * large for the exact construction. Never returns a worse centre than it was given.
 */
function descend(region: Region, start: Vec3): EnclosingCap {
  let center = start;
  let angle = farthestAngle(region, center);
  let step = 0.2;
  for (let iter = 0; iter < 5000 && step > 1e-9; iter++) {
    const { e1, e2 } = tangentFrame(center);
    let moved = false;
    for (let k = 0; k < 8 && !moved; k++) {
      const dir = add(scale(e1, Math.cos((k * Math.PI) / 4)), scale(e2, Math.sin((k * Math.PI) / 4)));
      const next = normalize(add(scale(center, Math.cos(step)), scale(dir, Math.sin(step))));
      const nextAngle = farthestAngle(region, next);
      if (nextAngle < angle) {
        center = next;
        angle = nextAngle;
        moved = true;
      }
    }
    if (!moved) step /= 2;
  }
  return { center, angle };
}

/**
 * The smallest cap that holds the whole region. Its centre minimises the largest distance to
 * any point of the region, which makes it the point estimate with the smallest worst-case error.
 *
 * For a region inside an open hemisphere the smallest enclosing cap is centred on the
 * direction of the point of the region's convex hull nearest the origin; that point is found
 * with Gilbert's algorithm, using the region's exact farthest-point oracle as support function.
 */
export function enclosingCap(region: Region): EnclosingCap {
  if (region.whole || region.empty || region.arcs.length === 0) {
    const center: Vec3 = region.caps[0]?.center ?? [0, 0, 1];
    return { center, angle: radians(Math.PI) };
  }
  let simplex: Vec3[] = [arcMidpoint(region, region.arcs[0]!)];
  let z = simplex[0]!;
  for (let iter = 0; iter < 100; iter++) {
    const { point } = lowestPoint(region, z);
    if (dot(z, z) - dot(point, z) <= 1e-13) break;
    const next = nearestInHull([...simplex, point]);
    z = next.point;
    simplex = next.support;
    if (norm(z) < 1e-9) break;
  }
  const exact = norm(z) >= 1e-9 ? { center: normalize(z), angle: farthestAngle(region, normalize(z)) } : undefined;
  if (exact && exact.angle < Math.PI / 2) return exact;
  // The region reaches past every hemisphere: its hull holds the origin and the nearest-point
  // construction says nothing. Descend from the best of a few reasonable starts instead.
  const smallest = region.caps[0]!;
  const starts = [smallest.center, regionCentroid(region, 256, smallest) ?? smallest.center, ...(exact ? [exact.center] : [])];
  return starts.map((c) => descend(region, c)).reduce((a, b) => (a.angle <= b.angle ? a : b));
}

/**
 * Area of the region on the unit sphere, by Stokes' theorem: the area is the integral of
 * (1 − cos ρ) dα along the boundary, with (ρ, α) polar coordinates about the centre of the
 * smallest cap (whose antipode is never in the region).
 */
export function regionArea(region: Region): Steradians {
  if (region.whole) return steradians(4 * Math.PI);
  if (region.empty) return steradians(0);
  const pole = region.caps[0]!;
  const { e1, e2 } = tangentFrame(pole.center);
  const azimuth = (p: Vec3): number => Math.atan2(dot(p, e2), dot(p, e1));
  let total = 0;
  for (const arc of region.arcs) {
    const cap = region.caps[arc.cap]!;
    if (arc.cap === 0) {
      total += (1 - cap.cos) * (arc.to - arc.from);
      continue;
    }
    const steps = Math.min(1024, Math.max(16, Math.ceil(((arc.to - arc.from) * cap.sin) / 0.002)));
    const h = (arc.to - arc.from) / steps;
    let prev = azimuth(rimPoint(cap, arc.from));
    for (let k = 0; k < steps; k++) {
      const mid = rimPoint(cap, arc.from + (k + 0.5) * h);
      const next = azimuth(rimPoint(cap, arc.from + (k + 1) * h));
      let dAlpha = next - prev;
      if (dAlpha > Math.PI) dAlpha -= TAU;
      else if (dAlpha < -Math.PI) dAlpha += TAU;
      total += (1 - dot(mid, pole.center)) * dAlpha;
      prev = next;
    }
  }
  return steradians(Math.max(0, total));
}

/** Radical inverse in base b: the Halton sequence, so that sampling is deterministic. */
function halton(index: number, base: number): number {
  let f = 1;
  let r = 0;
  for (let i = index; i > 0; i = Math.floor(i / base)) {
    f /= base;
    r += f * (i % base);
  }
  return r;
}

/**
 * Up to `count` points spread evenly over the region (quasi-random, deterministic), drawn in
 * a cap that holds it (by default its enclosing cap) and kept when inside.
 */
export function samplePoints(region: Region, count: number, around: EnclosingCap = enclosingCap(region)): Vec3[] {
  if (region.empty) return [];
  const frame = makeCap(around.center, around.angle);
  const cosMax = Math.cos(around.angle);
  const out: Vec3[] = [];
  for (let i = 1; out.length < count && i <= count * 50; i++) {
    const cosRho = 1 - halton(i, 2) * (1 - cosMax);
    const sinRho = Math.sqrt(Math.max(0, 1 - cosRho * cosRho));
    const alpha = TAU * halton(i, 3);
    const p: Vec3 = add(scale(frame.center, cosRho), add(scale(frame.e1, sinRho * Math.cos(alpha)), scale(frame.e2, sinRho * Math.sin(alpha))));
    if (regionContains(region, p)) out.push(p);
  }
  return out;
}

/**
 * The region's spherical centroid, estimated from evenly spread samples: the usual point
 * estimate, kept as a reference for the enclosing-cap centre (which has the smaller radius).
 */
export function regionCentroid(region: Region, samples = 4096, around?: EnclosingCap): Vec3 | undefined {
  const points = samplePoints(region, samples, around);
  if (points.length === 0) return undefined;
  return normalize(points.reduce((s, p) => add(s, p), [0, 0, 0] as Vec3));
}

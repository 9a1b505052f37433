import { capContains, capContainsCap, rimPoint, RIM_SLACK, type Cap } from './cap.js';
import { cosineAtLeast, FULL_CIRCLE, intersectIntervals, type IntervalSet } from './intervals.js';
import { dot, type Vec3 } from './vec3.js';

/** A piece of the region's boundary: the rim of `caps[cap]` from angle `from` to `to`. */
export interface BoundaryArc {
  readonly cap: number;
  readonly from: number;
  readonly to: number;
}

/**
 * The intersection of caps, described exactly by its boundary arcs. The region lies to the
 * left of every arc walked from `from` to `to`.
 */
export interface Region {
  /** Caps that shape the region, smallest first; caps implied by others are dropped. */
  readonly caps: readonly Cap[];
  readonly arcs: readonly BoundaryArc[];
  /** No point satisfies every cap: the measurements contradict each other. */
  readonly empty: boolean;
  /** No cap constrains anything: the region is the whole sphere. */
  readonly whole: boolean;
}

/** Angles along the rim of `circle` that lie inside `cap`. */
export function rimInsideCap(circle: Cap, cap: Cap): IntervalSet {
  const a = circle.cos * dot(cap.center, circle.center);
  const b = circle.sin * dot(cap.center, circle.e1);
  const c = circle.sin * dot(cap.center, circle.e2);
  return cosineAtLeast(a, b, c, cap.cos, RIM_SLACK);
}

function activeCaps(caps: readonly Cap[]): Cap[] {
  const sorted = caps.filter((c) => c.angle < Math.PI).sort((x, y) => x.angle - y.angle);
  // A cap that contains a smaller one adds nothing; among identical caps the first stays.
  return sorted.filter((cap, i) => !sorted.some((other, j) => j < i && capContainsCap(cap, other)));
}

export function regionFromCaps(caps: readonly Cap[]): Region {
  const active = activeCaps(caps);
  if (active.length === 0) return { caps: active, arcs: [], empty: false, whole: true };
  const arcs: BoundaryArc[] = [];
  active.forEach((circle, i) => {
    let inside: IntervalSet = FULL_CIRCLE;
    for (let j = 0; j < active.length && inside.length > 0; j++) {
      if (j !== i) inside = intersectIntervals(inside, rimInsideCap(circle, active[j]!));
    }
    for (const [from, to] of inside) arcs.push({ cap: i, from, to });
  });
  // A non-empty region that is not the whole sphere has a boundary, and every boundary
  // point lies on some rim inside all other caps; so no arcs means no region.
  return { caps: active, arcs, empty: arcs.length === 0, whole: false };
}

export const regionContains = (region: Region, p: Vec3): boolean =>
  !region.empty && region.caps.every((cap) => capContains(cap, p));

export const arcPoint = (region: Region, arc: BoundaryArc, phi: number): Vec3 => rimPoint(region.caps[arc.cap]!, phi);

export const arcMidpoint = (region: Region, arc: BoundaryArc): Vec3 => arcPoint(region, arc, (arc.from + arc.to) / 2);

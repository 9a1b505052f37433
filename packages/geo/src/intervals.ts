/**
 * Sets of angles on a circle, as sorted disjoint [start, end] pairs within [0, 2π].
 * A wrapping interval is split in two at 0.
 */
export const TAU = 2 * Math.PI;

export type Interval = readonly [number, number];
export type IntervalSet = readonly Interval[];

export const FULL_CIRCLE: IntervalSet = [[0, TAU]];
export const NO_ANGLES: IntervalSet = [];

const wrap = (a: number): number => {
  const r = a % TAU;
  return r < 0 ? r + TAU : r;
};

/** The angles within `half` of `center`. */
export function intervalAround(center: number, half: number): IntervalSet {
  if (half >= Math.PI) return FULL_CIRCLE;
  if (half < 0) return NO_ANGLES;
  const start = wrap(center - half);
  const end = start + 2 * half;
  return end <= TAU ? [[start, end]] : [
    [0, end - TAU],
    [start, TAU],
  ];
}

/**
 * The angles φ where a + b·cos φ + c·sin φ ≥ t. `slack` widens the set by that much of
 * the left-hand side, so that borderline points count as inside.
 */
export function cosineAtLeast(a: number, b: number, c: number, t: number, slack = 0): IntervalSet {
  const k = Math.hypot(b, c);
  const need = t - a - slack;
  if (need <= -k) return FULL_CIRCLE;
  if (need > k) return NO_ANGLES;
  return intervalAround(Math.atan2(c, b), Math.acos(need / k));
}

export function intersectIntervals(x: IntervalSet, y: IntervalSet): IntervalSet {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const [xs, xe] = x[i]!;
    const [ys, ye] = y[j]!;
    const s = Math.max(xs, ys);
    const e = Math.min(xe, ye);
    if (s <= e) out.push([s, e]);
    if (xe < ye) i++;
    else j++;
  }
  return out;
}

export const totalAngle = (x: IntervalSet): number => x.reduce((sum, [s, e]) => sum + (e - s), 0);

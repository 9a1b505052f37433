/** The half-plane of one meridian: points with n·p = 0 and m·p > 0. */
export interface Meridian {
  readonly nx: number;
  readonly ny: number;
  readonly mx: number;
  readonly my: number;
}

export function meridianAt(lonRadians: number): Meridian {
  const c = Math.cos(lonRadians);
  const s = Math.sin(lonRadians);
  return { nx: -s, ny: c, mx: c, my: s };
}

/**
 * Sine of the latitude where the great-circle edge from vertex v to v + 1 crosses the
 * meridian, or NaN if it does not. An endpoint on the meridian counts as east of it, so an
 * edge chain through a vertex on the meridian crosses it once or not at all.
 */
export function meridianCrossingZ(xyz: Float64Array, v: number, m: Meridian): number {
  const ax = xyz[3 * v]!;
  const ay = xyz[3 * v + 1]!;
  const bx = xyz[3 * v + 3]!;
  const by = xyz[3 * v + 4]!;
  const sa = m.nx * ax + m.ny * ay;
  const sb = m.nx * bx + m.ny * by;
  if (sa >= 0 === sb >= 0) return NaN;
  const t = sa / (sa - sb);
  const px = ax + t * (bx - ax);
  const py = ay + t * (by - ay);
  if (px * m.mx + py * m.my <= 0) return NaN;
  const az = xyz[3 * v + 2]!;
  const pz = az + t * (xyz[3 * v + 5]! - az);
  return pz / Math.hypot(px, py, pz);
}

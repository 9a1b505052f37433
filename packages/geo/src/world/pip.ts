import type { Vec3 } from '../vec3.js';
import { meridianAt, meridianCrossingZ } from './meridian.js';
import type { Borders } from './world.js';

/** Longitude bin (of width `binDeg` from -180) holding a longitude in degrees. */
export function lonBin(lonDeg: number, binDeg: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.floor((lonDeg + 180) / binDeg)));
}

/**
 * Units containing the point, by the even-odd rule along the meridian arc from the point to
 * the North Pole (which no country contains). A crossing counts once for each owner of the
 * arc crossed.
 */
export function unitsContaining(world: Borders, q: Vec3): number[] {
  const lon = Math.atan2(q[1], q[0]);
  const bins = world.lonBinStart.length - 1;
  const bin = lonBin((lon * 180) / Math.PI, world.lonBinDeg, bins);
  const meridian = meridianAt(lon);
  const { xyz, lonBinEdges, edgeArc, edgeTopZ, ownerStart, owners } = world;
  const parity = new Map<number, number>();
  for (let k = world.lonBinStart[bin]!; k < world.lonBinStart[bin + 1]!; k++) {
    const v = lonBinEdges[k]!;
    if (edgeTopZ[v]! <= q[2]) continue;
    if (!(meridianCrossingZ(xyz, v, meridian) > q[2])) continue;
    const a = edgeArc[v]!;
    for (let o = ownerStart[a]!; o < ownerStart[a + 1]!; o++) {
      const u = owners[o]!;
      parity.set(u, (parity.get(u) ?? 0) ^ 1);
    }
  }
  return [...parity].filter(([, odd]) => odd === 1).map(([u]) => u);
}

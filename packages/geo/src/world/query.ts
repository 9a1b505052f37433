import { RIM_SLACK } from '../cap.js';
import { cosineAtLeast, intersectIntervals, type IntervalSet } from '../intervals.js';
import type { Region } from '../region.js';
import type { Borders } from './world.js';

/** Caps packed as [x, y, z, cos, sin, angle] for the hot loops. */
const STRIDE = 6;

function packCaps(region: Region): Float64Array {
  const out = new Float64Array(region.caps.length * STRIDE);
  region.caps.forEach((c, i) => out.set([...c.center, c.cos, c.sin, c.angle], i * STRIDE));
  return out;
}

function vertexInside(caps: Float64Array, xyz: Float64Array, v: number): boolean {
  const x = xyz[3 * v]!;
  const y = xyz[3 * v + 1]!;
  const z = xyz[3 * v + 2]!;
  for (let j = 0; j < caps.length; j += STRIDE) {
    if (caps[j]! * x + caps[j + 1]! * y + caps[j + 2]! * z < caps[j + 3]! - RIM_SLACK) return false;
  }
  return true;
}

/**
 * Whether the great-circle edge from vertex v to v + 1 has a point in every cap. Along the
 * edge, p(t) = A cos t + U sin t for t in [0, L]; each cap keeps an interval of t.
 */
function edgeMeets(caps: Float64Array, xyz: Float64Array, v: number): boolean {
  if (vertexInside(caps, xyz, v) || vertexInside(caps, xyz, v + 1)) return true;
  const ax = xyz[3 * v]!;
  const ay = xyz[3 * v + 1]!;
  const az = xyz[3 * v + 2]!;
  const bx = xyz[3 * v + 3]!;
  const by = xyz[3 * v + 4]!;
  const bz = xyz[3 * v + 5]!;
  const d = ax * bx + ay * by + az * bz;
  const s = Math.hypot(ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx);
  if (s < 1e-15) return false;
  const length = Math.atan2(s, d);
  const ux = (bx - d * ax) / s;
  const uy = (by - d * ay) / s;
  const uz = (bz - d * az) / s;
  let along: IntervalSet = [[0, length]];
  for (let j = 0; j < caps.length && along.length > 0; j += STRIDE) {
    const p = caps[j]! * ax + caps[j + 1]! * ay + caps[j + 2]! * az;
    const q = caps[j]! * ux + caps[j + 1]! * uy + caps[j + 2]! * uz;
    along = intersectIntervals(along, cosineAtLeast(0, p, q, caps[j + 3]!, RIM_SLACK));
  }
  return along.length > 0;
}

/**
 * Marks every boundary arc of the world that has a point in the region. Exact up to
 * RIM_SLACK, which only ever adds arcs: a node of the hierarchy is skipped only when it is
 * certainly outside some cap.
 */
export function arcsMeetingRegion(world: Borders, region: Region): Uint8Array {
  const hit = new Uint8Array(world.arcFirst.length);
  if (region.empty) return hit;
  if (region.whole) return hit.fill(1);
  const caps = packCaps(region);
  const { bvh, xyz } = world;
  const { center, radius, cosRadius, sinRadius, right, lo, hi, chunkArc, chunkFirst, chunkLast } = bvh;
  if (right.length === 0) return hit;
  const stack: number[] = [0];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const nx = center[3 * node]!;
    const ny = center[3 * node + 1]!;
    const nz = center[3 * node + 2]!;
    const r = radius[node]!;
    const cr = cosRadius[node]!;
    const sr = sinRadius[node]!;
    let outside = false;
    let inside = true;
    for (let j = 0; j < caps.length; j += STRIDE) {
      const cd = caps[j]! * nx + caps[j + 1]! * ny + caps[j + 2]! * nz;
      const cosT = caps[j + 3]!;
      const sinT = caps[j + 4]!;
      const t = caps[j + 5]!;
      if (t + r < Math.PI && cd < cosT * cr - sinT * sr - 1e-12) {
        outside = true;
        break;
      }
      if (inside && !(r <= t && cd >= cosT * cr + sinT * sr + 1e-12)) inside = false;
    }
    if (outside) continue;
    if (inside) {
      for (let k = lo[node]!; k < hi[node]!; k++) hit[chunkArc[k]!] = 1;
      continue;
    }
    if (right[node]! >= 0) {
      stack.push(right[node]!, node + 1);
      continue;
    }
    for (let k = lo[node]!; k < hi[node]!; k++) {
      const arc = chunkArc[k]!;
      if (hit[arc]) continue;
      for (let v = chunkFirst[k]!; v < chunkLast[k]!; v++) {
        if (edgeMeets(caps, xyz, v)) {
          hit[arc] = 1;
          break;
        }
      }
    }
  }
  return hit;
}

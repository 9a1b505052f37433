import { toDegrees, toRadians, degrees, radians, type Degrees, type Radians } from './units.js';

/** A point or direction in 3-D; unit vectors stand for points on the sphere. */
export type Vec3 = readonly [number, number, number];

export interface LatLon {
  readonly lat: Degrees;
  readonly lon: Degrees;
}

export function fromLatLon(lat: Degrees, lon: Degrees): Vec3 {
  const phi = toRadians(lat);
  const lambda = toRadians(lon);
  const c = Math.cos(phi);
  return [c * Math.cos(lambda), c * Math.sin(lambda), Math.sin(phi)];
}

export function toLatLon(v: Vec3): LatLon {
  const [x, y, z] = v;
  const lat = toDegrees(radians(Math.atan2(z, Math.hypot(x, y))));
  const lon = x === 0 && y === 0 ? degrees(0) : toDegrees(radians(Math.atan2(y, x)));
  return { lat, lon };
}

export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

export const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const norm = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);

export function normalize(a: Vec3): Vec3 {
  const n = norm(a);
  return n === 0 ? a : scale(a, 1 / n);
}

/** Great-circle angle between two unit vectors, accurate for tiny and near-antipodal angles. */
export function angleBetween(a: Vec3, b: Vec3): Radians {
  return radians(Math.atan2(norm(cross(a, b)), dot(a, b)));
}

/** Two unit vectors orthogonal to `n` and to each other, with e1 × e2 = n (counter-clockwise about n). */
export function tangentFrame(n: Vec3): { e1: Vec3; e2: Vec3 } {
  const helper: Vec3 = Math.abs(n[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
  const e1 = normalize(cross(helper, n));
  const e2 = cross(n, e1);
  return { e1, e2 };
}

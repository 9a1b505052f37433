import { angleBetween, dot, tangentFrame, type Vec3 } from './vec3.js';
import { radians, type Radians } from './units.js';

/**
 * A spherical cap: every unit vector within `angle` of `center`. Caps are the shape of one
 * round-trip bound; the feasible region is their intersection.
 */
export interface Cap {
  readonly center: Vec3;
  readonly angle: Radians;
  readonly cos: number;
  readonly sin: number;
  /** e1 × e2 = center: the circle is walked counter-clockwise about the centre. */
  readonly e1: Vec3;
  readonly e2: Vec3;
}

/** Tolerance, in cosine, under which a point on a cap's rim counts as inside. */
export const RIM_SLACK = 1e-12;

export function makeCap(center: Vec3, angle: Radians): Cap {
  const { e1, e2 } = tangentFrame(center);
  return { center, angle, cos: Math.cos(angle), sin: Math.sin(angle), e1, e2 };
}

export const capContains = (cap: Cap, p: Vec3): boolean => dot(cap.center, p) >= cap.cos - RIM_SLACK;

/** True when every point of `inner` lies in `outer`. */
export const capContainsCap = (outer: Cap, inner: Cap): boolean =>
  angleBetween(outer.center, inner.center) + inner.angle <= outer.angle + 1e-12;

/** A point on the cap's rim, `phi` radians counter-clockwise from e1. */
export function rimPoint(cap: Cap, phi: number): Vec3 {
  const c = Math.cos(phi) * cap.sin;
  const s = Math.sin(phi) * cap.sin;
  return [
    cap.cos * cap.center[0] + c * cap.e1[0] + s * cap.e2[0],
    cap.cos * cap.center[1] + c * cap.e1[1] + s * cap.e2[1],
    cap.cos * cap.center[2] + c * cap.e1[2] + s * cap.e2[2],
  ];
}

export const WHOLE_SPHERE_ANGLE: Radians = radians(Math.PI);

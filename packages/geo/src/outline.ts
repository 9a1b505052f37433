import { rimPoint } from './cap.js';
import type { Region } from './region.js';
import { dot, toLatLon, type Vec3 } from './vec3.js';

/** A closed ring of [lon, lat] points in degrees, the region on its left. */
export type Ring = [number, number][];

const close = (a: Vec3, b: Vec3): boolean => dot(a, b) > 1 - 1e-9;

/**
 * The region's boundary as closed rings for drawing: its arcs chained end to start, each
 * sampled every `stepDeg` of arc (at least 8 points). Rings keep the region on their left
 * (counterclockwise around what they enclose, RFC 7946's orientation); spherical renderers
 * such as d3-geo want the opposite, so reverse them there. Empty and whole regions have none.
 */
export function regionOutline(region: Region, stepDeg = 0.5): Ring[] {
  if (region.empty || region.whole) return [];
  const pieces = region.arcs.map((arc) => {
    const cap = region.caps[arc.cap]!;
    const span = (arc.to - arc.from) * cap.sin * (180 / Math.PI);
    const steps = Math.max(8, Math.ceil(span / stepDeg));
    const points = Array.from({ length: steps + 1 }, (_, k) => rimPoint(cap, arc.from + ((arc.to - arc.from) * k) / steps));
    return points;
  });
  const used = new Set<number>();
  const rings: Ring[] = [];
  for (let start = 0; start < pieces.length; start++) {
    if (used.has(start)) continue;
    const loop: Vec3[] = [];
    // Follow each arc to the unused one that starts where it ends; none left means the ring closed.
    for (let current = start; current >= 0; ) {
      used.add(current);
      loop.push(...pieces[current]!.slice(0, -1));
      const end = pieces[current]!.at(-1)!;
      current = pieces.findIndex((p, i) => !used.has(i) && close(p[0]!, end));
    }
    const ring: Ring = loop.map((p) => {
      const { lat, lon } = toLatLon(p);
      return [Math.round(lon * 1e4) / 1e4, Math.round(lat * 1e4) / 1e4];
    });
    ring.push(ring[0]!);
    rings.push(ring);
  }
  return rings;
}

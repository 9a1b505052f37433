import { describe, expect, it } from 'vitest';
import { makeCap } from './cap.js';
import { enclosingCap, lowestPoint, regionArea, samplePoints } from './measure.js';
import { arcPoint, regionContains, regionFromCaps, type Region } from './region.js';
import { degrees, radians } from './units.js';
import { angleBetween, dot, fromLatLon, toLatLon, type Vec3 } from './vec3.js';

const cap = (lat: number, lon: number, angleDeg: number) => makeCap(fromLatLon(degrees(lat), degrees(lon)), radians((angleDeg * Math.PI) / 180));

/** Reference area by summing a fine latitude-longitude grid. */
function gridArea(region: Region, stepDeg: number): number {
  let area = 0;
  const h = (stepDeg * Math.PI) / 180;
  for (let lat = -90 + stepDeg / 2; lat < 90; lat += stepDeg) {
    const cell = h * h * Math.cos((lat * Math.PI) / 180);
    for (let lon = -180 + stepDeg / 2; lon < 180; lon += stepDeg) {
      if (regionContains(region, fromLatLon(degrees(lat), degrees(lon)))) area += cell;
    }
  }
  return area;
}

/** Largest angle from a centre to any boundary point, by dense sampling. */
function sampledRadius(region: Region, center: Vec3): number {
  let worst = 0;
  for (const arc of region.arcs) {
    for (let k = 0; k <= 2000; k++) {
      worst = Math.max(worst, angleBetween(center, arcPoint(region, arc, arc.from + ((arc.to - arc.from) * k) / 2000)));
    }
  }
  return worst;
}

describe('regionArea', () => {
  it('is 2π(1 − cos r) for one cap', () => {
    const r = regionFromCaps([cap(40, -100, 12)]);
    expect(regionArea(r)).toBeCloseTo(2 * Math.PI * (1 - Math.cos((12 * Math.PI) / 180)), 12);
  });

  it.each([
    ['a lens', [cap(0, 0, 10), cap(0, 15, 10)]],
    ['three caps', [cap(0, 0, 10), cap(0, 12, 8), cap(6, 6, 7)]],
    ['caps over a hemisphere', [cap(40, 0, 130), cap(-40, 100, 130)]],
    ['a region in two pieces', [cap(0, 0, 20), cap(90, 0, 95), cap(-90, 0, 95), cap(0, 180, 172)]],
  ])('matches a fine grid for %s', (_, caps) => {
    const r = regionFromCaps(caps);
    const reference = gridArea(r, 0.2);
    expect(Math.abs(regionArea(r) - reference) / reference).toBeLessThan(0.01);
  });

  it('is zero when empty and 4π for the whole sphere', () => {
    expect(regionArea(regionFromCaps([cap(50, 8, 1), cap(35, 139, 1)]))).toBe(0);
    expect(regionArea(regionFromCaps([]))).toBeCloseTo(4 * Math.PI);
  });
});

describe('lowestPoint', () => {
  it('finds the point of a cap farthest from a direction', () => {
    const r = regionFromCaps([cap(0, 0, 10)]);
    const { point } = lowestPoint(r, fromLatLon(degrees(0), degrees(90)));
    expect(toLatLon(point).lon).toBeCloseTo(-10, 9);
  });
});

describe('enclosingCap', () => {
  it('is the cap itself for one cap', () => {
    const e = enclosingCap(regionFromCaps([cap(-33, 151, 4)]));
    expect(toLatLon(e.center).lat).toBeCloseTo(-33, 9);
    expect(e.angle).toBeCloseTo((4 * Math.PI) / 180, 9);
  });

  it('is centred between the tips of a symmetric lens', () => {
    const r = regionFromCaps([cap(0, 0, 10), cap(0, 15, 10)]);
    const e = enclosingCap(r);
    const c = toLatLon(e.center);
    expect(c.lat).toBeCloseTo(0, 6);
    expect(c.lon).toBeCloseTo(7.5, 6);
    const tipLat = Math.acos(Math.cos((10 * Math.PI) / 180) / Math.cos((7.5 * Math.PI) / 180));
    expect(e.angle).toBeCloseTo(tipLat, 6);
  });

  it.each([
    ['three caps', [cap(0, 0, 10), cap(0, 12, 8), cap(6, 6, 7)]],
    ['a crescent', [cap(0, 0, 15), makeCap(fromLatLon(degrees(0), degrees(-180)), radians(Math.PI - (12 * Math.PI) / 180))]],
  ])('covers the region and no nearby centre does better, for %s', (_, caps) => {
    const r = regionFromCaps(caps);
    const e = enclosingCap(r);
    expect(sampledRadius(r, e.center)).toBeLessThanOrEqual(e.angle + 1e-9);
    for (const [dlat, dlon] of [[0.2, 0], [-0.2, 0], [0, 0.2], [0, -0.2]] as const) {
      const c = toLatLon(e.center);
      const moved = fromLatLon(degrees(c.lat + dlat), degrees(c.lon + dlon));
      expect(sampledRadius(r, moved)).toBeGreaterThan(e.angle - 1e-6);
    }
  });
});

describe('samplePoints', () => {
  it('returns points inside the region, deterministically', () => {
    const r = regionFromCaps([cap(0, 0, 10), cap(0, 15, 10)]);
    const a = samplePoints(r, 100);
    expect(a).toHaveLength(100);
    for (const p of a) expect(regionContains(r, p)).toBe(true);
    expect(samplePoints(r, 100)).toEqual(a);
    expect(Math.abs(dot(a[0]!, a[0]!) - 1)).toBeLessThan(1e-12);
  });
});

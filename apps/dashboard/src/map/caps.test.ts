import { geoArea, geoContains } from 'd3-geo';
import { describe, expect, it } from 'vitest';
import { capFeature } from './caps.js';
import { KM_PER_DEGREE } from './projection.js';
import { regionShape } from './rings.js';

describe('capFeature', () => {
  it('draws a cap around its centre, not the rest of the world', () => {
    const shape = regionShape(capFeature(1.35, 103.82, 500))!;
    expect(shape.type).toBe('Polygon');
    expect(geoContains(shape as GeoJSON.Polygon, [103.82, 1.35])).toBe(true);
    expect(geoContains(shape as GeoJSON.Polygon, [8.68, 50.11])).toBe(false);
    // A 500 km cap covers π(500 km)² of the sphere, within the polygon's precision.
    const km2 = geoArea(shape as GeoJSON.Polygon) * (KM_PER_DEGREE * (180 / Math.PI)) ** 2;
    expect(km2 / (Math.PI * 500 ** 2)).toBeCloseTo(1, 1);
  });

  it('is the whole Earth without a radius', () => {
    expect(regionShape(capFeature(0, 0, null))).toEqual({ type: 'Sphere' });
  });
});

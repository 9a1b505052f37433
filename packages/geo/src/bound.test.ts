import fc from 'fast-check';
import { Geodesic } from 'geographiclib-geodesic';
import { describe, expect, it } from 'vitest';
import { capAngleForDistance, maxDistanceKm, meridionalRadius } from './bound.js';
import { WGS84_MIN_RADIUS } from './constants.js';
import { degrees, km, kmPerMs, ms, radians } from './units.js';
import { angleBetween, fromLatLon } from './vec3.js';

describe('maxDistanceKm', () => {
  it.each([
    ['vacuum', 1, 149.896229],
    ['fiber', 1, 99.930819],
    ['vacuum', 2, 299.792458],
    ['vacuum', 0, 0],
  ] as const)('bounds a %s RTT of %d ms to %d km one way', (model, rtt, expected) => {
    expect(maxDistanceKm(ms(rtt), model)).toBeCloseTo(expected, 5);
  });

  it('takes a custom speed in km/ms', () => {
    expect(maxDistanceKm(ms(10), kmPerMs(150))).toBe(750);
  });
});

describe('capAngleForDistance', () => {
  it('uses the equatorial meridional radius a(1 − e²) near the equator', () => {
    expect(WGS84_MIN_RADIUS).toBeCloseTo(6335.439, 3);
    expect(capAngleForDistance(degrees(0), km(1000))).toBe(1000 / WGS84_MIN_RADIUS);
  });

  it('is tighter at high latitude, where the ellipsoid is flatter', () => {
    const polar = capAngleForDistance(degrees(70), km(200));
    expect(polar).toBeLessThan(capAngleForDistance(degrees(0), km(200)));
    expect(polar).toBeCloseTo(200 / meridionalRadius(radians((68.2 * Math.PI) / 180)), 4);
  });

  it('holds every point at that geodesic distance on WGS84, in every direction (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -89.9, max: 89.9, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: 0.001, max: 19_000, noNaN: true }),
        (lat, lon, azimuth, distance) => {
          const p = Geodesic.WGS84.Direct(lat, lon, azimuth, distance * 1000);
          const angle = angleBetween(fromLatLon(degrees(lat), degrees(lon)), fromLatLon(degrees(p.lat2!), degrees(p.lon2!)));
          expect(angle).toBeLessThanOrEqual(capAngleForDistance(degrees(lat), km(distance)) * (1 + 1e-12) + 1e-15);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

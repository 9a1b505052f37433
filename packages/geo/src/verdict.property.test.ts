import fc from 'fast-check';
import { Geodesic } from 'geographiclib-geodesic';
import { describe, expect, it } from 'vitest';
import { SPEED_OF_LIGHT_FIBER, SPEED_OF_LIGHT_VACUUM, DEFAULT_BORDER_MARGIN } from './constants.js';
import { DEFAULT_RESTRICTED } from './countries.js';
import { regionContains } from './region.js';
import { degrees, ms } from './units.js';
import { regionFromRtts, verifyTarget, type RttBound } from './verdict.js';
import { fromLatLon } from './vec3.js';
import { naturalEarthWorld } from './world/natural-earth.js';
import { unitsContaining } from './world/pip.js';

const world = naturalEarthWorld();
const restricted = new Set(DEFAULT_RESTRICTED);
const codes = [...new Set(world.units.flatMap((u) => u.codes))].sort();

/** A landmark some distance and bearing from the truth, and the true geodesic distance (km). */
const landmarkNear = (lat: number, lon: number) =>
  fc.record({ azimuth: fc.double({ min: -180, max: 180, noNaN: true }), km: fc.double({ min: 0, max: 6000, noNaN: true }) }).map(({ azimuth, km }) => {
    const p = Geodesic.WGS84.Direct(lat, lon, azimuth, km * 1000);
    return { lat: p.lat2!, lon: p.lon2! };
  });

const scenario = fc
  .record({
    lat: fc.double({ min: -56, max: 72, noNaN: true }),
    lon: fc.double({ min: -180, max: 180, noNaN: true, maxExcluded: true }),
    speed: fc.constantFrom('vacuum' as const, 'fiber' as const),
    otherClaim: fc.constantFrom(...codes),
  })
  .chain((t) =>
    fc.record({
      truth: fc.constant(t),
      landmarks: fc.array(
        fc.record({ at: landmarkNear(t.lat, t.lon), stretch: fc.double({ min: 0, max: 1, noNaN: true }), addedMs: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 80, noNaN: true })) }),
        { minLength: 1, maxLength: 8 },
      ),
    }),
  );

describe('verifyTarget, for any host whose RTTs obey the bound (property)', () => {
  it('keeps the truth in the region, its country possible, and every sound verdict true', () => {
    fc.assert(
      fc.property(scenario, ({ truth, landmarks }) => {
        const speed = truth.speed === 'vacuum' ? SPEED_OF_LIGHT_VACUUM : SPEED_OF_LIGHT_FIBER;
        const bounds: RttBound[] = landmarks.map(({ at, stretch, addedMs }) => {
          const d = Geodesic.WGS84.Inverse(at.lat, at.lon, truth.lat, truth.lon).s12! / 1000;
          return { lat: degrees(at.lat), lon: degrees(at.lon), rtt: ms(((2 * d) / speed) * (1 + stretch) + addedMs) };
        });
        const point = fromLatLon(degrees(truth.lat), degrees(truth.lon));
        expect(regionContains(regionFromRtts(bounds, truth.speed), point)).toBe(true);

        const here = [...new Set(unitsContaining(world, point).flatMap((u) => world.units[u]!.codes))];
        const options = { speed: truth.speed, restricted, marginKm: DEFAULT_BORDER_MARGIN };
        for (const claimed of [here[0] ?? null, truth.otherClaim]) {
          const v = verifyTarget(world, bounds, claimed, options);
          expect(v.empty).toBe(false);
          for (const c of here) expect(v.possibleCountries).toContain(c);
          if (here.length === 0) continue; // at sea: no country to be right or wrong about
          if (here.some((c) => restricted.has(c))) expect(v.restricted).not.toBe('excluded');
          if (!here.some((c) => restricted.has(c))) expect(v.restricted).not.toBe('certain');
          if (claimed !== null && here.includes(claimed)) expect(v.claim).not.toBe('contradicted');
          if (claimed !== null && !here.includes(claimed)) expect(v.claim).not.toBe('verified');
        }
      }),
      { numRuns: 400 },
    );
  });
});

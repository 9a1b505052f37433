import fc from 'fast-check';
import { Geodesic } from 'geographiclib-geodesic';
import { describe, expect, it } from 'vitest';
import { SPEED_OF_LIGHT_FIBER, SPEED_OF_LIGHT_VACUUM, DEFAULT_BORDER_MARGIN } from './constants.js';
import { DEFAULT_RESTRICTED } from './countries.js';
import { regionContains } from './region.js';
import { degrees, ms } from './units.js';
import { regionFromRtts, verifyTarget, type RttBound } from './verdict.js';
import { fromLatLon } from './vec3.js';
import { DEFAULT_TRAVEL, boundsAt, type TimedBound } from './travel.js';
import { naturalEarthWorld } from './world/natural-earth.js';
import { OVERLAY_AREAS } from './world/overlay-areas.js';
import { overlayBorders, type LonLat, type OverlayArea } from './world/overlay.js';
import { unitsContaining } from './world/pip.js';
import type { World } from './world/world.js';

const world = naturalEarthWorld();
const restricted = new Set(DEFAULT_RESTRICTED);
const codes = [...new Set(world.units.flatMap((u) => u.codes))].sort();
const bare: World = { ...world, overlay: undefined };
const overlay = world.overlay!;

/** A landmark some distance and bearing from the truth, and the true geodesic distance (km). */
const landmarkNear = (lat: number, lon: number, maxKm = 6000) =>
  fc.record({ azimuth: fc.double({ min: -180, max: 180, noNaN: true }), km: fc.double({ min: 0, max: maxKm, noNaN: true }) }).map(({ azimuth, km }) => {
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

        const here = [...new Set([world, overlay].flatMap((b) => unitsContaining(b, point).flatMap((u) => b.units[u]!.codes)))];
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

/** Bounds from landmarks around a true position, each RTT at or above what light in vacuum needs. */
const boundsAround = (lat: number, lon: number) =>
  fc
    .array(fc.record({ at: fc.oneof(landmarkNear(lat, lon, 150), landmarkNear(lat, lon)), stretch: fc.double({ min: 0, max: 1, noNaN: true }), addedMs: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 40, noNaN: true })) }), { minLength: 1, maxLength: 4 })
    .map((landmarks) =>
      landmarks.map(({ at, stretch, addedMs }): RttBound => {
        const d = Geodesic.WGS84.Inverse(at.lat, at.lon, lat, lon).s12! / 1000;
        return { lat: degrees(at.lat), lon: degrees(at.lon), rtt: ms(((2 * d) / SPEED_OF_LIGHT_VACUUM) * (1 + stretch) + addedMs) };
      }),
    );

/** A star-shaped outline around a centre, up to `sizeDeg` across, with random parties. */
const randomArea = fc
  .record({
    lat: fc.double({ min: -55, max: 70, noNaN: true }),
    lon: fc.double({ min: -170, max: 170, noNaN: true }),
    sizeDeg: fc.double({ min: 0.05, max: 8, noNaN: true }),
    radii: fc.array(fc.double({ min: 0.2, max: 1, noNaN: true }), { minLength: 3, maxLength: 9 }),
    codes: fc.uniqueArray(fc.constantFrom(...codes.filter((c) => restricted.has(c)), 'UA', 'GE', 'FR', 'US', 'VN'), { minLength: 1, maxLength: 3 }),
    disputed: fc.boolean(),
  })
  .map(({ lat, lon, sizeDeg, radii, codes, disputed }): OverlayArea => {
    const ring = radii.map((r, k): LonLat => {
      const angle = (2 * Math.PI * k) / radii.length;
      return [lon + r * sizeDeg * Math.cos(angle), lat + r * sizeDeg * Math.sin(angle)];
    });
    return { name: 'random', codes, disputed: disputed && codes.length > 1, rings: [ring] };
  });

describe('overlay areas (property)', () => {
  it('only ever weaken a verdict, whatever the areas and the region', () => {
    const scenario = fc.array(randomArea, { minLength: 1, maxLength: 3 }).chain((areas) =>
      fc.record({
        areas: fc.constant(areas),
        bounds: fc
          .record({ dLat: fc.double({ min: -3, max: 3, noNaN: true }), dLon: fc.double({ min: -3, max: 3, noNaN: true }) })
          .chain(({ dLat, dLon }) => boundsAround(areas[0]!.rings[0]![0]![1] + dLat, Math.max(-179, Math.min(179, areas[0]!.rings[0]![0]![0] + dLon)))),
        claimed: fc.constantFrom(...areas.flatMap((a) => a.codes), ...codes),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ areas, bounds, claimed }) => {
        const options = { speed: 'vacuum' as const, restricted, marginKm: DEFAULT_BORDER_MARGIN };
        const before = verifyTarget(bare, bounds, claimed, options);
        const after = verifyTarget({ ...bare, overlay: overlayBorders(areas) }, bounds, claimed, options);
        if (before.restricted !== 'excluded') expect(after.restricted).not.toBe('excluded');
        if (after.restricted === 'certain') expect(before.restricted).toBe('certain');
        if (after.claim === 'verified') expect(before.claim).toBe('verified');
        if (before.claim !== 'contradicted') expect(after.claim).not.toBe('contradicted');
        expect(after.possibleCountries).toEqual(expect.arrayContaining([...before.possibleCountries]));
      }),
      { numRuns: 300 },
    );
  });

  it('keep every party possible for a host inside a shipped area, however it delays', () => {
    const inArea = fc
      .record({ area: fc.constantFrom(...OVERLAY_AREAS), u: fc.double({ min: 0, max: 1, noNaN: true }), v: fc.double({ min: 0, max: 1, noNaN: true }) })
      .map(({ area, u, v }) => {
        const ring = area.rings[0]!;
        const lons = ring.map(([lon]) => lon);
        const lats = ring.map(([, lat]) => lat);
        const lon = Math.min(...lons) + u * (Math.max(...lons) - Math.min(...lons));
        const lat = Math.min(...lats) + v * (Math.max(...lats) - Math.min(...lats));
        return { lat, lon };
      })
      .filter(({ lat, lon }) => unitsContaining(overlay, fromLatLon(degrees(lat), degrees(lon))).length > 0)
      .chain((truth) => fc.record({ truth: fc.constant(truth), bounds: boundsAround(truth.lat, truth.lon) }));
    fc.assert(
      fc.property(inArea, ({ truth, bounds }) => {
        const parties = unitsContaining(overlay, fromLatLon(degrees(truth.lat), degrees(truth.lon))).flatMap((u) => overlay.units[u]!.codes);
        const options = { speed: 'vacuum' as const, restricted, marginKm: DEFAULT_BORDER_MARGIN };
        for (const claimed of parties) {
          const v = verifyTarget(world, bounds, claimed, options);
          expect(v.possibleCountries).toEqual(expect.arrayContaining(parties));
          expect(v.claim).not.toBe('contradicted');
          if (parties.some((c) => restricted.has(c))) expect(v.restricted).not.toBe('excluded');
        }
      }),
      { numRuns: 150 },
    );
  });
});

/** A point the geodesic `km` from (lat, lon) at a bearing. */
const placeFrom = (from: { lat: number; lon: number }, maxKm: number) =>
  fc.record({ azimuth: fc.double({ min: -180, max: 180, noNaN: true }), km: fc.double({ min: 0, max: maxKm, noNaN: true }) }).map(({ azimuth, km }) => {
    const p = Geodesic.WGS84.Direct(from.lat, from.lon, azimuth, km * 1000);
    return { lat: p.lat2!, lon: p.lon2!, km };
  });

const HOUR = 3_600_000;

/** A host at A, then at B from `arrived` on (ms before the verdict), having moved at no more than DEFAULT_TRAVEL's speed; landmarks measuring it at either. */
const movingHost = fc
  .record({ lat: fc.double({ min: -60, max: 70, noNaN: true }), lon: fc.double({ min: -180, max: 180, noNaN: true, maxExcluded: true }) })
  .chain((a) =>
    fc.record({
      a: fc.constant(a),
      b: placeFrom(a, 3000),
      arrivedMsAgo: fc.integer({ min: 0, max: 2 * HOUR }),
      slackMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 * HOUR })),
      landmarks: fc.array(fc.oneof(placeFrom(a, 3000), placeFrom(a, 300)), { minLength: 1, maxLength: 5 }),
      taken: fc.array(
        fc.record({
          landmark: fc.nat(),
          atB: fc.boolean(),
          // How long before leaving A, or after reaching B, it was taken.
          offsetMs: fc.integer({ min: 0, max: 4 * HOUR }),
          stretch: fc.double({ min: 0, max: 1, noNaN: true }),
          addedMs: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 20, noNaN: true })),
        }),
        { minLength: 1, maxLength: 12 },
      ),
    }),
  );

describe('boundsAt, for any host that moved no faster than the travel speed (property)', () => {
  it('keeps where the host is at the verdict in the region, whatever it answered from where', () => {
    fc.assert(
      fc.property(movingHost, ({ a, b, arrivedMsAgo, slackMs, landmarks, taken }) => {
        const now = 1_800_000_000_000;
        const arrived = now - arrivedMsAgo;
        // The fastest the move may have been: B's distance at DEFAULT_TRAVEL's speed, plus slack.
        const left = arrived - Math.ceil((b.km / DEFAULT_TRAVEL.maxSpeedKmPerH) * HOUR) - slackMs;
        const timed: TimedBound[] = taken.map((t) => {
          const l = landmarks[t.landmark % landmarks.length]!;
          const from = t.atB ? b : a;
          const at = t.atB ? Math.min(now, arrived + t.offsetMs) : left - t.offsetMs;
          const d = Geodesic.WGS84.Inverse(l.lat, l.lon, from.lat, from.lon).s12! / 1000;
          return { landmark: `l${t.landmark % landmarks.length}`, lat: degrees(l.lat), lon: degrees(l.lon), rtt: ms(((2 * d) / SPEED_OF_LIGHT_VACUUM) * (1 + t.stretch) + t.addedMs), at };
        });
        const bounds = boundsAt(timed, now).map((g) => ({ lat: g.measured.lat, lon: g.measured.lon, rtt: g.rtt }));
        expect(regionContains(regionFromRtts(bounds, 'vacuum'), fromLatLon(degrees(b.lat), degrees(b.lon)))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

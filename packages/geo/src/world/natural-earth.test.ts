import { geoBounds, geoContains } from 'd3-geo';
import { feature } from 'topojson-client';
import countries10m from 'world-atlas/countries-10m.json' with { type: 'json' };
import type { Topology } from 'topojson-specification';
import { describe, expect, it } from 'vitest';
import countries from 'i18n-iso-countries/index.js';
import { isCountryCode, numericToCountryCode } from '../countries.js';
import { degrees } from '../units.js';
import { fromLatLon } from '../vec3.js';
import { naturalEarthWorld } from './natural-earth.js';
import { unitsContaining } from './pip.js';
import { NO_UNIT, rasterUnitAt } from './raster.js';

const world = naturalEarthWorld();
const codesAt = (lat: number, lon: number): string[] =>
  unitsContaining(world, fromLatLon(degrees(lat), degrees(lon)))
    .flatMap((u) => world.units[u]!.codes)
    .sort();

describe('the Natural Earth world', () => {
  it.each([
    ['Berlin', 52.52, 13.405, ['DE']],
    ['Hong Kong, Kowloon', 22.3193, 114.1694, ['HK']],
    ['Macau', 22.1987, 113.5439, ['MO']],
    ['Singapore', 1.3521, 103.8198, ['SG']],
    ['Shenzhen', 22.5431, 114.0579, ['CN']],
    ['Taipei', 25.033, 121.5654, ['TW']],
    ['Minsk', 53.9006, 27.559, ['BY']],
    ['Pyongyang', 39.0392, 125.7625, ['KP']],
    ['Havana', 23.1136, -82.3666, ['CU']],
    ['Tehran', 35.6892, 51.389, ['IR']],
    ['Damascus', 33.5138, 36.2765, ['SY']],
    ['Vladivostok (Russia east of the antimeridian split)', 43.1155, 131.8855, ['RU']],
    ['Chukotka, east of 180°', 66, -172, ['RU']],
    ['Cayenne, French Guiana', 4.9224, -52.3135, ['FR', 'GF']],
    ['inland Spitsbergen, Svalbard', 78, 16, ['NO', 'SJ']],
    ['Christmas Island', -10.49, 105.62, ['AU', 'CX']],
    ['Pristina (disputed)', 42.6629, 21.1655, ['RS', 'XK']],
    ['Baikonur (leased)', 45.62, 63.31, ['KZ', 'RU']],
    ['the South Pole', -89.99, 0, ['AQ']],
    ['the middle of the Atlantic', 30, -40, []],
    ['the North Pole', 89.99, 0, []],
  ])('puts %s in %j', (_, lat, lon, expected) => {
    expect(codesAt(lat, lon)).toEqual(expected);
  });

  it('has land for every ISO 3166-1 code, so that no honest claim is contradicted for want of data', () => {
    const mapped = new Set(world.units.flatMap((u) => u.codes));
    expect(Object.keys(countries.getAlpha2Codes()).filter((c) => !mapped.has(c))).toEqual([]);
    for (const code of mapped) expect(isCountryCode(code), code).toBe(true);
  });

  it('maps every Natural Earth unit to known country codes', () => {
    for (const unit of world.units) expect(unit.codes.length, unit.name).toBeGreaterThan(0);
    expect(world.units.length).toBeGreaterThan(250);
  });

  it('agrees with d3-geo on random points well inside a country', () => {
    const topology = countries10m as unknown as Topology;
    const features = (feature(topology, topology.objects.countries!) as unknown as GeoJSON.FeatureCollection).features;
    // d3 reads ring winding; Natural Earth's Maldives ring is wound the wrong way for it.
    const usable = features
      .filter((f) => f.id !== '462')
      .map((f) => ({ f, box: geoBounds(f) }))
      .filter(({ box }) => box[1][1] - box[0][1] < 120);
    const inBox = ([[w, s], [e, n]]: [[number, number], [number, number]], lon: number, lat: number): boolean =>
      lat >= s && lat <= n && (w <= e ? lon >= w && lon <= e : lon >= w || lon <= e);
    let checked = 0;
    for (let i = 0; i < 2000; i++) {
      const lat = Math.asin(2 * ((i * 0.6180339887) % 1) - 1) * (180 / Math.PI);
      const lon = ((i * 0.7548776662) % 1) * 360 - 180;
      const hits = usable.filter(({ f, box }) => inBox(box, lon, lat) && geoContains(f, [lon, lat])).map(({ f }) => f);
      if (hits.length !== 1 || hits[0]!.id === undefined) continue;
      const code = numericToCountryCode(String(hits[0]!.id));
      if (!code) continue;
      // Points within ~30 km of a border may differ: d3 takes long border segments as great
      // circles, we follow the data's straight lines in longitude and latitude.
      const near = [-0.3, 0.3].some((d) => codesAt(lat + d, lon).join() !== codesAt(lat, lon).join() || codesAt(lat, lon + d).join() !== codesAt(lat, lon).join());
      if (near) continue;
      expect(codesAt(lat, lon), `${lat},${lon}`).toContain(code);
      checked++;
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('rasterises the same unit as the exact test at cell centres', () => {
    let agree = 0;
    let total = 0;
    for (let lat = -60.05; lat < 75; lat += 7.3) {
      for (let lon = -179.95; lon < 180; lon += 11.1) {
        const exact = unitsContaining(world, fromLatLon(degrees(lat), degrees(lon)));
        const raster = rasterUnitAt(world.raster, lat, lon);
        total++;
        if ((exact.length === 0 && raster === NO_UNIT) || exact.includes(raster)) agree++;
      }
    }
    expect(agree).toBe(total);
  });
});

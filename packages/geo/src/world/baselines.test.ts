/**
 * China's territorial sea checked against the coordinates China has published, not against the
 * outlines drawn from them: 22.2 km (12 nautical miles) beyond each straight baseline segment
 * and around each base point or outer islet, China must stay possible for the smallest region
 * there, whatever the landmarks. A point there is territory China holds; were China not
 * possible for it, `excluded` could be false for a host on it (docs/geo.md, "The margin").
 *
 * The curves are sampled 2 km apart, so every point of them lies within 1 km of a sample, and
 * each sample is judged with a margin 1 km short of the default: a sample that passes proves
 * the points around it within the default margin.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BORDER_MARGIN, SPEED_OF_LIGHT_VACUUM } from '../constants.js';
import { DEFAULT_RESTRICTED } from '../countries.js';
import { degrees, km, ms } from '../units.js';
import { verifyTarget } from '../verdict.js';
import { naturalEarthWorld } from './natural-earth.js';

const world = naturalEarthWorld();
const restricted = new Set(DEFAULT_RESTRICTED);

/** The territorial sea's breadth, 12 nautical miles (UNCLOS art. 3). */
const TERRITORIAL_SEA_KM = 22.224;
const SAMPLE_KM = 2;
const MEAN_EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;

type LatLon = readonly [lat: number, lon: number];

/** Degrees and decimal minutes, as the declarations write them. */
const dm = (deg: number, min: number): number => deg + min / 60;

/** The point `km` from `p` on bearing `bearingDeg` (a flat step: the error is metres at these distances). */
function offset([lat, lon]: LatLon, bearingDeg: number, km: number): LatLon {
  const b = bearingDeg * RAD;
  return [lat + (Math.cos(b) * km) / (MEAN_EARTH_RADIUS_KM * RAD), lon + (Math.sin(b) * km) / (MEAN_EARTH_RADIUS_KM * RAD * Math.cos(lat * RAD))];
}

/** Bearing from a to b in degrees, and the distance in km (flat, as above). */
function course([lat1, lon1]: LatLon, [lat2, lon2]: LatLon): { bearing: number; km: number } {
  const north = (lat2 - lat1) * RAD * MEAN_EARTH_RADIUS_KM;
  const east = (lon2 - lon1) * RAD * MEAN_EARTH_RADIUS_KM * Math.cos(((lat1 + lat2) / 2) * RAD);
  return { bearing: Math.atan2(east, north) / RAD, km: Math.hypot(north, east) };
}

/** The points 22.2 km either side of a baseline segment, and around its ends, every SAMPLE_KM or closer. */
function outerLimitSamples(points: readonly LatLon[]): LatLon[] {
  const out: LatLon[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const { bearing, km } = course(a, b);
    const steps = Math.max(1, Math.ceil(km / SAMPLE_KM));
    for (let s = 0; s <= steps; s++) {
      const on: LatLon = [a[0] + ((b[0] - a[0]) * s) / steps, a[1] + ((b[1] - a[1]) * s) / steps];
      out.push(offset(on, bearing + 90, TERRITORIAL_SEA_KM), offset(on, bearing - 90, TERRITORIAL_SEA_KM));
    }
  }
  const stepDeg = ((SAMPLE_KM / TERRITORIAL_SEA_KM) * 180) / Math.PI;
  for (const p of points) for (let a = 0; a < 360; a += stepDeg) out.push(offset(p, a, TERRITORIAL_SEA_KM));
  return out;
}

const chinaPossible = ([lat, lon]: LatLon): boolean =>
  verifyTarget(world, [{ lat: degrees(lat), lon: degrees(lon), rtt: ms(0.02 / SPEED_OF_LIGHT_VACUUM) }], null, {
    speed: 'vacuum',
    restricted,
    marginKm: km(DEFAULT_BORDER_MARGIN - SAMPLE_KM / 2),
  }).possibleCountries.includes('CN');

/** Where China's territorial sea lies along a published line, as [name, base points in order]. */
const LINES: [string, LatLon[]][] = [
  [
    // Declaration of 15 May 1996, base points 1 to 18, Shandonggaojiao to Daotiaoshan.
    'the 1996 baselines from Shandong to southern Zhejiang (points 1 to 18)',
    [
      [dm(37, 24.0), dm(122, 42.3)], [dm(37, 23.7), dm(122, 42.3)], [dm(36, 57.8), dm(122, 34.2)], [dm(36, 55.1), dm(122, 32.7)],
      [dm(36, 53.7), dm(122, 31.1)], [dm(36, 44.8), dm(122, 15.8)], [dm(35, 53.6), dm(120, 53.1)], [dm(35, 0.2), dm(119, 54.2)],
      [dm(33, 21.8), dm(121, 20.8)], [dm(33, 0.9), dm(121, 38.4)], [dm(31, 25.3), dm(122, 14.6)], [dm(30, 44.1), dm(123, 9.4)],
      [dm(30, 43.5), dm(123, 9.7)], [dm(30, 10.1), dm(122, 56.7)], [dm(28, 53.3), dm(122, 16.5)], [dm(28, 23.9), dm(121, 55.0)],
      [dm(28, 23.5), dm(121, 54.7)], [dm(27, 27.9), dm(121, 7.8)],
    ],
  ],
  [
    // Point 21, Niushan, and the baselines from it towards points 20 (Dongsha, 26°09.4' N
    // 120°24.3' E) and 22 (Wuqiu, 24°58.6' N 119°28.7' E), which are islands Taiwan holds: as
    // far as 25.8° N and 25.02° N, short of Taiwan's waters.
    'the 1996 baselines through Niushan (point 21), short of Matsu and Wuqiu',
    [[25.8, 120.1762], [dm(25, 25.8), dm(119, 56.3)], [25.02, 119.5222]],
  ],
  ['the 1996 baseline from Dongding to Daganshan (points 23 and 24)', [[dm(24, 9.7), dm(118, 14.2)], [dm(23, 31.9), dm(117, 41.3)]]],
  [
    // Declaration of 1 March 2024 (the north of the Gulf of Tonkin), Junbijiao on Hainan to the
    // first point of the 2000 boundary with Vietnam.
    'the 2024 baselines in the Gulf of Tonkin',
    [
      [dm(19, 21.1), dm(108, 38.6)], [dm(19, 49.6), dm(109, 9.5)], [dm(19, 54.1), dm(109, 15.7)], [dm(20, 54.2), dm(109, 12.4)],
      [dm(21, 0.6), dm(109, 5.2)], [dm(21, 23.3), dm(108, 12.3)], [21 + 28 / 60 + 12.5 / 3600, 108 + 6 / 60 + 4.3 / 3600],
    ],
  ],
  [
    // The 1996 declaration's baselines of the Paracel Islands, points 1 to 23 (East Island to
    // Zhaoshu Island), held by China and drawn as a disputed area.
    'the 1996 baselines of the Paracel Islands (points 1 to 23)',
    [
      [dm(16, 40.5), dm(112, 44.2)], [dm(16, 40.1), dm(112, 44.5)], [dm(16, 39.8), dm(112, 44.7)], [dm(16, 4.4), dm(112, 35.8)],
      [dm(16, 1.9), dm(112, 32.7)], [dm(16, 1.5), dm(112, 31.8)], [dm(16, 1.0), dm(112, 29.8)], [dm(15, 46.5), dm(111, 12.6)],
      [dm(15, 46.4), dm(111, 12.1)], [dm(15, 46.4), dm(111, 11.8)], [dm(15, 46.5), dm(111, 11.6)], [dm(15, 46.7), dm(111, 11.4)],
      [dm(15, 46.9), dm(111, 11.3)], [dm(15, 47.2), dm(111, 11.4)], [dm(17, 4.9), dm(111, 26.9)], [dm(17, 5.4), dm(111, 26.9)],
      [dm(17, 5.7), dm(111, 27.2)], [dm(17, 6.0), dm(111, 27.8)], [dm(17, 6.5), dm(111, 29.2)], [dm(17, 7.0), dm(111, 31.0)],
      [dm(17, 7.1), dm(111, 31.6)], [dm(17, 6.9), dm(111, 32.0)], [dm(16, 59.9), dm(112, 14.7)],
    ],
  ],
];

/** Outer islets China holds, each with a territorial sea of its own, as [name, position]. */
const ISLETS: [string, LatLon][] = [
  ['Haitanshi (Changle)', [25.76, 119.81]],
  ['Shanbai (Pingtan)', [25.704, 119.858]],
  ['Yingdong Reef (Pingtan)', [25.597, 119.915]],
  ['Tianyu Reef (Pingtan)', [25.275, 119.766]],
  ['Shuiluo Reef (Putian)', [25.213, 119.67]],
  ['Damai (Putian)', [25.19, 119.597]],
  ['Dongtaishan (Fuding)', [26.985, 120.717]],
  ['Zhentouyan (Huidong), a 1996 base point', [22.315, 115.125]],
];

describe("China's territorial sea along its published baselines and around its outer islets", () => {
  it.each(LINES)('keeps China possible 22.2 km beyond %s', (_, points) => {
    const missed = outerLimitSamples(points).filter((p) => !chinaPossible(p));
    expect(missed.map(([lat, lon]) => `${lat.toFixed(3)} N ${lon.toFixed(3)} E`)).toEqual([]);
  });

  it('keeps China possible 22.2 km around each outer islet', () => {
    const missed = ISLETS.flatMap(([name, p]) => (outerLimitSamples([p]).some((q) => !chinaPossible(q)) ? [name] : []));
    expect(missed).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTRICTED } from '../countries.js';
import { degrees } from '../units.js';
import { fromLatLon } from '../vec3.js';
import { OVERLAY_AREAS } from './overlay-areas.js';
import { badOverlayArea, overlayBorders, overlayGridUnitsAt, overlayUnitsAt, type LonLat, type OverlayArea } from './overlay.js';
import { unitsContaining } from './pip.js';

const overlay = overlayBorders(OVERLAY_AREAS);
const codesAt = (lat: number, lon: number): string[] =>
  [...new Set(unitsContaining(overlay, fromLatLon(degrees(lat), degrees(lon))).flatMap((u) => overlay.units[u]!.codes))].sort();

const square = (lon: number, lat: number, half: number): LonLat[] => [
  [lon - half, lat - half],
  [lon + half, lat - half],
  [lon + half, lat + half],
  [lon - half, lat + half],
];

/** Whether segments ab and cd cross in the lon/lat plane (touching counts). */
function crosses(a: LonLat, b: LonLat, c: LonLat, d: LonLat): boolean {
  const side = (p: LonLat, q: LonLat, r: LonLat): number => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  return side(a, b, c) * side(a, b, d) <= 0 && side(c, d, a) * side(c, d, b) <= 0;
}

describe('overlay areas', () => {
  it.each([
    ['no codes', { name: 'x', codes: [], disputed: false, rings: [square(0, 0, 1)] }, /x: no country codes/],
    ['no outline', { name: 'x', codes: ['RU'], disputed: false, rings: [] }, /x: no outline/],
    ['two vertices', { name: 'x', codes: ['RU'], disputed: false, rings: [[[0, 0], [1, 1]]] }, /an outline of 2 vertices/],
    ['a vertex past the pole', { name: 'x', codes: ['RU'], disputed: false, rings: [[[0, 0], [1, 1], [1, 91]]] }, /vertex 1, 91 is not/],
    ['a vertex at the pole', { name: 'x', codes: ['RU'], disputed: false, rings: [[[0, 0], [1, 1], [1, 90]]] }, /vertex 1, 90 is not/],
    ['a longitude that is not a number', { name: 'x', codes: ['RU'], disputed: false, rings: [[[0, 0], [1, 1], [Number.NaN, 2]]] }, /vertex NaN, 2 is not/],
  ] satisfies [string, OverlayArea, RegExp][])('refuses an area with %s', (_, area, message) => {
    expect(badOverlayArea(area)).toMatch(message);
    expect(() => overlayBorders([area])).toThrow(RangeError);
  });

  it('finds each of two overlapping areas at a point they share, and neither outside them', () => {
    const b = overlayBorders([
      { name: 'a', codes: ['RU'], disputed: false, rings: [square(10, 10, 1)] },
      { name: 'b', codes: ['UA', 'RU'], disputed: true, rings: [square(10.5, 10.5, 1)] },
    ]);
    const at = (lat: number, lon: number): string[] => unitsContaining(b, fromLatLon(degrees(lat), degrees(lon))).map((u) => b.units[u]!.name).sort();
    expect(at(10.2, 10.2)).toEqual(['a', 'b']);
    expect(at(9.2, 9.2)).toEqual(['a']);
    expect(at(11.3, 11.3)).toEqual(['b']);
    expect(at(12, 8)).toEqual([]);
  });

  it.each([
    ['the middle of the Bohai Sea', 38.9, 119.6],
    ['the Caspian east of the Absheron peninsula', 40.0, 50.8],
    ['Donetsk', 48.0159, 37.8028],
    ['Tiraspol', 46.8403, 29.6433],
    ['Paris', 48.8566, 2.3522],
    ['off the Paracels, in no area', 14.5, 112.0],
  ])('finds the same areas at %s by box and grid (for shares) as by the exact test', (_, lat, lon) => {
    const p = fromLatLon(degrees(lat), degrees(lon));
    const all = overlay.units.map((_, u) => u);
    expect(overlayUnitsAt(overlay, p)).toEqual(unitsContaining(overlay, p));
    expect(overlayGridUnitsAt(overlay, { lat: degrees(lat), lon: degrees(lon) }, all)).toEqual(unitsContaining(overlay, p).sort((a, b) => a - b));
  });

  it('finds no area on the meridian of a vertex south of it, whichever bin the point\'s longitude rounds into', () => {
    // 48.7° E is a bin edge and the longitude of a vertex of the shipped Caspian outlines; the point's
    // longitude through xyz is 48.7 or 48.699999999999996 by latitude. The edge that ends at the
    // vertex from the west must be found from either side.
    const b = overlayBorders([{ name: 'a', codes: ['RU'], disputed: false, rings: [[[48.35, 41.9], [48.7, 41.62], [50.4, 41.75], [50.7, 42.6]]] }]);
    for (const lat of [36.5, 36.6, 37, 36.50000000000002]) expect(unitsContaining(b, fromLatLon(degrees(lat), degrees(48.7)))).toEqual([]);
    expect(unitsContaining(b, fromLatLon(degrees(41.8), degrees(48.7)))).toEqual([0]);
    expect(codesAt(36.6, 48.7)).toEqual([]);
  });

  it('follows straight lon/lat lines between vertices far apart, as the country data does', () => {
    const b = overlayBorders([{ name: 'band', codes: ['RU'], disputed: false, rings: [[[0, 60], [40, 60], [40, 61], [0, 61]]] }]);
    // The great circle from (0, 60) to (40, 60) bulges to ~61.7° N at 20° E; the lon/lat line does not.
    expect(unitsContaining(b, fromLatLon(degrees(61.2), degrees(20)))).toEqual([]);
    expect(unitsContaining(b, fromLatLon(degrees(60.1), degrees(20)))).toEqual([0]);
  });

  it('ships outlines that are valid, simple (no edge crosses another) and each name a restricted party by default, but for those drawn for claims', () => {
    // These name no restricted party: they keep true claims from being contradicted (and a
    // neighbour's from being verified) where the units leave their land or waters out, and the
    // Matsu Islands keep China from being certain on land Taiwan holds.
    const forClaims = (name: string) =>
      name.startsWith('Caspian Sea, ') ||
      name === 'Western Sahara' ||
      ['Matsu Islands', 'Kastellorizo', 'Turtle Islands', 'Cuyo Islands', 'Koh Tao', 'Pontine Islands', 'Røst', 'Træna', 'Thousand Islands', 'Cargados Carajos', 'Nukunonu', 'Niuatoputapu', 'Federated States of Micronesia', 'Marshall Islands'].some((n) => name.startsWith(n));
    for (const area of OVERLAY_AREAS) {
      expect(badOverlayArea(area)).toBeUndefined();
      expect(area.codes.some((c) => DEFAULT_RESTRICTED.includes(c)) || forClaims(area.name), area.name).toBe(true);
      expect(area.disputed).toBe(area.codes.length > 1);
      for (const shipped of area.rings) {
        // A ring across the antimeridian (an edge takes the short way over 180°) is tested with its
        // western longitudes carried past 180, where its edges are straight lines as drawn.
        const across = shipped.some(([lon], i) => Math.abs(lon - shipped[(i + 1) % shipped.length]![0]) > 180);
        const ring = across ? shipped.map(([lon, lat]): LonLat => [lon < 0 ? lon + 360 : lon, lat]) : shipped;
        const edges = ring.map((p, i) => [p, ring[(i + 1) % ring.length]!] as const);
        edges.forEach(([a, b], i) =>
          edges.forEach(([c, d], j) => {
            const adjacent = Math.abs(i - j) <= 1 || Math.abs(i - j) === edges.length - 1;
            if (!adjacent) expect(crosses(a, b, c, d), `${area.name}: edges ${i} and ${j} cross`).toBe(false);
          }),
        );
      }
    }
  });

  it.each([
    ['the middle of the Bohai Sea', 38.9, 119.6, ['CN']],
    ['Liaodong Bay', 40.4, 121.0, ['CN']],
    ['Laizhou Bay', 37.4, 119.5, ['CN']],
    ['the Jiangsu shoals, within the 1996 baseline', 33.5, 120.95, ['CN']],
    ['the Yangtze mouth, within the 1996 baseline', 31.1, 122.6, ['CN']],
    ['east of the Zhoushan islands, within the 1996 baseline', 30.6, 123.0, ['CN']],
    ['the Nanji islands, within the 1996 baseline', 27.45, 120.95, ['CN']],
    ['off the Jiangsu shoals, outside the 1996 baseline', 33.6, 121.2, []],
    ['outside the 1996 baseline off Haijiao', 30.73, 123.3, []],
    ['Nangan (Matsu, held by Taiwan)', 26.16, 119.95, ['TW']],
    ['Sevastopol', 44.6, 33.52, ['RU', 'UA']],
    ['Anapa (Russia), east of the Kerch Strait', 44.9, 37.32, []],
    ['Laayoune (Western Sahara)', 27.14, -13.19, ['EH', 'MA']],
    ['Tarfaya (Morocco, north of 27°40\' N)', 27.94, -12.93, []],
    ['Kastellorizo (Greece, 2 km off Turkey)', 36.149, 29.594, ['GR']],
    ['Kaş (Turkey)', 36.2, 29.64, []],
    ['Pingelap atoll (Micronesia)', 6.21, 160.7, ['FM']],
    ['Enewetak atoll (Marshall Islands)', 11.35, 162.34, ['MH']],
    ['Kinmen (held by Taiwan)', 24.43, 118.32, []],
    ['Peter the Great Bay, within its closing line', 42.5, 131.9, ['RU']],
    ['south of the closing line of Peter the Great Bay', 42.3, 132.4, []],
    ['Shelikhov Gulf', 60.0, 157.5, ['RU']],
    ['Penzhina Bay', 61.0, 162.5, ['RU']],
    ['the Sea of Okhotsk south of the entrance to Shelikhov Gulf', 57.6, 153.0, ['RU']],
    ['the Sea of Okhotsk north of the Shantar Islands', 55.7, 138.9, ['RU']],
    ['the open Sea of Okhotsk', 52.0, 150.0, ['RU']],
    ['the Sea of Okhotsk off Hokkaido, south of the outline', 45.0, 143.5, []],
    ['the Kamchatka Strait', 54.7, 164.3, ['RU']],
    ['the Pacific east of Medny Island', 54.6, 168.5, []],
    ['the Gulf of Anadyr west of Cape Navarin', 62.0, 176.7, ['RU']],
    ['the middle of the Gulf of Anadyr', 63.6, -178.4, ['RU']],
    ['between Kunashir and Shikotan', 44.0, 146.3, ['RU']],
    ['the Pacific off Iturup', 44.9, 148.0, ['RU']],
    ['the Pacific south of the Habomai islets', 43.2, 146.0, []],
    ['the Bering Strait between Cape Dezhnev and Big Diomede', 65.7, -169.8, ['RU']],
    ['the Bering Strait east of Big Diomede', 65.6, -168.7, []],
    ['the Kara Sea off the Yenisei Gulf', 73.9, 78.5, ['RU']],
    ['the Kara Sea off Taymyr\'s west coast', 76.5, 85.9, ['RU']],
    ['the Kara Sea by Vize Island', 79.5, 80.2, ['RU']],
    ['the Barents Sea west of Novaya Zemlya, past the outline', 73.0, 50.5, []],
    ['the Chukchi Sea off Neshkan', 67.4, -174.0, ['RU']],
    ['the Chukchi Sea off Point Hope (US)', 68.3, -167.5, []],
    ['Maly Tyuters', 59.81, 26.914, ['RU']],
    ['Rodsher', 59.969, 26.68, ['RU']],
    ['Sommers', 60.207, 27.643, ['RU']],
    ['the Gulf of Finland off Kunda (Estonia)', 59.6, 26.5, []],
    ['west of the Isla de la Juventud', 21.7, -83.7, ['CU']],
    ['the Caribbean south of Cabo Corrientes', 21.4, -84.5, []],
    ['off Cienfuegos', 21.7, -80.5, ['CU']],
    ['off the coast north of Chongjin', 41.6, 130.15, ['KP']],
    ['the Sea of Japan east of Chongjin', 41.6, 130.6, []],
    ['Baydaratskaya Bay', 69.75, 65.25, ['RU']],
    ['the Kara Sea off Baydaratskaya Bay', 70.5, 64.0, ['RU']],
    ['the Gulf of Ob', 72.45, 74.0, ['RU']],
    ['the Tatar Strait', 50.0, 141.25, ['RU']],
    ['the Sea of Japan south of the Tatar Strait', 46.5, 140.0, []],
    ['Aniva Bay', 46.25, 142.75, ['RU']],
    ['La Perouse Strait, off Cape Soya', 45.7, 142.0, []],
    ['Terpeniya Bay', 48.5, 143.5, ['RU']],
    ['Avacha Gulf', 52.75, 159.5, ['RU']],
    ['the Pacific off Avacha Gulf', 52.3, 160.0, []],
    ['Kronotsky Gulf', 54.0, 161.25, ['RU']],
    ['Olyutorsky Gulf', 60.0, 168.5, ['RU']],
    ['Tauyskaya Bay', 59.3, 149.8, ['RU']],
    ['the Krusenstern Strait', 48.4, 153.8, ['RU']],
    ['the Pacific off the Kurils', 47.0, 154.0, []],
    ['the Nemuro Strait off Hokkaido', 43.6, 145.4, []],
    ['the Pechora Sea', 69.8, 55.0, ['RU']],
    ['the Barents Sea west of Franz Josef Land, toward Svalbard', 80.2, 38.0, []],
    ['the channels of Franz Josef Land', 80.6, 52.0, ['RU']],
    ['the Vilkitsky Strait', 77.9, 103.0, ['RU']],
    ['the Laptev Sea', 75.5, 125.0, ['RU']],
    ['the East Siberian Sea north of Wrangel Island, across 180°', 72.0, -178.0, ['RU']],
    ['the Chukchi Sea west of the US-Russia line, past the outline', 70.5, -172.0, []],
    ['Kresta Bay', 65.0, -178.0, ['RU']],
    ['the Gulf of Anadyr off St Lawrence Island (US)', 63.9, -173.0, []],
    ['Mechigmen Bay', 65.3, -171.5, ['RU']],
    ['the Gulf of Batabanó', 22.2, -82.7, ['CU']],
    ['the Caribbean south of the Canarreos', 21.3, -82.0, []],
    ['the Gulf of Guacanayabo', 20.4, -77.75, ['CU']],
    ['the Caribbean south of the Jardines de la Reina', 20.4, -79.0, []],
    ['West Korea Bay', 39.25, 124.0, ['CN', 'KP']],
    ['the Yellow Sea south of West Korea Bay', 38.2, 123.5, []],
    ['East Korea Bay', 39.75, 128.5, ['KP']],
    ['off the Pearl River mouth', 22.0, 114.75, ['CN']],
    ['the Gulf of Tonkin between Guangxi and Weizhou', 21.05, 108.6, ['CN']],
    ['behind the baseline from Dongding to Daganshan', 23.75, 117.8, ['CN']],
    ['the Qizhou islands', 19.975, 111.273, ['CN']],
    ["the Gulf of Tonkin by Vietnam's Co To islands", 21.1, 107.7, []],
    ['Bach Long Vi (Vietnam)', 20.13, 107.72, []],
    ['Pratas (held by Taiwan)', 20.7, 116.72, []],
    ['east of Pingtan, behind the 1996 baseline through Niushan', 25.6, 119.98, ['CN']],
    ["Matsu's Juguang islands (held by Taiwan)", 25.96, 119.96, ['TW']],
    ['Wuqiu (held by Taiwan)', 24.977, 119.478, []],
    ['the Sea of Japan off East Korea Bay', 39.5, 129.5, []],
    ['the middle of the Sea of Azov', 46.1, 36.6, ['RU', 'UA']],
    ['Taganrog Bay', 47.1, 38.6, ['RU', 'UA']],
    ['the Kerch Strait', 45.25, 36.55, ['RU', 'UA']],
    ['the middle of the White Sea', 65.2, 37.8, ['RU']],
    ['Kandalaksha Bay', 66.8, 33.5, ['RU']],
    ['Onega Bay', 64.3, 36.5, ['RU']],
    ['the White Sea funnel', 67.5, 41.5, ['RU']],
    ['the Caspian off Dagestan (Russian sector)', 44.0, 48.3, ['RU']],
    ['the Caspian off Makhachkala (Russian sector)', 42.9, 48.5, ['RU']],
    ['the north Caspian near the Russian-Kazakh line', 45.5, 49.3, ['KZ', 'RU']],
    ['the Caspian off the Ural mouth (Kazakh sector)', 46.3, 51.5, ['KZ']],
    ['the Caspian off Mangyshlak (Kazakh sector)', 44.0, 50.5, ['KZ']],
    ['the middle Caspian where the Azerbaijani and Kazakh sectors meet', 42.0, 50.5, ['AZ', 'KZ']],
    ['the Caspian east of the Absheron peninsula (Azerbaijani sector)', 40.0, 50.8, ['AZ']],
    ['the Caspian off Turkmenbashi (Turkmen sector)', 40.5, 52.5, ['TM']],
    ['the Kara-Bogaz-Gol', 41.3, 53.8, ['TM']],
    ['the south Caspian that Iran disputes with Azerbaijan', 38.8, 50.0, ['AZ', 'IR']],
    ['the south Caspian that Iran disputes with Turkmenistan', 38.6, 52.5, ['IR', 'TM']],
    ['the Caspian off Mazandaran (Iranian part)', 37.3, 51.5, ['IR']],
    ['Woody Island, Paracels', 16.83, 112.33, ['CN', 'TW', 'VN']],
    ['Fiery Cross Reef', 9.55, 112.89, ['BN', 'CN', 'MY', 'PH', 'TW', 'VN']],
    ['Mischief Reef', 9.92, 115.53, ['BN', 'CN', 'MY', 'PH', 'TW', 'VN']],
    ['Greater Tunb', 26.265, 55.305, ['AE', 'IR']],
    ['Lesser Tunb', 26.233, 55.133, ['AE', 'IR']],
    ['Farsi Island', 27.993, 50.1725, ['IR']],
    ['Iony Island', 56.41, 143.38, ['RU']],
    ['Uyedineniya Island', 77.483, 82.5, ['RU']],
    ['Jeannette Island', 76.716, 158.11, ['RU']],
    ['Moneron Island', 46.2567, 141.2367, ['RU']],
    ['the Taishan Islands', 27.0011, 120.6992, ['CN']],
    ['the Sea of Japan between Moneron and Rishiri', 45.7, 141.2, []],
    ["between Kharg and the coast, behind Iran's 1973 baseline", 29.7, 50.0, ['IR']],
    ["the Gulf off Bushehr, outside Iran's 1973 baseline", 28.6, 50.7, []],
    ['the Strait of Hormuz south-east of Larak', 26.45, 56.7, ['IR']],
    ['between the Tunbs and Qeshm', 26.4, 55.4, ['IR']],
    ['the Strait of Hormuz by the Quoin islands (Oman)', 26.5, 56.5, []],
    ['Khasab (Oman)', 26.18, 56.25, []],
    ['Ras al-Khaimah', 25.79, 55.94, []],
    ['the Gulf of Oman off Chabahar Bay', 25.25, 60.5, ['IR']],
    ['the Gulf of Oman south of the Iranian coast', 24.9, 60.0, []],
    ['Jiwani (Pakistan)', 25.05, 61.75, []],
    ['Dubai', 25.2, 55.27, []],
    ['Jubail', 27.0, 49.66, []],
    ['Donetsk', 48.0159, 37.8028, ['RU', 'UA']],
    ['Luhansk', 48.574, 39.3078, ['RU', 'UA']],
    ['Mariupol', 47.0971, 37.5434, ['RU', 'UA']],
    ['Melitopol', 46.8489, 35.3675, ['RU', 'UA']],
    ['Enerhodar', 47.4989, 34.6581, ['RU', 'UA']],
    ['Nova Kakhovka', 46.7548, 33.3487, ['RU', 'UA']],
    ['Oleshky', 46.62, 32.72, ['RU', 'UA']],
    ['Vasylivka', 47.44, 35.28, ['RU', 'UA']],
    ['Pokrovsk', 48.28, 37.18, ['RU', 'UA']],
    ['Kostiantynivka', 48.53, 37.71, ['RU', 'UA']],
    ['the Kinburn Spit', 46.53, 31.55, ['RU', 'UA']],
    ['Sievierodonetsk', 48.948, 38.491, ['RU', 'UA']],
    ['Sukhumi', 43.0015, 41.0234, ['GE', 'RU']],
    ['Gagra', 43.28, 40.27, ['GE', 'RU']],
    ['Gali', 42.627, 41.733, ['GE', 'RU']],
    ['Tskhinvali', 42.2276, 43.9686, ['GE', 'RU']],
    ['Akhalgori', 42.126, 44.485, ['GE', 'RU']],
    ['Tiraspol', 46.8403, 29.6433, ['MD', 'RU']],
    ['Bender', 46.8316, 29.4777, ['MD', 'RU']],
    ['Rîbnița', 47.7694, 29.0003, ['MD', 'RU']],
    ['Paris', 48.8566, 2.3522, []],
    ['Kyiv', 50.4501, 30.5234, []],
    ['Dnipro', 48.4647, 35.0462, []],
    ['Zaporizhzhia', 47.84, 35.14, []],
    ['Kherson, on the right bank', 46.64, 32.61, []],
    ['Beryslav, on the right bank', 46.84, 33.42, []],
    ['Nikopol, on the right bank', 47.57, 34.4, []],
    ['Ochakiv', 46.61, 31.54, []],
    ['Mykolaiv', 46.975, 31.995, []],
    ['Kramatorsk', 48.72, 37.56, []],
    ['Sloviansk', 48.85, 37.6, []],
    ['Zugdidi', 42.51, 41.87, []],
    ['Gori', 41.98, 44.11, []],
    ['Baku', 40.4093, 49.8671, []],
    ['Atyrau', 47.1, 51.9, []],
    ['Odesa', 46.4825, 30.7233, []],
    ['Kharkiv', 49.9935, 36.2304, []],
    ['Tbilisi', 41.7151, 44.8271, []],
    ['Kutaisi', 42.27, 42.7, []],
    ['Chișinău', 47.01, 28.86, []],
    ['Dubăsari', 47.27, 29.16, ['MD', 'RU']],
    ['Camenca', 48.03, 28.7, ['MD', 'RU']],
    ['Slobozia', 46.73, 29.7, ['MD', 'RU']],
    ['Beijing', 39.9042, 116.4074, []],
    ['Seoul', 37.5665, 126.978, []],
    ['Jeju', 33.5, 126.53, []],
    ['Taipei', 25.03, 121.57, []],
    ['Tehran', 35.6892, 51.389, []],
    ['Singapore', 1.3521, 103.8198, []],
  ] as const)('counts %s for the parties that hold it, and only there', (_, lat, lon, codes) => {
    expect(codesAt(lat, lon)).toEqual([...codes].sort());
  });
});

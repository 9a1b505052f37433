import { describe, expect, it } from 'vitest';
import { DEFAULT_BORDER_MARGIN, SPEED_OF_LIGHT_VACUUM } from './constants.js';
import { DEFAULT_RESTRICTED } from './countries.js';
import { regionContains } from './region.js';
import type { SpeedModel } from './speed.js';
import { degrees, km, ms, type Km } from './units.js';
import { regionFromRtts, verifyTarget, type RttBound } from './verdict.js';
import { fromLatLon } from './vec3.js';
import { naturalEarthWorld } from './world/natural-earth.js';
import type { World } from './world/world.js';

const world = naturalEarthWorld();
const restricted = new Set(DEFAULT_RESTRICTED);

const PLACES = {
  tokyo: [35.6762, 139.6503],
  singapore: [1.3521, 103.8198],
  frankfurt: [50.1109, 8.6821],
  hongKong: [22.3193, 114.1694],
  cayenne: [4.9224, -52.3135],
  spratly: [10.38, 114.36],
  shipOffYantai: [37.62, 121.8],
  yangtzeZhoushan: [31.1, 122.6],
  peterTheGreatBay: [42.5, 131.9],
  shelikhovGulf: [60.0, 157.5],
  penzhinaBay: [61.0, 162.5],
  baydaratskayaBay: [69.75, 65.25],
  gulfOfOb: [72.45, 74.0],
  tatarStrait: [50.0, 141.25],
  sakhalinGulf: [54.5, 141.0],
  anivaBay: [46.25, 142.75],
  terpeniyaBay: [48.5, 143.5],
  avachaGulf: [52.75, 159.5],
  kronotskyGulf: [54.0, 161.25],
  karaginskyGulf: [59.5, 164.0],
  olyutorskyGulf: [60.0, 168.5],
  tauyskayaBay: [59.3, 149.8],
  bussolStrait: [46.55, 151.2],
  krusensternStrait: [48.4, 153.8],
  pechoraSea: [69.8, 55.0],
  cheshskayaBay: [67.4, 46.75],
  franzJosefLand: [81.3, 53.6],
  offTaymyr: [77.6, 100.5],
  olenyokGulf: [73.4, 121.0],
  buorKhayaGulf: [72.2, 131.7],
  sannikovStrait: [74.15, 138.04],
  bearIslands: [70.3, 162.5],
  chaunskayaBay: [69.3, 169.9],
  longStrait: [70.3, 178.0],
  krestaBay: [65.0, -178.0],
  northOfShantar: [55.7, 138.9],
  offAyanToOkhotsk: [58.5, 143.1],
  offWestKamchatka: [51.9, 155.6],
  offCapeTerpeniya: [47.3, 144.0],
  kamchatkaStrait: [54.7, 164.3],
  southOfOlyutorsky: [59.4, 167.0],
  gulfOfAnadyr: [63.6, -178.4],
  offNavarin: [62.1, 177.1],
  southOfCatherineStrait: [44.1, 146.6],
  dezhnevToDiomede: [65.7, -169.8],
  offYeniseiGulf: [73.9, 78.5],
  offWestTaymyr: [76.5, 85.9],
  byVizeIsland: [79.5, 80.2],
  offNeshkan: [67.4, -174.0],
  southOfTyuters: [59.68, 27.2],
  westOfMalyTyuters: [59.75, 26.6],
  westOfRodsher: [59.95, 26.4],
  northWestOfSommers: [60.3, 27.45],
  westOfIslaDeLaJuventud: [21.7, -83.8],
  offCienfuegos: [21.7, -80.5],
  northOfChongjin: [41.55, 130.15],
  monbetsu: [44.35, 143.35],
  abashiri: [44.02, 144.27],
  attu: [52.9, 173.2],
  capePrinceOfWales: [65.64, -168.08],
  gulfOfBatabano: [21.95, -82.2],
  gulfOfCazones: [21.7, -80.9],
  gulfOfAnaMaria: [21.25, -78.9],
  gulfOfGuacanayabo: [20.4, -77.75],
  grandCayman: [19.3, -81.38],
  westKoreaBay: [39.25, 124.0],
  eastKoreaBay: [39.75, 128.5],
  pearlRiverMouth: [22.0, 114.75],
  offBahregan: [29.6, 49.9],
  offBushehr: [28.6, 50.7],
  offNayband: [27.2, 52.3],
  southEastOfLarak: [26.4, 56.6],
  offJaskToChabahar: [25.3, 58.5],
  gwadar: [25.12, 62.3],
  dubai: [25.2, 55.27],
  beibuGulf: [21.05, 108.6],
  offDaganshan: [23.42, 117.87],
  eastOfQizhou: [20.115, 111.424],
  bachLongVi: [20.13, 107.72],
  bohai: [38.9, 119.6],
  russianCaspian: [44.0, 48.5],
  iranianCaspian: [38.8, 50.6],
  baku: [40.4093, 49.8671],
  atyrau: [47.1, 51.9],
  dnipro: [48.4647, 35.0462],
  odesa: [46.4825, 30.7233],
  tbilisi: [41.7151, 44.8271],
  novaKakhovka: [46.75, 33.37],
  azov: [46.1, 36.6],
  whiteSea: [65.2, 37.8],
  fieryCross: [9.55, 112.89],
  mischief: [9.92, 115.53],
  paracels: [16.3, 111.9],
  donetsk: [48.0159, 37.8028],
  sukhumi: [43.0015, 41.0234],
  tiraspol: [46.8403, 29.6433],
  paris: [48.8566, 2.3522],
  taipei: [25.03, 121.57],
  jeju: [33.5, 126.53],
  greaterTunb: [26.258, 55.283],
  farsi: [27.9933, 50.1725],
  iony: [56.4097, 143.3815],
  moneron: [46.2567, 141.2367],
  westOfMoneron: [46.25, 140.98],
  taishan: [27.0011, 120.6992],
  jubail: [27.0, 49.66],
  rishiri: [45.18, 141.24],
} as const;
type Place = keyof typeof PLACES;

const at = (place: Place, rttMs: number): RttBound => ({ lat: degrees(PLACES[place][0]), lon: degrees(PLACES[place][1]), rtt: ms(rttMs) });
/** A bound that keeps the host within `radiusKm` of a point. */
const near = (lat: number, lon: number, radiusKm: number): RttBound => ({ lat: degrees(lat), lon: degrees(lon), rtt: ms((2 * radiusKm) / SPEED_OF_LIGHT_VACUUM) });
/** A bound that keeps the host within `radiusKm` of a place. */
const within = (place: Place, radiusKm: number): RttBound => near(PLACES[place][0], PLACES[place][1], radiusKm);
const bare: World = { ...world, overlay: undefined };
const verify = (bounds: RttBound[], claimed: string | null, opts: { speed?: SpeedModel; marginKm?: Km; world?: World } = {}) =>
  verifyTarget(opts.world ?? world, bounds, claimed, { speed: opts.speed ?? 'vacuum', restricted, marginKm: opts.marginKm ?? DEFAULT_BORDER_MARGIN });

describe('verifyTarget, worked examples', () => {
  it('bounds a host 1 ms from Tokyo to 149.9 km and verifies Japan', () => {
    const v = verify([at('tokyo', 1)], 'JP');
    expect(v.possibleCountries).toEqual(['JP']);
    expect(v.claim).toBe('verified');
    expect(v.restricted).toBe('excluded');
    // The cap is 149.9 km of geodesic distance; reported radius is on the mean sphere.
    expect(v.radiusKm).toBeGreaterThan(149.9);
    expect(v.radiusKm).toBeLessThan(151);
    expect(v.estimate!.lat).toBeCloseTo(35.6762, 6);
  });

  it.each([
    ['a negative RTT (its cap would reach past the antipode, over Shenzhen, yet exclude China)', { ...at('singapore', 0), rtt: ms(-30) }, /RTT -30 ms is not a non-negative number/],
    ['an RTT that is not a number', { ...at('singapore', 0), rtt: ms(Number.NaN) }, /RTT NaN ms/],
    ['a latitude past the pole', { ...at('singapore', 2), lat: degrees(200) }, /latitude 200 is not within ±90°/],
    ['a longitude out of range', { ...at('singapore', 2), lon: degrees(Number.POSITIVE_INFINITY) }, /longitude Infinity/],
  ])('refuses to judge from %s rather than compute a verdict', (_, bound, message) => {
    expect(() => verify([bound], 'SG')).toThrow(message);
    expect(() => regionFromRtts([at('tokyo', 5), bound], 'vacuum')).toThrow(RangeError);
  });

  it('excludes China for a host 2 ms from Singapore', () => {
    const v = verify([at('singapore', 2)], 'SG');
    expect(v.restricted).toBe('excluded');
    expect(v.claim).toBe('consistent');
    expect(new Set(v.possibleCountries)).toEqual(new Set(['SG', 'MY', 'ID']));
  });

  it('cannot exclude China for a host 2 ms from Singapore under a 40 ms bound from Tokyo', () => {
    expect(verify([at('singapore', 60), at('tokyo', 40)], 'SG').restricted).toBe('possible');
  });

  it('contradicts France for a host 0.5 ms from Frankfurt', () => {
    const v = verify([at('frankfurt', 0.5)], 'FR');
    expect(v.claim).toBe('contradicted');
    expect(v.possibleCountries).toEqual(['DE']);
  });

  it('is certain of a restricted country for a host 0.2 ms from Hong Kong', () => {
    const v = verify([at('hongKong', 0.2)], 'SG');
    expect(v.restricted).toBe('certain');
    expect(v.claim).toBe('contradicted');
    expect(v.possibleCountries).toContain('HK');
  });

  it('reports an empty region for RTTs no place can satisfy', () => {
    const v = verify([at('frankfurt', 1), at('tokyo', 1)], 'DE');
    expect(v).toMatchObject({ empty: true, claim: 'contradicted', restricted: 'possible', radiusKm: null, estimate: null, countryEstimate: null, possibleCountries: [] });
  });

  it('says nothing without a claim, and keeps every country possible without RTTs', () => {
    const v = verify([], null);
    expect(v.claim).toBeNull();
    expect(v.restricted).toBe('possible');
    expect(v.possibleCountries.length).toBeGreaterThan(200);
  });

  it('verifies both FR and GF for a host in French Guiana', () => {
    expect(verify([at('cayenne', 0.1)], 'FR').claim).toBe('verified');
    expect(verify([at('cayenne', 0.1)], 'GF').claim).toBe('verified');
  });

  it('counts disputed islands for every claimant and verifies none', () => {
    const v = verify([at('spratly', 0.3)], 'VN');
    expect(v.possibleCountries).toEqual(expect.arrayContaining(['CN', 'VN', 'PH', 'TW', 'MY', 'BN']));
    expect(v.claim).toBe('consistent');
    expect(v.restricted).toBe('possible');
  });

  it("counts a country's territorial sea: a ship off Yantai is in China, though no land is in its region", () => {
    const ship = [at('shipOffYantai', 0.02)];
    expect(verify(ship, null).restricted).toBe('certain');
    expect(verify(ship, null, { marginKm: km(0) }).restricted).toBe('excluded');
  });

  it('is tighter with the fiber model but never looser', () => {
    const bounds = [at('singapore', 30), at('tokyo', 40)];
    const vac = verify(bounds, null);
    const fib = verify(bounds, null, { speed: 'fiber' });
    expect(fib.areaKm2).toBeLessThan(vac.areaKm2);
    for (const c of fib.possibleCountries) expect(vac.possibleCountries).toContain(c);
  });

  it('places the estimate inside a one-cap region and reports its area', () => {
    const bounds = [at('frankfurt', 3)];
    const v = verify(bounds, null);
    const region = regionFromRtts(bounds, 'vacuum');
    expect(regionContains(region, fromLatLon(v.estimate!.lat, v.estimate!.lon))).toBe(true);
    const r = 449.7 / 6371.0088;
    expect(v.areaKm2 / (2 * Math.PI * (1 - Math.cos(r)) * 6371.0088 ** 2)).toBeCloseTo(1, 2);
  });
});

describe('verifyTarget, overlay areas the country units leave out', () => {
  it.each([
    ['in the middle of the Bohai Sea, ~70 km from land (Chinese internal waters)', 'bohai', 20, ['CN']],
    ['in the Russian sector of the Caspian Sea', 'russianCaspian', 20, ['RU']],
    ['in the south Caspian that Iran claims beyond the Astara-Hasan Quli line', 'iranianCaspian', 20, ['IR', 'AZ']],
    ['in Nova Kakhovka, on the occupied left bank of the Dnipro', 'novaKakhovka', 5, ['UA', 'RU']],
    ['between the Yangtze mouth and the Zhoushan islands, within China\'s 1996 straight baseline', 'yangtzeZhoushan', 10, ['CN']],
    ['in Peter the Great Bay, within the line Russia closed it by in 1957', 'peterTheGreatBay', 15, ['RU']],
    ['in the middle of Shelikhov Gulf, ~80 km from Russian land', 'shelikhovGulf', 60, ['RU']],
    ['in Penzhina Bay, a Russian historic bay', 'penzhinaBay', 8, ['RU']],
    ['in Baydaratskaya Bay, between the Yugorsky Peninsula and Yamal', 'baydaratskayaBay', 8, ['RU']],
    ['in the Gulf of Ob, the estuary between Yamal and Gydan', 'gulfOfOb', 8, ['RU']],
    ['in the Tatar Strait, between the mainland and Sakhalin', 'tatarStrait', 8, ['RU']],
    ['in the Sakhalin Gulf', 'sakhalinGulf', 30, ['RU']],
    ['in Aniva Bay', 'anivaBay', 8, ['RU']],
    ['in Terpeniya Bay', 'terpeniyaBay', 15, ['RU']],
    ['in Avacha Gulf, off Petropavlovsk-Kamchatsky', 'avachaGulf', 15, ['RU']],
    ['in Kronotsky Gulf', 'kronotskyGulf', 15, ['RU']],
    ['in Karaginsky Gulf, inside Karaginsky Island', 'karaginskyGulf', 6, ['RU']],
    ['in Olyutorsky Gulf', 'olyutorskyGulf', 15, ['RU']],
    ['in Tauyskaya Bay, off Magadan', 'tauyskayaBay', 5, ['RU']],
    ['in the Bussol Strait, between Urup and Simushir', 'bussolStrait', 1.5, ['RU']],
    ['in the Krusenstern Strait, in the middle of the Kurils', 'krusensternStrait', 5, ['RU']],
    ['in the Pechora Sea, between Kolguev, Novaya Zemlya and Vaygach', 'pechoraSea', 20, ['RU']],
    ['in Cheshskaya Bay', 'cheshskayaBay', 8, ['RU']],
    ['in the channels of Franz Josef Land', 'franzJosefLand', 0.6, ['RU']],
    ["among the islands off Taymyr's northern coast", 'offTaymyr', 6, ['RU']],
    ['in the Olenyok Gulf', 'olenyokGulf', 5, ['RU']],
    ['in the Buor-Khaya Gulf, east of the Lena delta', 'buorKhayaGulf', 7, ['RU']],
    ['at the western entrance of the Sannikov Strait, among the New Siberian Islands', 'sannikovStrait', 12, ['RU']],
    ['between the Bear Islands and the Kolyma coast', 'bearIslands', 5, ['RU']],
    ['in Chaunskaya Bay, off Pevek', 'chaunskayaBay', 3, ['RU']],
    ['in the Long Strait, between Wrangel Island and Chukotka', 'longStrait', 15, ['RU']],
    ['in Kresta Bay, across 180° from the Long Strait', 'krestaBay', 8, ['RU']],
    ['in the Sea of Okhotsk north of the Shantar Islands', 'northOfShantar', 50, ['RU']],
    ['off the Okhotsk coast between Ayan and Okhotsk', 'offAyanToOkhotsk', 40, ['RU']],
    ["off Kamchatka's west coast", 'offWestKamchatka', 30, ['RU']],
    ["off Sakhalin's east coast south of Cape Terpeniya", 'offCapeTerpeniya', 25, ['RU']],
    ['in the Kamchatka Strait, between Kamchatka and the Commander Islands', 'kamchatkaStrait', 60, ['RU']],
    ['just south of the mouth of Olyutorsky Gulf', 'southOfOlyutorsky', 12, ['RU']],
    ['in the middle of the Gulf of Anadyr', 'gulfOfAnadyr', 60, ['RU']],
    ['in the Gulf of Anadyr west of Cape Navarin', 'offNavarin', 18, ['RU']],
    ['south of the Catherine Strait, between Kunashir and Iturup', 'southOfCatherineStrait', 4, ['RU']],
    ['in the Bering Strait between Cape Dezhnev and Big Diomede', 'dezhnevToDiomede', 5, ['RU']],
    ['in the Kara Sea off the Yenisei Gulf', 'offYeniseiGulf', 40, ['RU']],
    ["in the Kara Sea among the islands off Taymyr's west coast", 'offWestTaymyr', 60, ['RU']],
    ['in the Kara Sea by Vize Island', 'byVizeIsland', 20, ['RU']],
    ['in the Chukchi Sea off Neshkan, east of Kolyuchin Bay', 'offNeshkan', 8, ['RU']],
    ["south of Bolshoy Tyuters, in the Gulf of Finland (an island the 1:10m data lacks)", 'southOfTyuters', 10, ['RU']],
    ['west of Maly Tyuters', 'westOfMalyTyuters', 8, ['RU']],
    ["west of Rodsher, Russia's westernmost island in the Gulf of Finland", 'westOfRodsher', 5, ['RU']],
    ['north-west of Sommers, off the Finnish coast', 'northWestOfSommers', 5, ['RU']],
    ['west of the Isla de la Juventud, towards Cabo Corrientes', 'westOfIslaDeLaJuventud', 6, ['CU']],
    ['off Cienfuegos, past the Gulf of Cazones', 'offCienfuegos', 3, ['CU']],
    ['off the North Korean coast north of Chongjin', 'northOfChongjin', 6, ['KP']],
    ['in the Gulf of Batabanó, between Cuba and the Isla de la Juventud', 'gulfOfBatabano', 6, ['CU']],
    ['in the Gulf of Cazones, east of Cayo Largo', 'gulfOfCazones', 5, ['CU']],
    ['in the Gulf of Ana María, behind the Jardines de la Reina', 'gulfOfAnaMaria', 5, ['CU']],
    ['in the Gulf of Guacanayabo', 'gulfOfGuacanayabo', 3, ['CU']],
    ['in West Korea Bay, between Liaodong and North Korea', 'westKoreaBay', 15, ['CN', 'KP']],
    ['in East Korea Bay, off Hamhung', 'eastKoreaBay', 5, ['KP']],
    ['off the Pearl River mouth, behind the outer islands', 'pearlRiverMouth', 15, ['CN']],
    ['in the north of the Gulf of Tonkin, between Guangxi and Weizhou', 'beibuGulf', 8, ['CN']],
    ['off Daganshan, in the territorial sea beyond the baseline from Dongding', 'offDaganshan', 15, ['CN']],
    ['east of the Qizhou islands, off Hainan', 'eastOfQizhou', 12, ['CN']],
    ["off Bahregan, in Iran's territorial sea beyond the Bahregan-Kharg baseline", 'offBahregan', 15, ['IR']],
    ["off Bushehr, in Iran's territorial sea beyond the Kharg-Nakhilu baseline", 'offBushehr', 5, ['IR']],
    ["off Nayband, in Iran's territorial sea beyond the Nakhilu-Lavan baseline", 'offNayband', 8, ['IR']],
    ['in the Strait of Hormuz south-east of Larak', 'southEastOfLarak', 20, ['IR']],
    ["in the Gulf of Oman between Jask and Chabahar, in Iran's territorial sea beyond the capes", 'offJaskToChabahar', 5, ['IR']],
    ['on Greater Tunb, held by Iran, claimed by the UAE, ~30 km from Iranian land as Natural Earth draws it', 'greaterTunb', 3, ['IR', 'AE']],
    ['on Farsi Island, an Iranian naval base in mid-Gulf', 'farsi', 20, ['IR']],
    ['on Iony Island in the open Sea of Okhotsk', 'iony', 20, ['RU']],
    ['on Moneron Island, off Sakhalin', 'moneron', 20, ['RU']],
    ['20 km west of Moneron Island, in its territorial sea', 'westOfMoneron', 35, ['RU']],
    ['on the Taishan Islands, off Fujian', 'taishan', 3, ['CN']],
    ['in the middle of the Sea of Azov', 'azov', 20, ['RU', 'UA']],
    ['on Fiery Cross Reef, held by China, 134 km from any land Natural Earth codes to it', 'fieryCross', 20, ['CN', 'VN', 'PH', 'TW']],
    ['on Mischief Reef, held by China, 41 km from the nearest Spratly island drawn', 'mischief', 10, ['CN', 'VN', 'PH', 'TW']],
    ['in Donetsk, occupied by Russia, coded Ukraine', 'donetsk', 20, ['UA', 'RU']],
    ['in Sukhumi, Abkhazia, coded Georgia', 'sukhumi', 15, ['GE', 'RU']],
    ['in Tiraspol, Transnistria, coded Moldova', 'tiraspol', 20, ['MD', 'RU']],
  ] as const)('cannot exclude restricted countries for a host %s', (_, place, radiusKm, parties) => {
    const bounds = [within(place, radiusKm)];
    // Without the overlay the region is clear of every restricted country's land by the margin.
    expect(verify(bounds, null, { world: bare }).restricted).toBe('excluded');
    const v = verify(bounds, null);
    expect(v.restricted).toBe('possible');
    expect(v.possibleCountries).toEqual(expect.arrayContaining([...parties]));
  });

  it.each([
    ['Katzrin', 32.99, 35.69],
    ['Ghajar, at its north-west corner', 33.273, 35.623],
    ['the north-east shore of the Sea of Galilee', 32.88, 35.645],
    ['Hamat Gader, at its south-west corner', 32.684, 35.665],
  ] as const)('keeps Syria possible in the Golan Heights, which Natural Earth codes to Israel: %s is within the margin of Syrian land', (_, lat, lon) => {
    // The Golan is at most about 22 km wide from the 1949 line to the 1974 one, and the 25-km
    // margin around Syria's unit takes all of it in: no outline of its own is needed.
    const v = verify([near(lat, lon, 1)], 'IL', { world: bare });
    expect(v.restricted).toBe('possible');
    expect(v.possibleCountries).toEqual(expect.arrayContaining(['IL', 'SY']));
    expect(v.claim).toBe('consistent');
  });

  it('leaves Grand Cayman, the nearest land of another country to Cuba\'s gulfs, provable outside Cuba by a region of 220 km', () => {
    // About 230 km with the outlines or without: they lie farther than that from the island.
    expect(verify([within('grandCayman', 220)], null).restricted).toBe('excluded');
  });

  it.each([
    ['Monbetsu, on Hokkaido\'s Okhotsk coast', 'monbetsu', 145],
    ['Abashiri, on Hokkaido\'s Okhotsk coast', 'abashiri', 65],
    ['Attu, the westernmost Aleutian', 'attu', 345],
    ['Cape Prince of Wales, across the Bering Strait', 'capePrinceOfWales', 18],
  ] as const)("leaves %s as provable outside Russia as Russia's own land allows", (_, place, radiusKm) => {
    // A few km under the largest region that Russia's land (bare world) leaves clear: the
    // outlines of Russia's Pacific seas keep farther from these places than its land.
    expect(verify([within(place, radiusKm)], null, { world: bare }).restricted).toBe('excluded');
    expect(verify([within(place, radiusKm)], null).restricted).toBe('excluded');
  });

  it.each([['paris', ['FR']], ['singapore', ['SG', 'MY', 'ID']], ['dubai', ['AE']], ['gwadar', ['PK']]] as const)('leaves a host in %s as it was', (place, countries) => {
    const bounds = [within(place, 20)];
    const v = verify(bounds, countries[0]);
    expect(v).toEqual(verify(bounds, countries[0], { world: bare }));
    expect(v.restricted).toBe('excluded');
    expect(new Set(v.possibleCountries)).toEqual(new Set(countries));
  });

  it('only weakens claims: a Chinese claim in the Bohai Sea becomes consistent, never verified', () => {
    const bounds = [within('bohai', 20)];
    expect(verify(bounds, 'CN', { world: bare }).claim).toBe('contradicted');
    expect(verify(bounds, 'CN').claim).toBe('consistent');
    expect(verify(bounds, 'CN').countryEstimate).toBe('CN');
  });

  it('no longer verifies Ukraine in Donetsk, nor is certain of China in the Paracels, where a party is disputed', () => {
    expect(verify([within('donetsk', 20)], 'UA', { world: bare }).claim).toBe('verified');
    expect(verify([within('donetsk', 20)], 'UA').claim).toBe('consistent');
    expect(verify([within('paracels', 20)], null, { world: bare }).restricted).toBe('certain');
    expect(verify([within('paracels', 20)], null).restricted).toBe('possible');
  });

  it('keeps a certain verdict where the area is one restricted country: the White Sea', () => {
    const v = verify([within('whiteSea', 20)], 'RU');
    expect(v).toMatchObject({ restricted: 'certain', claim: 'verified', possibleCountries: ['RU'] });
  });
});

describe('verifyTarget, precision next to the overlay areas', () => {
  // The outlines follow the real line with a few km of room (docs/geo.md, "Overlay areas"), so
  // an honest host near one is still proved outside the restricted countries by a small region.
  it.each([
    ['Baku, 15 km', 'baku', 15],
    ['Baku, 80 km (the Russian sector ends ~150 km north, Iran\'s claim ~110 km south-east)', 'baku', 80],
    ['Atyrau, 150 km (in the Kazakh sector, ~200 km from Russian land and waters)', 'atyrau', 150],
    ['Dnipro, 60 km (the front ~90 km south-east)', 'dnipro', 60],
    ['Odesa, 20 km (Transnistria ~50 km west, the Kinburn Spit ~50 km east)', 'odesa', 20],
    ['Tbilisi, 12 km (South Ossetia ~40 km north)', 'tbilisi', 12],
    ['Jubail, 90 km (Farsi Island ~117 km north-east)', 'jubail', 90],
    ['Jeju, 400 km (China\'s 1996 baseline ~440 km west, off the Yangtze)', 'jeju', 400],
    ['Bach Long Vi, 70 km (Vietnam\'s, mid-Gulf of Tonkin; China\'s waters off Hainan ~100 km east)', 'bachLongVi', 70],
    ['Rishiri, 70 km (Aniva Bay\'s outline ~95 km north-east; the Tatar Strait\'s is closed at 47 N)', 'rishiri', 70],
    ['Taipei, 130 km (the outline of China\'s waters off Pingtan ~160 km west; Matsu, which Taiwan holds, is no area of China\'s)', 'taipei', 130],
  ] as const)('excludes the restricted countries for a host in %s', (_, place, radiusKm) => {
    expect(verify([within(place, radiusKm)], null).restricted).toBe('excluded');
  });

  it.each([
    ['the Russian sector of the Caspian', 'russianCaspian', 15, 'RU'],
    ['Tiraspol', 'tiraspol', 15, 'RU'],
    ['Donetsk', 'donetsk', 15, 'RU'],
    ['the Caspian Iran claims', 'iranianCaspian', 15, 'IR'],
  ] as const)('keeps a restricted country possible for a host in %s', (_, place, radiusKm, code) => {
    const v = verify([within(place, radiusKm)], null);
    expect(v.restricted).toBe('possible');
    expect(v.possibleCountries).toContain(code);
  });

  it('makes Russia possible for a host in Atyrau only once its region reaches Russian land or waters', () => {
    expect(verify([within('atyrau', 150)], null).possibleCountries).not.toContain('RU');
    expect(verify([within('atyrau', 200)], null).possibleCountries).toContain('RU');
  });
});

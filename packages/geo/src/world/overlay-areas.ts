import type { CountryCode } from '../countries.js';
import type { LonLat, OverlayArea } from './overlay.js';

/**
 * Areas that Natural Earth's units leave out but a host can stand in, so that the countries
 * holding them stay possible there (docs/geo.md, "Borders"). Every outline is drawn by hand for
 * Locus from general geography (China's baseline from its published base points) and must contain
 * the real area: an outline too large only makes a country possible more often, one too small
 * could make `excluded` false. The margin (25 km) is added to each outline as to each unit, and
 * already covers 22.2 km of territorial sea and 2.8 km of data error, so an outline follows the
 * real line with a small allowance for drawing error and movement, not more: about 5 km past a
 * stable boundary line or river, 10-15 km past a moving front, a few km over a coast. Room drawn beyond that is counted twice and costs
 * precision for every honest host nearby. Areas held by more than one party are disputed:
 * possible for each, certain for none.
 *
 * Front lines move: the occupied areas are drawn as of late 2025 and must be redrawn when a
 * front passes near their edge. OVERLAY_REVIEWED (overlay-reviewed.ts) is the day they were
 * last checked; bump it at every review, and list an area drawn along a moving line in
 * OVERLAY_FRONTS there.
 */

const SPRATLY_CLAIMANTS: readonly CountryCode[] = ['CN', 'TW', 'VN', 'PH', 'MY', 'BN'];
/** Half the side of the square drawn around a reef, in degrees (about 7 km): the reef, plus room for error in where it is placed; the margin adds 25 km. */
const REEF_HALF_SIDE_DEG = 0.06;
const KM_PER_DEGREE_LAT = 111.2;

/** A square in lon/lat around a point, `halfLatDeg` and `halfLonDeg` to each side. */
const square = (name: string, codes: readonly CountryCode[], lon: number, lat: number, halfLatDeg: number, halfLonDeg: number): OverlayArea => ({
  name,
  codes,
  disputed: codes.length > 1,
  rings: [
    [
      [lon - halfLonDeg, lat - halfLatDeg],
      [lon + halfLonDeg, lat - halfLatDeg],
      [lon + halfLonDeg, lat + halfLatDeg],
      [lon - halfLonDeg, lat + halfLatDeg],
    ] satisfies LonLat[],
  ],
});

const reef = (name: string, lon: number, lat: number): OverlayArea => square(name, SPRATLY_CLAIMANTS, lon, lat, REEF_HALF_SIDE_DEG, REEF_HALF_SIDE_DEG);

/**
 * An island the 1:10m data lacks, as a square `halfKm` to each side of its centre: the island
 * itself, plus room for the spread of its published positions.
 */
const island = (name: string, codes: readonly CountryCode[], lon: number, lat: number, halfKm: number): OverlayArea =>
  square(name, codes, lon, lat, halfKm / KM_PER_DEGREE_LAT, halfKm / (KM_PER_DEGREE_LAT * Math.cos((lat * Math.PI) / 180)));

export const OVERLAY_AREAS: readonly OverlayArea[] = [
  {
    // Internal waters of China, up to ~70 km from land; the outline takes in the whole sea,
    // its coasts and the Bohai Strait out past Lüshun and Penglai. It runs tens of km onto land in
    // places, all of it Chinese, which costs no host anything.
    name: 'Bohai Sea',
    codes: ['CN'],
    disputed: false,
    rings: [
      [
        [117.2, 38.0], [117.2, 39.4], [118.2, 39.5], [119.2, 40.1], [119.8, 40.4], [120.6, 41.0], [121.3, 41.4],
        [122.4, 41.3], [122.6, 40.6], [122.3, 39.8], [122.0, 39.2], [121.6, 38.7], [121.3, 38.2], [121.1, 37.6],
        [120.3, 37.3], [119.5, 36.8], [118.6, 36.8], [117.8, 37.2],
      ],
    ],
  },
  {
    // Internal waters of China behind the straight baselines of its declaration of 15 May 1996,
    // from the eastern tip of Shandong to Daotiaoshan off southern Zhejiang (its base points 1 to
    // 18, exact to 0.1' of arc, in order): up to ~80 km from land off the Jiangsu shoals, the
    // Yangtze mouth and the Zhoushan islands, where the margin alone stops at 25 km. The
    // territorial sea beyond the baseline is the margin's, as off any coast: 22.2 km of its
    // 25, the rest covering the datum, the rounding of the points and the lon/lat edge drawn
    // for each baseline segment (0.26 km from the rhumb line at most, on the 226-km segment
    // from Dashandao to Macaiheng). South of Daotiaoshan the declaration's points 19, 20, 22
    // and 23 lie on islands Taiwan holds (Matsu, Wuqiu, beside Kinmen): the outline turns to the
    // coast at the Zhejiang-Fujian border and closes through China's interior to Shandong, and
    // the baselines through point 21 (Niushan) and points 23 to 26 are drawn in the two areas
    // that follow.
    name: 'China, within its 1996 straight baselines (Yellow and East China Seas)',
    codes: ['CN'],
    disputed: false,
    rings: [
      [
        // Base points 1 to 8: Shandonggaojiao, Moyedao, Sushandao, Chaoliandao, Dashandao.
        [122.705, 37.4], [122.705, 37.395], [122.57, 36.9633], [122.545, 36.9183], [122.5183, 36.895],
        [122.2633, 36.7467], [120.885, 35.8933], [119.9033, 35.0033],
        // 9 to 18: Macaiheng, Waikejiao, Sheshandao, Haijiao, Dongnanjiao, Liangxiongdiyu,
        // Yushanliedao, Taizhouliedao, Daotiaoshan.
        [121.3467, 33.3633], [121.64, 33.015], [122.2433, 31.4217], [123.1567, 30.735], [123.1617, 30.725],
        [122.945, 30.1683], [122.275, 28.8883], [121.9167, 28.3983], [121.9117, 28.3917], [121.13, 27.465],
        // The coast at Shacheng, then back through the interior: Taishun, Yuyao, Suzhou, Taizhou,
        // Linyi, Jiaozhou, Laiyang.
        [120.35, 27.15], [119.8, 27.6], [121.0, 29.8], [120.5, 31.3], [119.8, 32.5], [118.8, 34.5], [120.0, 36.3],
        [121.2, 37.0],
      ],
    ],
  },
  {
    // China's waters off Pingtan and Putian in Fujian, behind the 1996 baselines through base
    // point 21, Niushan (25°25.8' N 119°56.3' E), an islet of Pingtan ~9 km beyond the coast the
    // 1:10m data draws, and around the islets from Haitanshi (off Changle) to Damai (off
    // Putian), 5 to 15 km beyond it: Natural Earth has none of them, and regions in the
    // territorial sea around them and beyond the baselines, up to ~30 km from the coast drawn,
    // said `excluded`. The neighbouring base points, 20 (Dongsha, Matsu) and 22 (Wuqiu), are on
    // islands Taiwan holds, so the outline runs along the baseline from Niushan towards each
    // and stops short of Taiwan's waters: at 25.8° N, some 14 km south of Matsu's Juguang
    // islands, and ~7 km from Wuqiu; then over China's land from Putian to the Min mouth.
    name: 'China, within its 1996 baselines through Niushan and around its islets off Pingtan and Putian (Fujian)',
    codes: ['CN'],
    disputed: false,
    rings: [
      [
        // The coast south of the Min mouth, then on the baseline towards Dongsha, Niushan, and
        // on the baseline towards Wuqiu.
        [119.55, 25.9], [120.18, 25.8], [119.94, 25.43], [119.525, 25.02],
        // Putian's coast by Meizhou Bay, and inland of Fuqing.
        [119.15, 25.1], [119.3, 25.6],
      ],
    ],
  },
  {
    // China's waters off southern Fujian, Guangdong, around Hainan and in the north of the Gulf
    // of Tonkin, behind the straight baselines of its 1996 declaration and of 2024 (Beilun
    // estuary to Weizhou): regions of 10 to 80 km off the Pearl River mouth and the Guangdong
    // coast, of 10 to 20 km off Guangxi, and of up to 20 km off Daganshan, in the territorial sea
    // beyond the baseline from Dongding, said `excluded`. Base points 23 to 26 (Dongding, an islet
    // of Taiwan's Kinmen County that the baseline starts from, Daganshan, Nanpeng) are vertices,
    // from the published coordinates; for 27 to 49, whose coordinates Locus does not have, the
    // outline runs some 50 km off the mainland coast (the baselines join islands 10 to 40 km
    // out), 20 to 40 km off Hainan, taking in the Qizhou islands off its north-east, and in the
    // Gulf of Tonkin keeps east of the 2000 boundary with Vietnam as far as this drawing knows
    // it (from the Beilun estuary south-south-east, ~20 km east of Vietnam's Tran Island); then
    // back over China's land to the coast west of Xiamen. Kinmen itself stays outside, Taiwan's
    // Pratas lies 90 km south of the outline, Vietnam's Bach Long Vi ~65 km west.
    name: 'China, within its baselines off southern Fujian, Guangdong, Hainan and Guangxi',
    codes: ['CN'],
    disputed: false,
    rings: [
      [
        [117.5, 23.2], [116.6, 22.6], [115.5, 22.2], [114.5, 21.8], [113.5, 21.4], [112.5, 21.1], [111.5, 20.9],
        [110.9, 20.4], [111.3, 20.06], [111.3, 19.9], [111.2, 19.6], [110.8, 18.6], [110.1, 18.0], [108.9, 18.05], [108.55, 18.4], [108.5, 19.1],
        // Junbijiao, base point 49, where the baselines of 1996 end and those of 2024 begin.
        [108.635, 19.352], [108.9, 19.7], [109.0, 20.3], [108.45, 20.75], [108.15, 21.1], [108.1, 21.45], [108.0, 21.6], [109.5, 22.5], [113.0, 23.0], [116.5, 23.6],
        // Inland of Longhai, then base points 23 and 24: Dongding, Daganshan.
        [117.8, 24.35], [118.2367, 24.1617], [117.6883, 23.5317],
      ],
    ],
  },
  {
    // Historic waters of Russia since 1957, behind the line from the Tumen mouth to Cape
    // Povorotny (~196 km, up to ~45 km from land inside it): the outline runs some 6 km south
    // of that line, over the North Korean coast at the Tumen mouth (counted for North Korea
    // already) and back over Russian land north of Vladivostok and Nakhodka.
    name: 'Peter the Great Bay',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [130.68, 42.23], [133.1, 42.61], [133.2, 42.9], [132.3, 43.5], [131.6, 43.6], [131.2, 43.2], [130.8, 42.6],
      ],
    ],
  },
  // Gulfs and straits that Russia's land surrounds on three sides, drawn whole to their entrance,
  // because a region inside one of them, farther than the margin from its shores, would otherwise
  // prove a host there outside Russia: what Russia holds of them (internal waters behind its
  // 1984-85 straight baselines, whose coordinates Locus does not have, or a historic bay) lies
  // within. Drawn whole, they may count waters Russia does not hold (its exclusive economic zone
  // beyond 22.2 km of the coast): that costs precision mostly to a host afloat in them, as only
  // the Tatar Strait and Aniva Bay come within reach of another country's land (Japan's).
  {
    // Shelikhov Gulf with Gizhiga Bay and Penzhina Bay (a historic bay, internal waters by the
    // decree of 1984): some 300 by 150 km, up to ~80 km from land; a region of 160 km around
    // its middle said `excluded`. Closed by the line from Cape Alevina (Koni Peninsula) to
    // Cape Utkholok (Kamchatka), its entrance, then over Russian land around it.
    name: 'Shelikhov Gulf',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [151.9, 58.75], [157.1, 57.5], [158.0, 57.5], [161.0, 59.0], [163.0, 60.4], [165.0, 61.5], [165.5, 62.7],
        [163.0, 63.0], [158.0, 62.5], [155.0, 61.0], [152.0, 60.0], [152.5, 59.6], [152.3, 59.1],
      ],
    ],
  },
  {
    // Tauyskaya Bay by Magadan, inside the Koni Peninsula, where a region of some 10 km said
    // `excluded`: drawn to a line from the mainland west of the bay to the peninsula's tip.
    name: 'Tauyskaya Bay',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [148.3, 59.75], [148.3, 59.15], [151.6, 58.9], [151.5, 59.8],
      ],
    ],
  },
  {
    // The straits of the Kuril chain from Urup to Paramushir and Cape Lopatka (Bussol,
    // Krusenstern, the Fourth Kuril and the rest), up to ~70 km wide, where regions of 5 to 20 km
    // said `excluded`: a band along the chain, for the baselines Russia may draw across them.
    // Iturup and Kunashir, which Japan claims, are left as Natural Earth draws them; the band
    // starts 300 km from Hokkaido.
    name: 'Kuril straits, Urup to Paramushir',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [150.3, 45.7], [151.5, 46.3], [152.6, 46.85], [153.5, 47.6], [154.0, 48.1], [154.9, 48.8], [155.6, 49.4],
        [156.6, 50.2], [157.1, 50.8], [156.0, 51.15], [155.0, 50.8], [154.3, 50.0], [153.7, 49.3], [153.1, 48.6],
        [152.5, 47.8], [151.4, 47.2], [150.3, 46.6], [149.6, 46.0],
      ],
    ],
  },
  {
    // The Tatar Strait between the mainland and Sakhalin, with the Amur Liman and the Sakhalin
    // Gulf, where regions of 10 to 80 km said `excluded`. Closed in the south on the parallel of
    // 47 N, where the strait opens into the Sea of Japan (closing it at Cape Crillon, Sakhalin's
    // southern tip, cost northern Hokkaido a third of its precision: Rishiri 78 to 50 km), and in
    // the north ~10 km seaward of the line from Cape Elizabeth, Sakhalin's northern tip, to the
    // mainland.
    name: 'Tatar Strait and Sakhalin Gulf',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [138.5, 46.95], [142.35, 46.95], [142.5, 49.5], [142.5, 51.0], [142.4, 52.5], [142.6, 54.3],
        [142.85, 54.52], [139.7, 54.32], [139.5, 54.0], [139.5, 53.0], [139.0, 51.0], [138.5, 48.5],
      ],
    ],
  },
  {
    // Aniva Bay, Sakhalin's southern bay between Cape Crillon and Cape Aniva (~100 km): closed
    // some 3 km seaward of that line, to keep away from Hokkaido (the margin of Cape Crillon
    // already reaches as far south), then over Sakhalin.
    name: 'Aniva Bay',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [142.05, 45.87], [143.47, 45.99], [143.5, 46.5], [142.6, 47.0], [141.9, 46.5],
      ],
    ],
  },
  {
    // Terpeniya Bay, on Sakhalin's east coast inside the Cape Terpeniya peninsula: up to ~120 km
    // across, where regions of 40 to 80 km said `excluded`. Closed ~10 km seaward of the line
    // from Cape Terpeniya to the coast north of Mordvinov Bay, then over Sakhalin.
    name: 'Terpeniya Bay',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [144.85, 48.5], [142.9, 47.35], [142.3, 47.6], [142.3, 49.0], [143.5, 49.6], [144.3, 49.35],
      ],
    ],
  },
  {
    // The gulfs of Kamchatka's east coast: Avacha (Petropavlovsk-Kamchatsky), Kronotsky,
    // Kamchatsky, Ozernoy and Karaginsky, whose middles (regions of 20 to 160 km) said
    // `excluded`. Closed ~10-15 km seaward of the lines between the capes that enclose them
    // (Povorotny, Shipunsky, Kronotsky, Kamchatsky, Ozernoy, then outside Karaginsky Island to
    // the coast at 60 N), then over Kamchatka.
    name: 'Gulfs of eastern Kamchatka',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [158.8, 52.25], [160.25, 53.05], [162.35, 54.75], [163.6, 56.1], [163.6, 57.85], [164.9, 58.7], [165.0, 59.3],
        [166.0, 60.0], [163.0, 60.5], [161.5, 58.0], [159.0, 56.0], [157.5, 53.0], [157.8, 52.3],
      ],
    ],
  },
  {
    // Olyutorsky Gulf, between the Govena Peninsula and Cape Olyutorsky (~230 km): regions of
    // 20 to 40 km in it said `excluded`, and of 3 to 15 km just south of that line. Closed on the
    // parallel of 59.3 N from the outline of Kamchatka's gulfs (10 to 50 km seaward of the
    // line), then to Cape Olyutorsky and over land.
    name: 'Olyutorsky Gulf',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [165.0, 59.3], [168.0, 59.3], [170.5, 59.8], [170.8, 60.6], [168.0, 61.0], [166.0, 60.4],
      ],
    ],
  },
  // Russia's Pacific seas where no other country's land lies within 300 km, drawn whole like its
  // Arctic seas below: baselines of 1984 join capes and islands there whose course Locus cannot
  // check, and probing for segments of up to 200 km between points of Russia's land (a region
  // inside the hull of the Russian land within 200 km of it, farther than the margin from all of
  // it) found regions of 5 to 130 km that still said `excluded` just past the gulfs drawn above:
  // off the Shantar Islands and the Okhotsk coast, between Kamchatka and the Commander Islands,
  // in the Gulf of Anadyr. Drawn whole, out past the outermost islands and over Russian land,
  // they take in open sea (exclusive economic zone, not territory), which only makes Russia
  // possible for a host afloat there. No host on land within 600 km of them loses anything
  // (measured over Hokkaido, St Lawrence Island and the Aleutians: Russia's own land lies nearer);
  // the western Aleutians, farther, lose 2 to 25 km of regions of 650 km and more.
  {
    // The Sea of Okhotsk north of a line from Cape Aniva (Sakhalin) to Iturup and along the Kuril
    // straits drawn above to Cape Lopatka: the Shantar Islands, Udskaya, Tugur and Academy Bays,
    // the coast past Ayan and Okhotsk to Tauyskaya Bay, the mouth of Shelikhov Gulf and
    // Kamchatka's west coast. Its southern edge keeps some 180 km from Hokkaido's northern coast,
    // farther than Sakhalin and Kunashir, which are Russia's already.
    name: 'Sea of Okhotsk, north of the Kurils and Cape Aniva',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [143.5, 46.05], [142.6, 47.0], [142.45, 47.2], [142.45, 54.3], [142.85, 54.52], [139.7, 54.32], [139.5, 53.9],
        [136.5, 53.6], [135.0, 54.2], [134.5, 55.2], [136.0, 56.2], [137.5, 56.6], [140.0, 58.5], [143.0, 59.6],
        [148.3, 59.75], [148.3, 59.15], [151.6, 58.9], [151.9, 58.75], [157.1, 57.5], [157.8, 57.0], [157.6, 52.0],
        [156.8, 50.8], [156.6, 50.2], [155.6, 49.4], [154.9, 48.8], [154.0, 48.1], [153.5, 47.6], [152.6, 46.85],
        [151.5, 46.3], [150.3, 45.7], [146.5, 45.0], [145.5, 45.75],
      ],
    ],
  },
  {
    // The Kamchatka Strait between Cape Kamchatsky and the Commander Islands (~180 km), with
    // Bering and Medny Islands and the strait between them, joined to the gulfs of eastern
    // Kamchatka; Attu (United States), the nearest other land, lies 350 km east of it.
    name: 'Kamchatka Strait and the Commander Islands',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [162.35, 54.75], [163.0, 54.6], [165.5, 54.35], [167.3, 54.3], [168.15, 54.53], [168.0, 54.9], [166.9, 55.5],
        [165.6, 56.6], [165.2, 57.4], [163.6, 57.85], [163.6, 56.1],
      ],
    ],
  },
  {
    // The Gulf of Anadyr west of 175.5 W, from the coast west of Cape Navarin to the Anadyr
    // estuary and Kresta Bay (drawn above), some 190 km short of St Lawrence Island (United
    // States), whose nearest Russian land, Chukotka's Cape Chaplino, lies 70 km from it.
    name: 'Gulf of Anadyr',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [173.3, 61.6], [174.5, 61.3], [177.0, 61.6], [179.3, 62.1], [179.8, 62.6], [-178.5, 63.1], [-176.0, 63.3],
        [-175.6, 64.0], [-175.5, 64.5], [-179.8, 64.7], [177.0, 64.4], [176.0, 63.0],
      ],
    ],
  },
  // Where another country's land lies near, only the hull of the land Russia holds.
  {
    // The southern Kurils' Pacific side: the waters between Kunashir, Shikotan and the Habomai
    // islets, the Catherine Strait between Kunashir and Iturup, and Iturup's bays up to the
    // Kuril straits drawn above, where regions of 1 to 20 km said `excluded` some 25 to 40 km
    // from the islands. Russia holds the islands (Japan claims them) and drew baselines around
    // each (1984); whether any crosses between them Locus cannot check, so the outline takes in
    // their hull. Hokkaido loses nothing: Kunashir and the Habomai islets lie nearer to it.
    name: 'Southern Kurils, Pacific side',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [146.2, 44.45], [145.8, 44.0], [145.6, 43.8], [146.15, 43.5], [146.95, 43.78], [147.15, 44.35], [147.7, 44.65],
        [148.3, 44.95], [148.9, 45.25], [149.45, 45.5], [150.3, 45.7], [146.5, 45.0],
      ],
    ],
  },
  {
    // Baydaratskaya Bay, between the Yugorsky Peninsula and Yamal: up to ~60 km from land; a
    // region of 30 km in it said `excluded`. Closed some 10 km seaward of the line from the
    // Yugorsky coast at 64.2 E to Yamal at 70.2 N, then over Russian land around it.
    name: 'Baydaratskaya Bay',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [64.2, 69.7], [67.3, 70.3], [68.5, 70.0], [69.0, 68.5], [66.0, 67.8], [62.5, 68.5], [62.5, 69.4],
      ],
    ],
  },
  {
    // The Gulf of Ob, the estuary between Yamal and Gydan (internal waters as a river's mouth),
    // 800 km long and up to ~80 km wide; regions of 5 to 10 km in it said `excluded`. Closed
    // north of its mouth, from the sea off Yamal's north-eastern tip to Gydan, over Russian land
    // on both shores; the Taz estuary, which joins it, lies within the margin of its shores.
    name: 'Gulf of Ob',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [72.5, 66.3], [71.6, 67.5], [71.3, 69.0], [71.3, 71.0], [72.2, 73.1], [75.8, 72.8], [76.2, 71.0], [75.8, 69.2],
        [76.0, 67.5], [74.5, 66.3],
      ],
    ],
  },
  {
    // West Korea Bay north of the parallel of Lüshun (38.72 N), between China's Liaodong
    // Peninsula and North Korea, where regions of 10 to 40 km said `excluded`: drawn whole to
    // that line, for the baselines North Korea and China may draw across it, and disputed
    // between them (their boundary in the bay is not agreed). South Korea's islands lie 80 km
    // south of it and more.
    name: 'West Korea Bay',
    codes: ['CN', 'KP'],
    disputed: true,
    rings: [
      [
        [121.15, 38.72], [125.4, 38.72], [125.6, 39.5], [124.6, 40.3], [122.5, 40.0], [121.6, 39.0],
      ],
    ],
  },
  {
    // East Korea Bay, within the line from Musu Dan to the Kalma Peninsula by Wonsan, where
    // regions of 10 to 40 km said `excluded`: drawn whole to ~10 km seaward of that line, for
    // the baselines North Korea may draw across it, then over North Korean land.
    name: 'East Korea Bay',
    codes: ['KP'],
    disputed: false,
    rings: [
      [
        [129.85, 40.75], [127.7, 39.05], [127.0, 39.5], [128.5, 41.0], [129.6, 41.0],
      ],
    ],
  },
  {
    // The coast from north of Chongjin to the Tumen mouth, where regions of 2 to 9 km said
    // `excluded` inside the hull of the capes: drawn to that hull, then over North Korean land;
    // the land around it is North Korea's, China's and Russia's, so it costs no host anything.
    name: 'North-east coast of North Korea, Chongjin to the Tumen',
    codes: ['KP'],
    disputed: false,
    rings: [
      [
        [129.7, 41.35], [130.0, 41.4], [130.45, 41.85], [130.75, 42.25], [130.3, 42.3], [129.7, 41.8],
      ],
    ],
  },
  {
    // Shared internal waters of Russia and Ukraine, ~60 km from land at the centre, with the
    // Kerch Strait and Taganrog Bay; the outline runs over every coast, all of it Russian or in
    // the occupied area below, which counts the same two parties.
    name: 'Sea of Azov',
    codes: ['RU', 'UA'],
    disputed: true,
    rings: [
      [
        [34.6, 45.9], [34.6, 46.4], [35.3, 46.7], [36.3, 46.95], [37.5, 47.3], [38.6, 47.5], [39.8, 47.5],
        [39.9, 47.0], [39.0, 46.5], [38.5, 45.9], [38.0, 45.3], [37.2, 45.0], [36.4, 44.9], [35.4, 45.0], [34.9, 45.4],
      ],
    ],
  },
  {
    // Internal waters of Russia, ~52 km from land at most: the whole sea with Onega, Dvina and
    // Mezen Bays and the funnel out past Cape Svyatoy Nos and Kanin Nos, over Russian coasts only.
    name: 'White Sea',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [31.8, 63.5], [31.8, 67.4], [36.0, 67.2], [39.5, 68.4], [41.0, 68.9], [43.6, 68.9], [44.6, 68.3],
        [45.0, 66.5], [44.8, 65.0], [42.0, 63.8], [38.0, 63.3], [34.5, 63.3],
      ],
    ],
  },
  // Russia's Arctic seas from the Pechora Sea to Chukotka, where the coasts and islands hold
  // bays, straits and channels beyond the margin of the land that the baselines of 1985 (and
  // Russia's claim to the straits of the Northern Sea Route as internal waters) may enclose.
  // Regions of 10 to 67 km said `excluded` there. No other country's land lies within 300 km
  // of these outlines (Norway's Kvitøya, 400 km west of Franz Josef Land; Alaska, 200 km east
  // of Kresta Bay at St Lawrence Island and more elsewhere), so they are drawn whole, out past
  // the outermost islands and over Russian land, rather than along baselines whose course
  // Locus cannot check: the room they take costs no host's verdict anything, and open sea
  // they take in (exclusive economic zone, not territory) only makes Russia possible there.
  {
    // Between the Kanin Peninsula, Kolguev, the south of Novaya Zemlya and Vaygach, with
    // Cheshskaya and Pechora Bays.
    name: 'Pechora Sea and Cheshskaya Bay',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [43.0, 68.9], [47.5, 69.9], [48.5, 71.2], [51.2, 71.5], [55.0, 70.9], [58.5, 70.9], [60.7, 70.3], [61.0, 69.0], [58.0, 68.3],
        [52.0, 68.0], [47.5, 67.0], [45.0, 67.5], [44.0, 68.3],
      ],
    ],
  },
  {
    // The Kara Sea from Novaya Zemlya to Severnaya Zemlya with Vize, Ushakov and Uyedineniya
    // Islands, the Yenisei Gulf and the islands off Taymyr's west coast, where regions of 10 to
    // 67 km (off Yamal and Gydan, by the Yenisei's mouth and among the islands) said `excluded`;
    // its western edge runs some 15 km off Novaya Zemlya's Barents coast, and it closes over
    // Taymyr, Gydan, Yamal and the Yugorsky Peninsula (the Gulf of Ob and Baydaratskaya Bay,
    // drawn above, lie inside).
    name: 'Kara Sea',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [55.0, 70.9], [51.2, 71.5], [51.2, 72.2], [52.6, 73.0], [53.8, 73.8], [54.6, 74.6], [55.6, 75.2], [58.0, 75.8],
        [60.0, 76.2], [64.0, 76.6], [67.0, 77.2], [69.0, 77.4], [75.5, 79.9], [78.5, 81.2], [86.0, 81.5], [92.0, 81.2],
        [90.5, 80.0], [91.5, 78.7], [93.0, 77.7], [90.5, 76.6], [90.5, 75.6], [91.0, 74.5], [86.0, 72.0], [80.0, 69.5],
        [70.0, 68.5], [62.0, 68.8], [61.0, 69.0], [60.7, 70.3], [58.5, 70.9],
      ],
    ],
  },
  {
    // The sea between Franz Josef Land, the north of Novaya Zemlya and Vize Island (the St Anna
    // Trough), joining the outlines on either side: regions of up to 130 km in it said
    // `excluded` for baselines Russia could draw across it.
    name: 'Between Franz Josef Land, Novaya Zemlya and Vize Island',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [57.0, 79.5], [63.5, 79.8], [66.0, 80.6], [66.0, 81.7], [78.5, 81.2], [75.5, 79.9], [69.0, 77.4], [67.0, 77.2],
        [64.0, 76.6], [60.0, 76.2], [56.0, 77.5],
      ],
    ],
  },
  {
    // The channels among the archipelago's islands, from Alexandra Land to Graham Bell Island.
    name: 'Franz Josef Land',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [43.5, 80.6], [44.5, 79.9], [50.0, 79.6], [57.0, 79.5], [63.5, 79.8], [66.0, 80.6], [66.0, 81.7], [61.0, 82.3],
        [55.0, 82.2], [49.0, 81.7], [45.0, 81.3],
      ],
    ],
  },
  {
    // Severnaya Zemlya's straits, the Vilkitsky Strait between it and Cape Chelyuskin, and the
    // Nordenskiöld Archipelago and islands off Taymyr's northern coast.
    name: 'Severnaya Zemlya, the Vilkitsky Strait and the islands off Taymyr',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [90.5, 75.6], [90.5, 76.6], [93.0, 77.7], [91.5, 78.7], [90.5, 80.0], [92.0, 81.2], [97.0, 81.6], [101.0, 81.3],
        [104.5, 80.3], [108.0, 79.0], [107.5, 77.5], [106.0, 76.5], [104.0, 76.0], [96.0, 75.6],
      ],
    ],
  },
  {
    // The Laptev and East Siberian Seas south of the De Long Islands, with the gulfs of their
    // coasts (Khatanga, Anabar, Olenyok, Buor-Khaya, Yana, Kolyma, Chaunskaya), the New
    // Siberian Islands and the Dmitry Laptev and Sannikov Straits, the Bear Islands, Wrangel
    // and Herald Islands and the Long Strait; west of 174.5 W, 170 km short of the US-Russia
    // line of 1990 and farther from Alaska.
    name: 'Laptev and East Siberian Seas',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [106.0, 74.0], [107.5, 77.5], [109.5, 78.2], [113.0, 77.5], [125.0, 77.5], [135.0, 77.2], [140.0, 76.8], [148.0, 77.2],
        [156.0, 77.6], [160.5, 77.2], [161.0, 76.0], [164.0, 74.0], [172.0, 73.0], [179.0, 72.7], [-176.0, 72.2],
        [-174.5, 71.6], [-174.5, 70.4], [-175.0, 68.2], [-176.0, 67.5], [179.5, 68.0], [170.0, 68.3], [160.0, 69.0],
        [150.0, 70.2], [140.0, 70.6], [133.0, 70.8], [131.0, 70.6], [125.0, 71.5], [118.0, 72.3], [112.0, 72.8],
        [106.0, 73.0],
      ],
    ],
  },
  {
    // The Chukchi coast east of Kolyuchin Bay to Neshkan, where a region of 9 km off the coast
    // said `excluded`: the hull of the headland west of the bay and the coast at Neshkan. Point
    // Hope (Alaska), 270 km east, loses nothing: Chukotka's coast lies as near.
    name: 'Chukchi coast, Kolyuchin Bay to Neshkan',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [-175.7, 67.8], [-174.0, 67.7], [-172.8, 67.25], [-172.9, 66.95], [-175.0, 67.2],
      ],
    ],
  },
  {
    // Kresta Bay, in the north of the Gulf of Anadyr, out some 40 km past its mouth.
    name: 'Kresta Bay',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [-179.6, 66.0], [-179.8, 64.7], [-175.5, 64.5], [-175.4, 65.4], [-177.0, 66.2],
      ],
    ],
  },
  {
    // Mechigmen Bay, south of the Bering Strait: 90 km from Little Diomede (US), the nearest land of another country.
    name: 'Mechigmen Bay',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [-172.4, 65.7], [-170.7, 65.7], [-170.7, 65.1], [-172.4, 65.1],
      ],
    ],
  },
  {
    // The Bering Strait between Cape Dezhnev and Big Diomede (Russia's, 36 km off), where a region
    // of some 6 km 35 km from both said `excluded`: the hull of the cape, the island and the coast
    // south of the cape, never east of Big Diomede, so Alaska loses nothing (Little Diomede, 4 km
    // from Big Diomede, counted Russia as possible already).
    name: 'Bering Strait, Cape Dezhnev to Big Diomede',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        [-170.6, 65.6], [-169.9, 65.5], [-169.05, 65.76], [-169.1, 65.82], [-169.6, 66.05], [-170.6, 65.9],
      ],
    ],
  },
  // The Caspian Sea, in parts by who holds the waters there: the sectors of the Russian-Kazakh
  // (1998), Russian-Azerbaijani (2002) and trilateral (2003) agreements, the Azerbaijani and
  // Turkmen sectors on the median line between them, and the south, which Iran holds up to the
  // old Soviet-Iranian line (Astara to Hasan Quli) and claims beyond it, up to a fifth of the sea.
  // Each part runs some 30-50 km past the sector lines as drawn here (so that near a line both
  // holders count, and where the lines are disputed all parties do), past Iran's widest claim by
  // a similar room, and over its own holder's coast. Where a part's edge runs along the coast of
  // another state it keeps within a few km of the shore: that state's own land (with the margin)
  // covers the first 22.2 km of sea, so the parts need only cover the waters beyond it.
  {
    name: 'Caspian Sea, Russian sector',
    codes: ['RU'],
    disputed: false,
    rings: [
      [
        // West and north over Dagestan, Kalmykia and the Volga delta (Russian land), from the
        // Azerbaijani coast just south of the Samur mouth.
        [48.7, 41.62], [48.35, 41.9], [47.9, 42.3], [47.3, 42.95], [46.9, 43.9], [46.8, 45.4], [47.6, 46.3],
        [48.6, 46.45], [49.15, 46.35],
        // East of the Russian-Kazakh line, then south of the Russian-Azerbaijani line.
        [49.8, 46.15], [49.85, 45.4], [49.8, 44.6], [50.15, 43.6], [50.7, 42.6], [50.4, 41.75],
      ],
    ],
  },
  {
    name: 'Caspian Sea, Kazakh sector',
    codes: ['KZ'],
    disputed: false,
    rings: [
      [
        // West of the Russian-Kazakh line, over the Volga delta's eastern edge.
        [48.9, 46.25], [48.5, 45.4], [48.5, 44.6], [48.8, 43.6], [49.3, 42.75],
        // South of the Azerbaijani-Kazakh and Kazakh-Turkmen lines, to the Turkmen coast.
        [49.8, 42.2], [51.0, 41.2], [52.55, 41.5],
        // Over the Kazakh coast: Mangyshlak, the Buzachi peninsula, the Dead Kultuk, the Emba and
        // Ural mouths (Atyrau itself lies outside, ~25 km up the Ural).
        [53.1, 42.3], [52.2, 43.3], [51.6, 43.9], [53.1, 44.6], [54.2, 45.3], [54.0, 46.3], [53.2, 46.85],
        [51.9, 47.0], [50.5, 46.8], [49.4, 46.6],
      ],
    ],
  },
  {
    name: 'Caspian Sea, Azerbaijani sector',
    codes: ['AZ'],
    disputed: false,
    rings: [
      [
        // North of the Russian-Azerbaijani line, onto the Dagestan coast near Derbent.
        [48.35, 42.15], [49.8, 42.9], [50.5, 42.75],
        // East of the Azerbaijani-Kazakh and Azerbaijani-Turkmen lines (the disputed Kapaz/Serdar
        // field with it), south to just past the Astara-Hasan Quli line.
        [51.6, 41.6], [52.1, 40.2], [52.0, 38.9], [51.9, 37.75], [48.9, 38.33],
        // The Azerbaijani coast a few km inland: Lankaran, the Kura mouth, Alat, the Absheron
        // peninsula (Baku's centre stays outside, ~5 km from the shore of its bay), Sumqayit.
        [48.8, 38.75], [49.0, 39.3], [49.35, 39.95], [49.75, 40.33], [50.1, 40.33], [50.42, 40.4],
        [50.2, 40.5], [49.7, 40.56], [49.1, 41.1], [48.75, 41.5],
      ],
    ],
  },
  {
    name: 'Caspian Sea, Turkmen sector',
    codes: ['TM'],
    disputed: false,
    rings: [
      [
        // West of the Azerbaijani-Turkmen line, north past the Kazakh-Turkmen line.
        [51.15, 37.85], [51.1, 40.2], [50.7, 41.5], [51.0, 41.85], [52.5, 42.15],
        // The Turkmen coast with the Kara-Bogaz-Gol, then south to Hasan Quli and the Atrek.
        [53.3, 42.2], [55.0, 41.9], [55.0, 40.6], [53.4, 40.1], [53.5, 39.3], [53.75, 38.5], [54.1, 37.3],
        [53.9, 37.2],
      ],
    ],
  },
  {
    name: 'Caspian Sea, Iranian part',
    codes: ['IR'],
    disputed: false,
    rings: [
      [
        // From Astara north-east beyond Iran's widest claim (a fifth of the sea, with the Alov
        // field), to the Turkmen coast south of the Cheleken peninsula.
        [48.85, 38.5], [49.6, 39.0], [50.6, 39.6], [51.8, 39.65], [53.0, 39.2], [53.4, 39.0],
        // Over the Turkmen and Iranian coasts, from the Atrek along Mazandaran and Gilan.
        [53.7, 38.4], [54.15, 37.4], [54.2, 36.7], [51.5, 36.5], [50.0, 36.9], [49.2, 37.3], [48.7, 38.0],
      ],
    ],
  },
  // Cuba's south coast, where its straight baselines run along the cays of the Canarreos and the
  // Jardines de la Reina and the shallow gulfs behind them are internal waters, up to ~60 km
  // from the land Natural Earth draws: regions of 5 to 15 km there said `excluded`. Drawn over
  // Cuban land and out to the cays; the nearest other country's land, the Cayman Islands, lies
  // 100 km south of them and more.
  {
    // The Gulf of Batabanó between western Cuba, the Isla de la Juventud and the Canarreos, with
    // the Gulf of Cazones and the Bay of Pigs east of Cayo Largo.
    name: 'Gulfs of Batabanó and Cazones',
    codes: ['CU'],
    disputed: false,
    rings: [
      [
        [-83.3, 22.55], [-83.05, 21.85], [-82.5, 21.82], [-81.8, 21.62], [-81.3, 21.6], [-80.45, 21.6], [-79.9, 21.78],
        [-80.3, 22.1], [-81.3, 22.35], [-82.0, 22.75],
      ],
    ],
  },
  {
    // West of the Isla de la Juventud to Cabo Corrientes (Guanahacabibes), where a baseline
    // between them (~165 km) may run and regions of 2 to 8 km said `excluded`: the hull of the two.
    name: 'Between the Isla de la Juventud and Cabo Corrientes',
    codes: ['CU'],
    disputed: false,
    rings: [
      [
        [-84.45, 22.0], [-84.55, 21.7], [-83.0, 21.5], [-82.75, 21.75], [-83.05, 21.85], [-83.3, 22.55],
      ],
    ],
  },
  {
    // The Gulfs of Ana María and Guacanayabo, behind the Jardines de la Reina to Cabo Cruz.
    name: 'Gulfs of Ana María and Guacanayabo',
    codes: ['CU'],
    disputed: false,
    rings: [
      [
        [-79.3, 21.8], [-79.8, 21.45], [-79.0, 20.85], [-78.2, 20.5], [-77.75, 20.0], [-77.5, 19.95], [-77.0, 20.4],
        [-78.0, 21.3],
      ],
    ],
  },
  {
    // Held by China within straight baselines around the whole group; claimed by Vietnam and
    // Taiwan. Natural Earth draws a few of the islands (as China), not the waters between them.
    name: 'Paracel Islands',
    codes: ['CN', 'VN', 'TW'],
    disputed: true,
    rings: [
      [
        [110.9, 15.5], [113.0, 15.5], [113.0, 17.3], [110.9, 17.3],
      ],
    ],
  },
  {
    // Iran's waters in the Gulf and the Strait of Hormuz beyond the margin of its land. To Kish,
    // the straight baselines of its decree of 1973 (kept by its Marine Areas Act of 1993), along
    // its base points 2 to 6 to 1" of arc (the Bahregan mouth, south of Kharg, south of Nakhilu,
    // Lavan, south-west of Kish; point 1, in the Shatt al-Arab mouth, as near as this drawing
    // knows it): they run up to ~35 km from the coast, so the territorial sea beyond them (the
    // margin's, as off any coast) reaches past the margin of the land; regions of up to 30 km
    // there said `excluded`. East of Kish the decree's points are not known here, so the outline
    // takes the convex hull of the land Iran holds, which contains any straight baseline between
    // points on it: the outer shores of Sirri, Abu Musa (held by Iran, claimed by the UAE), Hengam
    // and Larak, 2 to 4 km out, then the coast at Kuh-e Mobarak and Jask, some 10 km out, with the
    // waters among its islands (the Tunbs, Farur, Qeshm, Hormuz) and behind a baseline across the
    // strait, where regions of up to 20 km south-east of Larak said `excluded`. Past Jask, the hull
    // of the Gulf of Oman coast to the Pakistani border in Gwadar Bay (its bays, Chabahar's the
    // deepest, lie up to ~25 km behind it; Oman's coast is ~200 km across, and Pakistan's by the
    // border lies within the margin of Iran's land already). It closes back over Iranian land.
    // The land of another country it brings nearer the margin: Musandam's northern tip (Oman),
    // 27 km from the edge from Larak to Kuh-e Mobarak (Khasab's largest region still proven outside
    // Iran 36 to 24 km), Ras al-Khaimah (50 to 42 km), Dubai (51 to 50 km), Fujairah (97 to 90
    // km); Qatar, Bahrain, Saudi Arabia, Kuwait and Gwadar (Pakistan) as they were.
    name: 'Iran, within its straight baselines and among its islands (the Gulf, the Strait of Hormuz, the Gulf of Oman)',
    codes: ['IR'],
    disputed: false,
    rings: [
      [
        // The Shatt al-Arab mouth, then base points 2 to 6.
        [48.7, 29.88], [49.5653, 29.9972], [50.3111, 29.2081], [51.4542, 27.8444], [53.2167, 26.7903], [53.905, 26.49],
        // The hull east of Kish: Sirri, Abu Musa, Hengam, Larak, Kuh-e Mobarak, Jask.
        [54.54, 25.87], [55.03, 25.84], [55.88, 26.59], [56.34, 26.8], [57.2, 25.8], [57.77, 25.6],
        // The hull of the Gulf of Oman coast on to Gwadar Bay: the capes east of Jask, west of
        // Chabahar and by the Pakistani border, ~3 km out.
        [58.1, 25.52], [59.1, 25.37], [61.4, 25.03], [61.55, 25.05],
        // Back over Iranian land: inland of Gwadar Bay, Chabahar, Jask, Minab, Bandar Abbas, Lengeh, Asaluyeh, Bushehr, Deylam and Hendijan.
        [61.55, 25.45], [60.0, 25.85], [58.6, 26.1], [57.6, 26.6], [57.2, 27.3], [56.3, 27.45], [55.3, 27.2], [54.0, 27.2], [53.0, 27.4], [52.0, 28.1],
        [51.2, 28.9], [50.8, 29.7], [50.2, 30.25], [49.6, 30.5], [48.9, 30.3],
      ],
    ],
  },
  // Spratly reefs that China has built up and holds, farther than the margin from the islands
  // Natural Earth draws (its "Spratly Is." unit); claimed as the rest of the group.
  reef('Fiery Cross Reef', 112.89, 9.55),
  reef('Cuarteron Reef', 112.84, 8.87),
  reef('Johnson South Reef', 114.28, 9.72),
  reef('Gaven Reefs', 114.22, 10.2),
  reef('Hughes Reef', 114.5, 9.92),
  reef('Subi Reef', 114.08, 10.92),
  reef('Mischief Reef', 115.53, 9.92),
  // Islands the 1:10m data lacks, farther than the margin from any land it codes to their holder.
  // The Tunbs, held by Iran since 1971 and claimed by the UAE (Abu Musa, which Iran also holds,
  // is drawn, as Iranian); Farsi, an Iranian naval base in mid-Gulf; Iony in the open Sea of
  // Okhotsk and, in the Russian Arctic, Uyedineniya in the Kara Sea and Jeannette and Vilkitsky
  // of the De Long Islands; in the Gulf of Finland, Bolshoy and Maly Tyuters, Rodsher and
  // Sommers, 12 to 30 km from Gogland and Moshchny (which the data has), whose waters reach past
  // the margin of those: regions of 7 to 13 km around them said `excluded`; Moneron, Russia's
  // island ~45 km south-west of Sakhalin in the Sea of Japan (7 by 5.5 km, with rocks off its
  // shores), where a region of 24 km on the island itself did, and one of 43 km 20 km west of it;
  // the Taishan Islands, China's, ~27 km off the Fujian coast north of Matsu (15 islands over 6
  // by 4.5 km), where regions of 3 to 6 km on them did, and one of 14 km 20 km east of them.
  // Each square takes the spread of the positions published for it. (The Virginy islets,
  // between Rodsher and Maly Tyuters, lie within ~10 km of both.)
  island('Greater Tunb', ['IR', 'AE'], 55.283, 26.258, 6),
  island('Lesser Tunb', ['IR', 'AE'], 55.133, 26.233, 4),
  island('Farsi Island', ['IR'], 50.1725, 27.9933, 3),
  island('Iony Island', ['RU'], 143.3815, 56.4097, 5),
  island('Uyedineniya Island', ['RU'], 82.45, 77.483, 15),
  island('Jeannette Island', ['RU'], 158.1, 76.77, 10),
  island('Vilkitsky Island (De Long Islands)', ['RU'], 155.55, 75.73, 8),
  island('Bolshoy Tyuters', ['RU'], 27.2, 59.85, 3),
  island('Maly Tyuters', ['RU'], 26.914, 59.81, 2),
  island('Rodsher', ['RU'], 26.68, 59.969, 1),
  island('Sommers', ['RU'], 27.643, 60.207, 1.5),
  island('Moneron Island', ['RU'], 141.2367, 46.2567, 5),
  island('Taishan Islands', ['CN'], 120.71, 27.0, 6),
  // Islands of other countries the 1:10m data lacks, farther than the margin from the land it
  // codes to their holder. Without them a region there said no country at all, so a true claim
  // was `contradicted` (Koh Tao, the Pontine Islands, atolls of Micronesia and the Marshall
  // Islands), or only a neighbour's land, which made that neighbour `verified`: Kastellorizo's
  // Turkey, the Turtle Islands' Malaysia, and for the Matsu Islands, which Taiwan holds 10 to 50
  // km off Fujian, China `certain`. Found by checking every place GeoNames lists of at least
  // 1,000 people (world/places.test.ts) and the islands near each. Whole archipelagos of atolls
  // are drawn as the hull of their atolls, 30 to 40 km out, which holds no other country's land.
  island('Matsu Islands: Nangan and Beigan', ['TW'], 119.96, 26.19, 7),
  island('Matsu Islands: Juguang', ['TW'], 119.95, 25.97, 5),
  island('Matsu Islands: Dongyin', ['TW'], 120.49, 26.37, 4),
  island('Kastellorizo, Ro and Strongyli', ['GR'], 29.57, 36.13, 6),
  island('Turtle Islands (Philippines)', ['PH'], 118.2, 6.1, 14),
  island('Cuyo Islands: Agutaya', ['PH'], 120.94, 11.15, 5),
  island('Cuyo Islands: Algeciras', ['PH'], 120.82, 11.42, 5),
  island('Koh Tao and Koh Nang Yuan', ['TH'], 99.83, 10.1, 6),
  island('Pontine Islands: Ponza, Palmarola and Zannone', ['IT'], 12.95, 40.92, 11),
  island('Røst', ['NO'], 12.05, 67.5, 10),
  island('Træna', ['NO'], 12.08, 66.5, 8),
  square('Thousand Islands (Kepulauan Seribu)', ['ID'], 106.6, -5.6, 0.42, 0.28),
  square('Cargados Carajos (St Brandon)', ['MU'], 59.6, -16.5, 0.38, 0.18),
  island('Nukunonu', ['TK'], -171.85, -9.18, 9),
  island('Niuatoputapu and Tafahi', ['TO'], -173.76, -15.92, 10),
  {
    name: 'Federated States of Micronesia, the hull of its atolls',
    codes: ['FM'],
    disputed: false,
    rings: [
      [
        [137.1, 6.0], [137.1, 10.3], [151.0, 10.3], [156.0, 8.3], [160.9, 7.2], [163.4, 5.8], [163.4, 4.8], [155.5, 0.7], [154.0, 0.7],
      ],
    ],
  },
  {
    name: 'Marshall Islands, the hull of its atolls',
    codes: ['MH'],
    disputed: false,
    rings: [
      [
        [160.6, 9.3], [162.0, 11.9], [167.0, 14.9], [170.2, 15.0], [172.4, 11.0], [172.4, 6.5], [169.6, 4.3], [167.8, 5.2], [165.5, 7.5],
      ],
    ],
  },
  {
    // Occupied by Russia beyond Crimea: Luhansk and Donetsk oblasts up to the front, the south
    // of Zaporizhzhia and Kherson oblasts with the Kinburn Spit, the east of Kharkiv oblast and
    // the edge of Dnipropetrovsk oblast. Where the Dnipro is the line (from its mouth to past
    // Enerhodar) the outline keeps to the left bank and the river, over the drained Kakhovka
    // reservoir's bed, and leaves the right bank out: Ochakiv, Kherson, Beryslav, Nikopol,
    // Marhanets. Elsewhere it runs some 10-15 km beyond the line of contact of late 2025:
    // Stepnohirsk and the south of Orikhiv, Huliaipole, Pokrovsk and Myrnohrad, Kostiantynivka,
    // Siversk, Lyman, Kupiansk and Vovchansk; Zaporizhzhia, Druzhkivka, Kramatorsk, Sloviansk
    // and Kharkiv lie outside. East and south it runs over the Russian border, the Sea of Azov
    // and the north of Crimea.
    name: 'Russian-occupied south-eastern Ukraine',
    codes: ['UA', 'RU'],
    disputed: true,
    rings: [
      [
        [31.5, 46.0], [31.44, 46.45], [31.47, 46.57], [31.8, 46.56], [32.2, 46.55], [32.5, 46.58], [32.6, 46.6],
        [32.76, 46.655], [33.0, 46.7], [33.3, 46.765], [33.42, 46.81], [33.55, 46.86], [33.9, 47.08],
        [34.2, 47.35], [34.45, 47.53], [34.7, 47.58], [35.0, 47.62], [35.3, 47.67], [35.6, 47.68],
        [35.85, 47.66], [36.1, 47.74], [36.3, 47.84], [36.45, 48.0], [36.6, 48.2], [36.75, 48.38],
        [37.05, 48.5], [37.35, 48.52], [37.6, 48.6], [37.78, 48.72], [37.8, 48.9], [37.55, 49.08],
        [37.45, 49.3], [37.4, 49.5], [37.4, 49.75], [37.2, 50.0], [36.8, 50.2], [36.75, 50.5],
        [38.2, 50.45], [40.3, 49.9], [40.4, 48.3], [40.0, 47.5], [38.5, 46.9], [37.0, 46.5], [35.5, 45.9],
        [34.5, 46.0], [33.6, 46.0], [32.6, 45.95],
      ],
    ],
  },
  {
    // Held by Russia since 1993/2008 (recognised by it as a state), coded Georgia by Natural
    // Earth: from the Psou to the Inguri (Gali with it, Zugdidi and Anaklia not), up to the main
    // Caucasus ridge with the upper Kodori valley, some 5 km past the Inguri and the boundary with
    // Svaneti, over the Russian border and a few km out to sea.
    name: 'Abkhazia',
    codes: ['GE', 'RU'],
    disputed: true,
    rings: [
      [
        [39.9, 43.55], [39.95, 43.35], [40.2, 43.2], [40.3, 43.1], [40.8, 43.02], [41.0, 42.93], [41.4, 42.67],
        [41.5, 42.36], [41.65, 42.42], [41.88, 42.56], [42.05, 42.72], [42.15, 42.88], [42.35, 43.1],
        [42.5, 43.3], [41.5, 43.6], [40.4, 43.7],
      ],
    ],
  },
  {
    // Held by Russia since 2008, coded Georgia: the Java district, Tskhinvali and Akhalgori up to
    // the Russian border, some 5 km past the administrative boundary line (Gori, the Aragvi
    // valley and Tbilisi outside).
    name: 'South Ossetia',
    codes: ['GE', 'RU'],
    disputed: true,
    rings: [
      [
        [43.3, 42.35], [43.3, 42.75], [44.1, 42.85], [44.8, 42.65], [44.75, 42.35], [44.72, 42.1], [44.55, 42.0],
        [44.2, 42.1], [43.9, 42.15], [43.65, 42.22],
      ],
    ],
  },
  {
    // Annexed by Russia in 2014 and drawn by Natural Earth as Russian; Ukraine's under
    // international law. Counted for both, so that neither a claim of Ukraine is `contradicted`
    // nor Russia `certain` there: the peninsula to the Perekop isthmus and the Arabat Spit (the
    // land north of them is in the occupied area above), out to the middle of the Kerch Strait.
    name: 'Crimea and Sevastopol',
    codes: ['UA', 'RU'],
    disputed: true,
    rings: [
      [
        [32.35, 45.35], [32.7, 45.8], [33.3, 46.2], [34.3, 46.25], [35.1, 46.3], [35.5, 45.6], [36.3, 45.55], [36.55, 45.35],
        [36.5, 45.1], [35.5, 44.85], [34.5, 44.45], [33.7, 44.3], [33.3, 44.5],
      ],
    ],
  },
  {
    // Western Sahara: Natural Earth codes the part west of the berm, which Morocco holds, to
    // Morocco (and the part east of it, which the Polisario Front holds, to both). The whole
    // territory counted for both, so that a claim of EH is not `contradicted` nor one of MA
    // `verified` there: from 27°40' N to Cap Blanc, a few km past its borders with Mauritania.
    name: 'Western Sahara',
    codes: ['EH', 'MA'],
    disputed: true,
    rings: [
      [
        [-13.3, 27.72], [-8.62, 27.72], [-8.62, 25.95], [-11.95, 25.95], [-11.95, 23.45], [-12.95, 22.95], [-13.1, 21.3],
        [-16.95, 21.3], [-17.05, 20.75], [-17.3, 20.75], [-17.3, 21.5], [-16.2, 24.0], [-14.5, 26.0],
      ],
    ],
  },
  {
    // Held by a Russian-backed authority with Russian troops, coded Moldova: the left bank of
    // the Dniester from north of Camenca to south of Slobozia, with Bender and the right-bank
    // villages it holds around it (Proteagailovca, Gîsca, Chițcani, Cremenciug). The outline
    // takes the river along its whole length (the left-bank villages Moldova holds near
    // Dubăsari with it) and some 5 km of the right bank beside it, and runs 5-10 km into
    // Ukraine on the east; Chișinău lies outside, though within the margin of the river.
    name: 'Transnistria',
    codes: ['MD', 'RU'],
    disputed: true,
    rings: [
      [
        [28.4, 48.15], [28.45, 48.25], [28.85, 48.2], [29.05, 48.0], [29.35, 47.8], [29.5, 47.5], [29.7, 47.25],
        [29.9, 47.05], [30.12, 46.85], [30.1, 46.62], [29.95, 46.47], [29.75, 46.5], [29.55, 46.68], [29.35, 46.75],
        [29.3, 46.87], [29.22, 46.96], [29.02, 47.08], [29.07, 47.2], [29.05, 47.35], [28.9, 47.6], [28.88, 47.77],
        [28.6, 48.0],
      ],
    ],
  },
];

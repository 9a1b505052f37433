import type { CountryCode } from '../countries.js';
import type { LonLat, OverlayArea } from './overlay.js';

/**
 * Areas that Natural Earth's units leave out but a host can stand in, so that the countries
 * holding them stay possible there (docs/geo.md, "Borders"). Every outline is drawn by hand for
 * Locus from general geography, coarse and generous: it runs over the coast onto land, past a
 * front line or boundary by tens of km, and some km around a reef, because an outline too large
 * only makes a country possible more often, and one too small could make `excluded` false. The
 * margin (25 km) then covers the territorial sea beyond each outline. Areas held by more than
 * one party are disputed: possible for each, certain for none.
 *
 * Front lines move: the occupied areas are drawn as of late 2025 with room to spare, and must be
 * redrawn when a front passes near their edge.
 */

const SPRATLY_CLAIMANTS: readonly CountryCode[] = ['CN', 'TW', 'VN', 'PH', 'MY', 'BN'];
/** Half the side of the square drawn around a reef, in degrees (about 16 km): the reef, plus room for error in where it is placed. */
const REEF_HALF_SIDE_DEG = 0.15;

const reef = (name: string, lon: number, lat: number): OverlayArea => ({
  name,
  codes: SPRATLY_CLAIMANTS,
  disputed: true,
  rings: [
    [
      [lon - REEF_HALF_SIDE_DEG, lat - REEF_HALF_SIDE_DEG],
      [lon + REEF_HALF_SIDE_DEG, lat - REEF_HALF_SIDE_DEG],
      [lon + REEF_HALF_SIDE_DEG, lat + REEF_HALF_SIDE_DEG],
      [lon - REEF_HALF_SIDE_DEG, lat + REEF_HALF_SIDE_DEG],
    ] satisfies LonLat[],
  ],
});

export const OVERLAY_AREAS: readonly OverlayArea[] = [
  {
    // Internal waters of China, up to ~70 km from land; the outline takes in the whole sea,
    // its coasts and the Bohai Strait out past Lüshun and Penglai.
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
    // Shared internal waters of Russia and Ukraine, ~60 km from land at the centre, with the
    // Kerch Strait and Taganrog Bay; the outline runs over every coast.
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
    // Mezen Bays and the funnel out past Cape Svyatoy Nos and Kanin Nos.
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
  {
    // Divided into national sectors (up to ~160 km from land) among the five littoral states,
    // not all agreed: any point of it may belong to any of them. The outline takes in the whole
    // sea, the Kara-Bogaz-Gol and the coasts (the Absheron peninsula with them).
    name: 'Caspian Sea',
    codes: ['AZ', 'IR', 'KZ', 'RU', 'TM'],
    disputed: true,
    rings: [
      [
        [46.6, 45.6], [47.6, 46.3], [49.0, 46.7], [50.5, 47.2], [51.9, 47.4], [53.3, 47.2], [54.3, 46.0],
        [54.3, 45.0], [53.5, 44.4], [52.3, 43.5], [53.4, 42.5], [55.2, 42.2], [55.2, 40.4], [54.0, 39.8],
        [54.2, 38.0], [54.4, 37.3], [54.3, 36.6], [53.0, 36.5], [51.0, 36.5], [50.0, 36.9], [49.0, 37.2],
        [48.6, 38.4], [48.7, 39.3], [49.1, 40.0], [49.0, 40.3], [49.3, 40.8], [48.7, 41.5], [48.1, 42.0],
        [47.3, 43.0], [46.9, 43.6], [46.6, 44.4],
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
  // Spratly reefs that China has built up and holds, farther than the margin from the islands
  // Natural Earth draws (its "Spratly Is." unit); claimed as the rest of the group.
  reef('Fiery Cross Reef', 112.89, 9.55),
  reef('Cuarteron Reef', 112.84, 8.87),
  reef('Johnson South Reef', 114.28, 9.72),
  reef('Gaven Reefs', 114.22, 10.2),
  reef('Hughes Reef', 114.5, 9.92),
  reef('Subi Reef', 114.08, 10.92),
  reef('Mischief Reef', 115.53, 9.92),
  {
    // Occupied by Russia beyond Crimea: Luhansk and Donetsk oblasts, the south of Zaporizhzhia
    // and Kherson oblasts with the Kinburn Spit, and the east of Kharkiv oblast. The outline
    // takes in whole oblasts and runs 30-80 km west of the front (past Kherson, Zaporizhzhia,
    // Pokrovsk, Kramatorsk, Sloviansk and Kupiansk), onto Crimea and over the Russian border.
    name: 'Russian-occupied south-eastern Ukraine',
    codes: ['UA', 'RU'],
    disputed: true,
    rings: [
      [
        [31.2, 46.2], [31.4, 46.8], [32.3, 47.0], [33.4, 47.35], [34.3, 47.8], [35.1, 48.0], [35.9, 48.05],
        [36.5, 48.35], [36.8, 48.7], [37.1, 49.1], [37.1, 49.6], [36.6, 50.05], [36.3, 50.45], [37.5, 50.5],
        [38.7, 50.2], [40.3, 49.7], [40.4, 48.3], [40.0, 47.5], [38.5, 46.9], [37.0, 46.5], [35.5, 45.9],
        [34.5, 46.0], [33.6, 46.0], [32.6, 45.95], [31.5, 46.0],
      ],
    ],
  },
  {
    // Held by Russia since 1993/2008 (recognised by it as a state), coded Georgia by Natural
    // Earth: from past the Psou to past the Inguri, up to the main Caucasus ridge, with the
    // upper Kodori valley and some km of sea.
    name: 'Abkhazia',
    codes: ['GE', 'RU'],
    disputed: true,
    rings: [
      [
        [39.75, 43.3], [40.0, 43.75], [41.0, 43.6], [42.0, 43.45], [42.45, 43.2], [42.3, 42.75], [41.95, 42.35],
        [41.45, 42.2],
      ],
    ],
  },
  {
    // Held by Russia since 2008, coded Georgia: Tskhinvali and Akhalgori to the Russian border,
    // with some km beyond the administrative boundary line.
    name: 'South Ossetia',
    codes: ['GE', 'RU'],
    disputed: true,
    rings: [
      [
        [43.3, 42.05], [43.3, 42.75], [44.1, 42.85], [44.8, 42.65], [44.85, 42.15], [44.5, 41.97], [44.0, 41.97],
      ],
    ],
  },
  {
    // Held by a Russian-backed authority with Russian troops, coded Moldova: the left bank of
    // the Dniester and Bender, with the river's right bank and some km of Ukraine around them.
    name: 'Transnistria',
    codes: ['MD', 'RU'],
    disputed: true,
    rings: [
      [
        [28.0, 48.05], [28.5, 48.5], [29.3, 48.0], [29.7, 47.45], [30.2, 46.95], [30.2, 46.45], [29.6, 46.4],
        [29.3, 46.75], [29.1, 47.1], [28.9, 47.4], [28.5, 47.75],
      ],
    ],
  },
];

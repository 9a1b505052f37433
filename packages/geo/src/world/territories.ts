import type { CountryCode } from '../countries.js';

/**
 * How a piece of land maps to country codes.
 *
 * `codes` lists every code the land counts as. When `disputed` is false the land is all of
 * them at once (an overseas department is both GF and FR); when true it is one of them, we
 * cannot say which, so it is *possible* for each and *certain* for none.
 */
export interface UnitCodes {
  readonly codes: readonly CountryCode[];
  readonly disputed: boolean;
}

const all = (...codes: CountryCode[]): UnitCodes => ({ codes, disputed: false });
const oneOf = (...codes: CountryCode[]): UnitCodes => ({ codes, disputed: true });

/**
 * Natural Earth units that carry no ISO numeric id, by their `name`. Land under dispute or
 * another state's control counts for every party, so that neither "excluded" nor
 * "contradicted" can be wrong for a host standing there.
 */
export const UNNUMBERED_UNITS: Readonly<Record<string, UnitCodes>> = {
  Kosovo: oneOf('XK', 'RS'),
  Somaliland: all('SO'),
  'N. Cyprus': oneOf('CY', 'TR'),
  'Cyprus U.N. Buffer Zone': all('CY'),
  Dhekelia: oneOf('GB', 'CY'),
  Akrotiri: oneOf('GB', 'CY'),
  'USNB Guantanamo Bay': oneOf('US', 'CU'),
  'Siachen Glacier': oneOf('IN', 'PK'),
  Baikonur: oneOf('KZ', 'RU'),
  'Indian Ocean Ter.': all('AU'),
  'Coral Sea Is.': all('AU'),
  'Clipperton I.': all('FR'),
  'Spratly Is.': oneOf('CN', 'TW', 'VN', 'PH', 'MY', 'BN'),
  'Scarborough Reef': oneOf('CN', 'PH', 'TW'),
  'Bajo Nuevo Bank': oneOf('CO', 'JM', 'NI', 'HN', 'US'),
  'Serranilla Bank': oneOf('CO', 'JM', 'NI', 'HN', 'US'),
};

/** Numbered units whose land is contested by another party, by their ISO code. */
export const CONTESTED_UNITS: Readonly<Record<CountryCode, UnitCodes>> = {
  PS: oneOf('PS', 'IL'),
  EH: oneOf('EH', 'MA'),
};

/** [west, south, east, north] in degrees. */
export type Box = readonly [number, number, number, number];

/**
 * ISO codes that Natural Earth folds into a larger unit. Rings of `parent` whose vertices all
 * lie in one of `boxes` become a unit of their own that is both `code` and `parent`.
 */
export interface Territory {
  readonly code: CountryCode;
  readonly parent: CountryCode;
  readonly boxes: readonly Box[];
}

export const TERRITORIES: readonly Territory[] = [
  { code: 'GF', parent: 'FR', boxes: [[-55, 1.5, -51, 6.5]] },
  { code: 'GP', parent: 'FR', boxes: [[-62, 15.7, -60.9, 16.6]] },
  { code: 'MQ', parent: 'FR', boxes: [[-61.4, 14.3, -60.7, 15]] },
  { code: 'RE', parent: 'FR', boxes: [[55, -21.5, 56, -20.7]] },
  { code: 'YT', parent: 'FR', boxes: [[44.9, -13.1, 45.4, -12.5]] },
  { code: 'SJ', parent: 'NO', boxes: [[10, 74, 35, 81.5], [-9.5, 70.6, -7.5, 71.3]] },
  { code: 'BV', parent: 'NO', boxes: [[3, -54.7, 3.7, -54.2]] },
  { code: 'TK', parent: 'NZ', boxes: [[-173, -9.7, -171, -8.3]] },
  { code: 'BQ', parent: 'NL', boxes: [[-68.5, 11.9, -68, 12.4], [-63.4, 17.4, -62.9, 17.7]] },
  { code: 'CX', parent: 'AU', boxes: [[105.4, -10.7, 105.9, -10.3]] },
  { code: 'CC', parent: 'AU', boxes: [[96.7, -12.3, 97, -11.7]] },
];

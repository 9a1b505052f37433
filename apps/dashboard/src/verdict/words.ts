import type { VerdictRecord } from '../api/types.js';
import { countryName, isRestricted } from './countries.js';

export interface VerdictWords {
  /** One line: where the region is and what it says about restricted countries. */
  readonly summary: string;
  /** What the claim verdict does and does not mean. */
  readonly claim: string;
  /** The countries the region reaches, named (the first few of a long list). */
  readonly countries: string;
}

/** Names the country a point lies in (from the map's borders), or undefined at sea or when unknown. */
export type PlaceOf = (lat: number, lon: number) => string | undefined;

/** Long lists of possible countries are cut to this many names in `countries`. */
export const COUNTRIES_SHOWN = 12;

// The place is named from the estimate itself, not from `countryEstimate`: that is the country
// with the largest share of the region, which for a wide region can lie far from its centre.
const place = (v: VerdictRecord, placeOf: PlaceOf | undefined): string => {
  const { estimate } = v;
  if (!estimate) return 'an unknown place';
  const name = placeOf?.(estimate.lat, estimate.lon);
  return `${name ? `${name} ` : ''}(${estimate.lat.toFixed(2)}, ${estimate.lon.toFixed(2)})`;
};

const listOf = (codes: readonly string[]): string => codes.map((c) => `${countryName(c)} (${c})`).join(', ');

function restrictedWords(v: VerdictRecord): string {
  if (v.restricted === 'excluded') return 'restricted countries excluded';
  if (v.restricted === 'certain') return 'only restricted countries are possible';
  const reached = v.possibleCountries.filter(isRestricted);
  return reached.length > 0 ? `restricted countries possible: ${listOf(reached)}` : 'restricted countries possible';
}

function claimWords(v: VerdictRecord): string {
  if (v.claimed === null || v.claim === null) return 'No country is claimed.';
  const claimed = `${countryName(v.claimed)} (${v.claimed})`;
  switch (v.claim) {
    case 'verified':
      return `Claim ${claimed} verified: the region lies inside it.`;
    case 'consistent':
      return `Claim ${claimed} consistent: the region reaches it and other countries too. Not disproved, nothing more — added delay can always reach it.`;
    case 'contradicted':
      return v.empty ? `Claim ${claimed} contradicted: the measurements fit no place at all.` : `Claim ${claimed} contradicted: the region does not reach it.`;
  }
}

function countriesWords(codes: readonly string[]): string {
  if (codes.length === 0) return 'No country is within reach.';
  if (codes.length <= COUNTRIES_SHOWN) return `Possible countries: ${listOf(codes)}.`;
  return `Possible countries (${codes.length}): ${listOf(codes.slice(0, COUNTRIES_SHOWN))} and ${codes.length - COUNTRIES_SHOWN} more.`;
}

/** A verdict record in words, e.g. "Region of 212 km around Singapore (1.35, 103.82); restricted countries excluded". */
export function verdictWords(v: VerdictRecord, placeOf?: PlaceOf): VerdictWords {
  const countries = countriesWords(v.possibleCountries);
  if (v.empty) {
    return { summary: 'No single place fits these measurements (a broken measurement or a lie); nothing can be excluded', claim: claimWords(v), countries };
  }
  const region = v.radiusKm === null ? 'The measurements do not narrow the place down yet' : `Region of ${Math.round(v.radiusKm).toLocaleString('en')} km around ${place(v, placeOf)}`;
  return { summary: `${region}; ${restrictedWords(v)}`, claim: claimWords(v), countries };
}

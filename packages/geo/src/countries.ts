// The package's Node entry registers every language; the plain index registers none.
import countries from 'i18n-iso-countries/index.js';
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };

countries.registerLocale(en);

/** Codes outside ISO 3166-1 that Locus accepts: user-assigned XK is in wide use for Kosovo. */
const EXTRA_CODES: Readonly<Record<string, string>> = { XK: 'Kosovo' };

/** ISO 3166-1 alpha-2 code (or XK), upper case. */
export type CountryCode = string;

/** Export-restricted destinations used unless configured otherwise. */
export const DEFAULT_RESTRICTED: readonly CountryCode[] = ['CN', 'HK', 'MO', 'RU', 'IR', 'KP', 'SY', 'CU', 'BY'];

export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && (code in EXTRA_CODES || countries.isValid(code));
}

export function countryName(code: CountryCode): string {
  return EXTRA_CODES[code] ?? countries.getName(code, 'en', { select: 'alias' }) ?? code;
}

/** Alpha-2 code for an ISO 3166-1 numeric code such as "156"; undefined if unknown. */
export const numericToCountryCode = (numeric: string): CountryCode | undefined => countries.numericToAlpha2(numeric);

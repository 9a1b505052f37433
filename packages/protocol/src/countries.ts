import { CountryCode } from './messages.js';

/**
 * The country codes a host may claim and a landmark or zone may name: those ISO 3166-1 alpha-2
 * assigns, and XK (user-assigned, in wide use for Kosovo). Codes only, so that the standalone
 * agent refuses `--claim XX` before it enrolls without carrying @locus/geo's list and its country
 * names; test/country-codes.test.ts keeps this list equal to @locus/geo's isCountryCode.
 */
export const COUNTRY_CODES = [
  ...['AD', 'AE', 'AF', 'AG', 'AI', 'AL', 'AM', 'AO', 'AQ', 'AR', 'AS', 'AT', 'AU', 'AW', 'AX', 'AZ', 'BA', 'BB', 'BD', 'BE', 'BF', 'BG', 'BH', 'BI', 'BJ', 'BL', 'BM', 'BN', 'BO', 'BQ', 'BR', 'BS', 'BT', 'BV', 'BW', 'BY', 'BZ'],
  ...['CA', 'CC', 'CD', 'CF', 'CG', 'CH', 'CI', 'CK', 'CL', 'CM', 'CN', 'CO', 'CR', 'CU', 'CV', 'CW', 'CX', 'CY', 'CZ', 'DE', 'DJ', 'DK', 'DM', 'DO', 'DZ', 'EC', 'EE', 'EG', 'EH', 'ER', 'ES', 'ET'],
  ...['FI', 'FJ', 'FK', 'FM', 'FO', 'FR', 'GA', 'GB', 'GD', 'GE', 'GF', 'GG', 'GH', 'GI', 'GL', 'GM', 'GN', 'GP', 'GQ', 'GR', 'GS', 'GT', 'GU', 'GW', 'GY', 'HK', 'HM', 'HN', 'HR', 'HT', 'HU'],
  ...['ID', 'IE', 'IL', 'IM', 'IN', 'IO', 'IQ', 'IR', 'IS', 'IT', 'JE', 'JM', 'JO', 'JP', 'KE', 'KG', 'KH', 'KI', 'KM', 'KN', 'KP', 'KR', 'KW', 'KY', 'KZ', 'LA', 'LB', 'LC', 'LI', 'LK', 'LR', 'LS', 'LT', 'LU', 'LV', 'LY'],
  ...['MA', 'MC', 'MD', 'ME', 'MF', 'MG', 'MH', 'MK', 'ML', 'MM', 'MN', 'MO', 'MP', 'MQ', 'MR', 'MS', 'MT', 'MU', 'MV', 'MW', 'MX', 'MY', 'MZ', 'NA', 'NC', 'NE', 'NF', 'NG', 'NI', 'NL', 'NO', 'NP', 'NR', 'NU', 'NZ', 'OM'],
  ...['PA', 'PE', 'PF', 'PG', 'PH', 'PK', 'PL', 'PM', 'PN', 'PR', 'PS', 'PT', 'PW', 'PY', 'QA', 'RE', 'RO', 'RS', 'RU', 'RW', 'SA', 'SB', 'SC', 'SD', 'SE', 'SG', 'SH', 'SI', 'SJ', 'SK', 'SL', 'SM', 'SN', 'SO', 'SR', 'SS', 'ST', 'SV', 'SX', 'SY', 'SZ'],
  ...['TC', 'TD', 'TF', 'TG', 'TH', 'TJ', 'TK', 'TL', 'TM', 'TN', 'TO', 'TR', 'TT', 'TV', 'TW', 'TZ', 'UA', 'UG', 'UM', 'US', 'UY', 'UZ', 'VA', 'VC', 'VE', 'VG', 'VI', 'VN', 'VU', 'WF', 'WS', 'XK', 'YE', 'YT', 'ZA', 'ZM', 'ZW'],
] as const;

const KNOWN: ReadonlySet<string> = new Set(COUNTRY_CODES);

/** Whether `code` is one of COUNTRY_CODES (upper case, as the wire carries it). */
export const isKnownCountry = (code: string): boolean => KNOWN.has(code);

const NOT_A_COUNTRY = 'is not an ISO 3166-1 alpha-2 country code';

/**
 * A country a caller names (a claim, a landmark's place): one of COUNTRY_CODES, as the CLI takes
 * them. The wire format alone (two capitals) let "XX" through, to become a claim no region can
 * meet: "contradicted" in signed reports for a typo.
 */
export const KnownCountry = CountryCode.refine(isKnownCountry, NOT_A_COUNTRY);

/**
 * Why `code` cannot be named, as KnownCountry's validation would say, for a body checked after
 * its signature rather than by the route's schema (enrollment); undefined: it can.
 */
export const unknownCountry = (field: string, code: string | null): string | undefined => (code === null || isKnownCountry(code) ? undefined : `body ${field}: "${code}" ${NOT_A_COUNTRY}`);

import { isCountryCode } from '@locus/geo';
import { CountryCode } from '@locus/protocol';

const NOT_A_COUNTRY = 'is not an ISO 3166-1 alpha-2 country code';

/**
 * A country a caller names (a claim, a landmark's place): a code ISO 3166-1 assigns (or XK), as
 * the CLI takes them. The wire format alone (two capitals) let "XX" through, to become a claim no
 * region can meet: "contradicted" in signed reports for a typo.
 */
export const KnownCountry = CountryCode.refine(isCountryCode, NOT_A_COUNTRY);

/**
 * Why `code` cannot be named, as KnownCountry's validation would say, for a body checked after
 * its signature rather than by the route's schema (enrollment); undefined: it can.
 */
export const unknownCountry = (field: string, code: string | null): string | undefined => (code === null || isCountryCode(code) ? undefined : `body ${field}: "${code}" ${NOT_A_COUNTRY}`);

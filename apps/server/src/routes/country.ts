import { isCountryCode } from '@locus/geo';
import { CountryCode } from '@locus/protocol';

/**
 * A country a caller names (a claim, a landmark's place): a code ISO 3166-1 assigns (or XK), as
 * the CLI takes them. The wire format alone (two capitals) let "XX" through, to become a claim no
 * region can meet: "contradicted" in signed reports for a typo.
 */
export const KnownCountry = CountryCode.refine(isCountryCode, 'is not an ISO 3166-1 alpha-2 country code');

/** Why `code` cannot be named, as the body's validation would say; undefined: it can. */
export const unknownCountry = (field: string, code: string | null): string | undefined => (code === null || isCountryCode(code) ? undefined : `body ${field}: "${code}" is not an ISO 3166-1 alpha-2 country code`);

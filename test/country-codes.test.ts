import { describe, expect, it } from 'vitest';
import { isCountryCode } from '@locus/geo';
import { COUNTRY_CODES, KnownCountry, isKnownCountry, unknownCountry } from '@locus/protocol';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const everyPair = [...LETTERS].flatMap((a) => [...LETTERS].map((b) => `${a}${b}`));

describe("the protocol's list of country codes", () => {
  it("accepts exactly the two-letter codes @locus/geo's isCountryCode accepts", () => {
    // The server and the agent check claims against the protocol's list, the geo engine and the
    // geo commands against geo's (from i18n-iso-countries): an upgrade of that list fails here.
    expect(everyPair.filter(isKnownCountry)).toEqual(everyPair.filter(isCountryCode));
    expect([...COUNTRY_CODES]).toEqual([...COUNTRY_CODES].sort());
    expect(new Set(COUNTRY_CODES).size).toBe(COUNTRY_CODES.length);
  });

  it.each([
    ['DE', true],
    ['XK', true],
    ['XX', false],
    ['ZZ', false],
    ['EU', false],
    ['de', false],
    ['', false],
  ])('takes %j: %s', (code, known) => {
    expect(isKnownCountry(code)).toBe(known);
    expect(KnownCountry.safeParse(code).success).toBe(known);
    expect(unknownCountry('claimedCountry', code)).toBe(known ? undefined : `body claimedCountry: "${code}" is not an ISO 3166-1 alpha-2 country code`);
  });

  it('leaves no claim (null) alone', () => {
    expect(unknownCountry('claimedCountry', null)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { VerdictRecord } from '../api/types.js';
import { verdictWords } from './words.js';

const base: VerdictRecord = {
  claimed: 'SG',
  claim: 'consistent',
  restricted: 'excluded',
  possibleCountries: ['MY', 'SG', 'ID'],
  areaKm2: 141_000,
  radiusKm: 212.4,
  estimate: { lat: 1.3521, lon: 103.8198 },
  countryEstimate: 'MY',
};
const singapore = (lat: number, lon: number) => (Math.abs(lat - 1.35) < 0.2 && Math.abs(lon - 103.82) < 0.3 ? 'Singapore' : undefined);

describe('verdictWords', () => {
  it('names the region by the country of its centre, not by its largest share', () => {
    expect(verdictWords(base, singapore).summary).toBe('Region of 212 km around Singapore (1.35, 103.82); restricted countries excluded');
  });

  it('gives coordinates alone when no map names the place (at sea, or borders not loaded)', () => {
    expect(verdictWords(base).summary).toBe('Region of 212 km around (1.35, 103.82); restricted countries excluded');
  });

  it('names the restricted countries a possible region reaches', () => {
    const v: VerdictRecord = { ...base, restricted: 'possible', radiusKm: 8795.6, estimate: { lat: 14.88, lon: 102.36 }, possibleCountries: ['RU', 'CN', 'TH', 'HK', 'SG'] };
    expect(verdictWords(v, () => 'Thailand').summary).toBe('Region of 8,796 km around Thailand (14.88, 102.36); restricted countries possible: Russia (RU), China (CN), Hong Kong (HK)');
  });

  it('says when only restricted countries are possible', () => {
    expect(verdictWords({ ...base, restricted: 'certain', claim: 'contradicted', possibleCountries: ['CN'] }).summary).toMatch(/; only restricted countries are possible$/);
  });

  it('says that an empty region is a broken measurement or a lie, and excludes nothing', () => {
    const v: VerdictRecord = { ...base, empty: true, claim: 'contradicted', restricted: 'possible', possibleCountries: [], radiusKm: null, estimate: null, countryEstimate: null, areaKm2: 0 };
    const words = verdictWords(v);
    expect(words.summary).toBe('No single place fits these measurements (a broken measurement or a lie); nothing can be excluded');
    expect(words.claim).toBe('Claim Singapore (SG) contradicted: the measurements fit no place at all.');
    expect(words.countries).toBe('No country is within reach.');
  });

  it('says when the measurements do not narrow the place down (a whole-world region)', () => {
    expect(verdictWords({ ...base, restricted: 'possible', radiusKm: null, possibleCountries: ['CN', 'US'] }).summary).toBe(
      'The measurements do not narrow the place down yet; restricted countries possible: China (CN)',
    );
  });

  it.each<[VerdictRecord['claim'], string | null, RegExp]>([
    ['verified', 'SG', /^Claim Singapore \(SG\) verified: the region lies inside it\.$/],
    ['consistent', 'SG', /^Claim Singapore \(SG\) consistent: .*Not disproved, nothing more/],
    ['contradicted', 'SG', /^Claim Singapore \(SG\) contradicted: the region does not reach it\.$/],
    [null, null, /^No country is claimed\.$/],
  ])('explains a claim that is %s', (claim, claimed, words) => {
    expect(verdictWords({ ...base, claim, claimed }).claim).toMatch(words);
  });

  it('cuts a long list of possible countries to the first twelve', () => {
    const codes = ['RU', 'CN', 'AU', 'IN', 'KZ', 'ID', 'IR', 'SA', 'MN', 'ET', 'MM', 'AF', 'TH', 'VN'];
    expect(verdictWords({ ...base, possibleCountries: codes }).countries).toMatch(/^Possible countries \(14\): Russia \(RU\), .*, Afghanistan \(AF\) and 2 more\.$/);
  });
});

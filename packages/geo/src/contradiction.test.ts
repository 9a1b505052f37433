import { describe, expect, it } from 'vitest';
import { soleContradictions } from './contradiction.js';
import { degrees, ms } from './units.js';

const bound = (id: string, lat: number, lon: number, rtt: number) => ({ id, lat: degrees(lat), lon: degrees(lon), rtt: ms(rtt) });
// A host in Frankfurt as three honest European landmarks see it.
const HONEST = [bound('fra', 50.1109, 8.6821, 1), bound('ams', 52.3676, 4.9041, 6), bound('par', 48.8566, 2.3522, 8)];

describe('sole contradictions', () => {
  it('blame nothing when the bounds fit one place', () => {
    expect(soleContradictions(HONEST, 'vacuum')).toEqual([]);
    expect(soleContradictions([], 'vacuum')).toEqual([]);
  });

  it('name the one landmark whose RTT is too short for its audited place', () => {
    // 2 ms from Singapore is at most 300 km: no place is that close to Singapore and to Frankfurt.
    const liar = bound('sin', 1.3521, 103.8198, 2);
    expect(soleContradictions([...HONEST, liar], 'vacuum').map((b) => b.id)).toEqual(['sin']);
  });

  it('name both sides of a conflict between two landmarks alone, and nobody when two lie', () => {
    const pair = [bound('fra', 50.1109, 8.6821, 1), bound('sin', 1.3521, 103.8198, 2)];
    expect(soleContradictions(pair, 'vacuum').map((b) => b.id)).toEqual(['fra', 'sin']);
    const twoLiars = [...HONEST, bound('sin', 1.3521, 103.8198, 2), bound('tyo', 35.6762, 139.6503, 2)];
    expect(soleContradictions(twoLiars, 'vacuum')).toEqual([]);
  });
});

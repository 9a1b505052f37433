import { describe, expect, it } from 'vitest';
import { generateSigningKey, type LandmarkInfo } from '@locus/protocol';
import { checkPeer, peerPlace } from './calibration.js';

const key = generateSigningKey().publicKey;
const other = generateSigningKey().publicKey;
const fra: LandmarkInfo = { id: 'fra-1', name: 'Frankfurt', country: 'DE', lat: 50.11, lon: 8.68, publicKey: key };
// What it signs into its measurement, which may differ from what it greets with.
const signedAt = { landmarkAt: { lat: 35.68, lon: 139.65 } };

describe('peerPlace', () => {
  it('takes the place a peer signs, not the one it greets with, when no landmarks are trusted', () => {
    expect(peerPlace(fra, signedAt)).toEqual({ at: { lat: 35.68, lon: 139.65 }, from: 'signed' });
  });

  it('takes the place the trust list gives the peer\'s key', () => {
    expect(peerPlace(fra, signedAt, [{ ...fra, lat: 48.86, lon: 2.35 }])).toEqual({ at: { lat: 48.86, lon: 2.35 }, from: 'trusted' });
  });

  it.each([
    ['a key the list does not hold', [{ ...fra, id: 'par-1', publicKey: other }], 'its key is not in the trust list'],
    ['its id listed with another key', [{ ...fra, publicKey: other }], 'its key is not the one the trust list gives fra-1'],
    ["another landmark's key", [{ ...fra, id: 'par-1' }], "its key is par-1's in the trust list, not fra-1's"],
  ])('does not trust a peer with %s', (_, trusted, why) => {
    expect(peerPlace(fra, signedAt, trusted)).toEqual({ untrusted: why });
  });
});

describe('checkPeer', () => {
  it('holds the RTT to the vacuum bound between the two places it is given', () => {
    const tokyo = { lat: 35.68, lon: 139.65 } as never;
    const self = { lat: 50.11, lon: 8.68 } as never;
    const slow = checkPeer(self, fra, tokyo, { minRttMs: 250 });
    expect(slow.consistent).toBe(true);
    expect(slow.distanceKm).toBeGreaterThan(9000);
    // 9,300 km and back at c take 62 ms: 20 ms is impossible.
    const fast = checkPeer(self, fra, tokyo, { minRttMs: 20 });
    expect(fast.consistent).toBe(false);
    expect(fast.fractionOfC).toBeGreaterThan(3);
  });
});

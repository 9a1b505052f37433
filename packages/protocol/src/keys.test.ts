import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64url, toBase64url } from './base64url.js';
import { verifyBodyAsync } from './agent.js';
import { canonicalBytes } from './canonical.js';
import { generateSigningKey, publicKeyObject, seedOf, signBytes, signingKeyFromSeed, signJson, verifyBytes, verifyBytesAsync, verifyJson } from './keys.js';

// RFC 8032, section 7.1, test 1.
const RFC_SEED = toBase64url(Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'));
const RFC_PUBLIC = toBase64url(Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex'));
const RFC_SIGNATURE =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';

describe('Ed25519 keys', () => {
  it('derives the RFC 8032 public key and signature from its seed', () => {
    const key = signingKeyFromSeed(RFC_SEED)!;
    expect(key.publicKey).toBe(RFC_PUBLIC);
    expect(sign(null, Buffer.alloc(0), key.privateKey).toString('hex')).toBe(RFC_SIGNATURE);
    expect(seedOf(key.privateKey)).toBe(RFC_SEED);
  });

  it('signs "locus/v1/<purpose>\\n" followed by the body: fixed vectors', () => {
    const key = signingKeyFromSeed(RFC_SEED)!;
    const vector1 = 'lAumA-4OFz5RjcvJnczlegf2BwL0CFMMjKxZNl5bPd8oAjPNFAKdDuC1RDxdLrpa9eToNZq_rPLTLodU1__HAg';
    expect(signBytes('challenge-response', Buffer.from('abc'), key.privateKey)).toBe(vector1);
    expect(toBase64url(sign(null, Buffer.from('locus/v1/challenge-response\nabc'), key.privateKey))).toBe(vector1);
    const vector2 = 'ICBnW6N7S7GXSctKtyonrgsZfP5V-RcbFWs5-b31KcVs1fbtFX97dcuAhEeQ2VrV8hJ5MF0J4xpaliZ1X-FqCw';
    expect(signJson('measurement', { b: 1, a: 'x' }, key.privateKey)).toBe(vector2);
    expect(toBase64url(sign(null, Buffer.from('locus/v1/measurement\n{"a":"x","b":1}'), key.privateKey))).toBe(vector2);
  });

  it('verifies a signature only for the same purpose, bytes and key', () => {
    const key = generateSigningKey();
    const other = generateSigningKey();
    const sig = signJson('measurement', { a: 1 }, key.privateKey);
    expect(verifyJson('measurement', { a: 1 }, key.publicKey, sig)).toBe(true);
    expect(verifyJson('proof', { a: 1 }, key.publicKey, sig)).toBe(false);
    expect(verifyJson('measurement', { a: 2 }, key.publicKey, sig)).toBe(false);
    expect(verifyJson('measurement', { a: 1 }, other.publicKey, sig)).toBe(false);
    expect(verifyBytes('measurement', Buffer.from('x'), key.publicKey, 'not-a-signature')).toBe(false);
    expect(verifyBytes('measurement', Buffer.from('x'), 'short', sig)).toBe(false);
  });

  it('verifies off the thread exactly as on it', async () => {
    const key = generateSigningKey();
    const body = canonicalBytes({ a: 1 });
    const sig = signJson('ingest', { a: 1 }, key.privateKey);
    expect(await verifyBytesAsync('ingest', body, key.publicKey, sig)).toBe(true);
    expect(await verifyBytesAsync('enroll', body, key.publicKey, sig)).toBe(false);
    expect(await verifyBytesAsync('ingest', canonicalBytes({ a: 2 }), key.publicKey, sig)).toBe(false);
    expect(await verifyBytesAsync('ingest', body, generateSigningKey().publicKey, sig)).toBe(false);
    expect(await verifyBytesAsync('ingest', body, key.publicKey, 'not-a-signature')).toBe(false);
  });

  it('does not verify, and does not throw for, a received value with no canonical form (-0, an inexact number)', async () => {
    const key = generateSigningKey();
    const sig = signJson('measurement', { rtt: 0 }, key.privateKey);
    for (const value of [{ rtt: -0 }, { rtt: 2 ** 53 + 2 }]) {
      expect(verifyJson('measurement', value, key.publicKey, sig)).toBe(false);
      expect(await verifyBodyAsync('measurement', { ...value, signature: sig }, key.publicKey)).toBe(false);
    }
  });

  it.each(['', 'abc', 'A'.repeat(43) + '=', '!'.repeat(43)])('refuses %j as a public key', (text) => {
    expect(publicKeyObject(text)).toBeUndefined();
  });

  it("makes keys whose public half is the private key's", () => {
    for (let i = 0; i < 50; i++) {
      const key = generateSigningKey();
      expect(signingKeyFromSeed(seedOf(key.privateKey))!.publicKey).toBe(key.publicKey);
      expect(verifyBytes('report', Buffer.from('x'), key.publicKey, signBytes('report', Buffer.from('x'), key.privateKey))).toBe(true);
    }
  });

  it('refuses malformed seeds', () => {
    expect(signingKeyFromSeed('short')).toBeUndefined();
    expect(signingKeyFromSeed(RFC_SEED + 'AA')).toBeUndefined();
  });
});

describe('base64url', () => {
  it('round-trips and refuses padding, foreign characters and non-canonical tails', () => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    expect(fromBase64url(toBase64url(bytes))).toEqual(bytes);
    expect(fromBase64url('AAE=')).toBeUndefined();
    expect(fromBase64url('AA+/')).toBeUndefined();
    expect(fromBase64url('AB')).toBeUndefined();
    expect(fromBase64url('AA', 2)).toBeUndefined();
  });
});

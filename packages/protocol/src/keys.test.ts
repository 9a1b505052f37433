import { createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64url, toBase64url } from './base64url.js';
import { verifyBodyAsync } from './agent.js';
import { canonicalBytes } from './canonical.js';
import { PublicKey } from './messages.js';
import { weakPublicKey } from './weak-keys.js';
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

describe('keys no one may use', () => {
  const hex = (h: string) => toBase64url(Buffer.from(h, 'hex'));
  const IDENTITY = hex('01'.padEnd(64, '0'));
  // R = the base point, S = 1: under the identity key, a signature of every message.
  const UNIVERSAL = hex('5866666666666666666666666666666666666666666666666666666666666666' + '01'.padEnd(64, '0'));
  const TORSION = [
    ['the identity', IDENTITY],
    ['the identity, x sign bit set', hex('01'.padEnd(62, '0') + '80')],
    ['y = 0 (order 4)', hex('00'.repeat(32))],
    ['y = 0, x sign bit set (order 4)', hex('00'.repeat(31) + '80')],
    ['y = −1 (order 2)', hex('ec' + 'ff'.repeat(30) + '7f')],
    ['an order-8 point', hex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05')],
    ['the other order-8 y, x sign bit set', hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa')],
  ] as const;
  const NON_CANONICAL = [
    ['y = p, naming y = 0', hex('ed' + 'ff'.repeat(30) + '7f')],
    ['y = p + 1, naming the identity', hex('ee' + 'ff'.repeat(30) + '7f')],
    ['y = 2²⁵⁵ − 1', hex('ff'.repeat(31) + '7f')],
  ] as const;

  it('lets a forged signature verify under the identity without the check (what the check is for)', () => {
    const raw = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: IDENTITY }, format: 'jwk' });
    expect(verify(null, Buffer.from('any message at all'), raw, fromBase64url(UNIVERSAL, 64)!)).toBe(true);
  });

  it.each([...TORSION, ...NON_CANONICAL])('refuses %s as a key: nothing verifies under it, and the schema names why', async (_, key) => {
    expect(publicKeyObject(key)).toBeUndefined();
    expect(verifyBytes('challenge-response', Buffer.from('x'), key, UNIVERSAL)).toBe(false);
    expect(await verifyBytesAsync('ingest', Buffer.from('x'), key, UNIVERSAL)).toBe(false);
    const parsed = PublicKey.safeParse(key);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/^is not a usable Ed25519 key: it is (a point of small order|not a canonical encoding)/);
  });

  it('takes real keys, the RFC 8032 vector and generated ones', () => {
    for (const key of [RFC_PUBLIC, ...Array.from({ length: 50 }, () => generateSigningKey().publicKey)]) {
      expect(weakPublicKey(fromBase64url(key, 32)!)).toBeUndefined();
      expect(PublicKey.safeParse(key).success).toBe(true);
      expect(publicKeyObject(key)).toBeDefined();
    }
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

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64url, generateSigningKey, signBytes, toBase64url, verifyBytes, type SignaturePurpose } from '@locus/protocol';
import { LIBSODIUM_MAX_BYTES, ed25519Check } from './ed25519.js';

/** The group order L of Ed25519, little-endian, for a signature whose S is not reduced. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const littleEndian = (bytes: Uint8Array): bigint => bytes.reduceRight((n, b) => (n << 8n) | BigInt(b), 0n);
const toLittleEndian = (n: bigint): Buffer => Buffer.from(Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn)));

const sodium = ed25519Check();
const fallback = ed25519Check(() => {
  throw new Error('no addon here');
});

describe('ed25519Check', () => {
  it('uses libsodium here (sodium-native installs its prebuilt addon) and falls back to node:crypto where it does not load', () => {
    expect(sodium.backend).toBe('libsodium');
    expect(fallback.backend).toBe('node:crypto');
    expect(ed25519Check(() => ({})).backend).toBe('node:crypto');
  });

  it.each([
    ['libsodium', sodium.verify],
    ['node:crypto', fallback.verify],
  ])('%s accepts what an agent signs and nothing altered', (_, verify) => {
    const key = generateSigningKey();
    const other = generateSigningKey();
    for (const size of [0, 1, 900, 20_000]) {
      const body = randomBytes(size);
      const signature = signBytes('ingest', body, key.privateKey);
      expect(verify('ingest', body, key.publicKey, signature)).toBe(true);
      expect(verify('measurement', body, key.publicKey, signature)).toBe(false);
      expect(verify('ingest', body, other.publicKey, signature)).toBe(false);
      if (size > 0) {
        const flipped = Buffer.from(body);
        flipped[size >> 1]! ^= 0x01;
        expect(verify('ingest', flipped, key.publicKey, signature)).toBe(false);
      }
      const sig = fromBase64url(signature, 64)!;
      sig[5]! ^= 0x40;
      expect(verify('ingest', body, key.publicKey, toBase64url(sig))).toBe(false);
    }
    expect(verify('ingest', Buffer.from('x'), 'not a key', signBytes('ingest', Buffer.from('x'), key.privateKey))).toBe(false);
    expect(verify('ingest', Buffer.from('x'), key.publicKey, 'not a signature')).toBe(false);
  });

  it('leaves bodies over LIBSODIUM_MAX_BYTES to node:crypto, whose hash is faster there', () => {
    // A stand-in addon that refuses everything: what it is asked, it answers false.
    const asked: number[] = [];
    const refusing = ed25519Check(() => ({ crypto_sign_verify_detached: (_sig: Uint8Array, message: Uint8Array) => (asked.push(message.byteLength), false) }));
    expect(refusing.backend).toBe('libsodium');
    const key = generateSigningKey();
    const large = randomBytes(LIBSODIUM_MAX_BYTES + 1);
    const small = randomBytes(LIBSODIUM_MAX_BYTES);
    expect(refusing.verify('ingest', large, key.publicKey, signBytes('ingest', large, key.privateKey))).toBe(true);
    expect(refusing.verify('ingest', small, key.publicKey, signBytes('ingest', small, key.privateKey))).toBe(false);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toBeGreaterThan(LIBSODIUM_MAX_BYTES);
  });

  it('refuses the keys no one may use, under which a forged signature verifies for OpenSSL', () => {
    const identity = toBase64url(Buffer.from('01'.padEnd(64, '0'), 'hex'));
    const universal = toBase64url(Buffer.from('5866666666666666666666666666666666666666666666666666666666666666' + '01'.padEnd(64, '0'), 'hex'));
    expect(sodium.verify('ingest', Buffer.from('any batch'), identity, universal)).toBe(false);
    expect(fallback.verify('ingest', Buffer.from('any batch'), identity, universal)).toBe(false);
  });

  it('refuses a signature whose S is not reduced (S + L), as node:crypto does', () => {
    const key = generateSigningKey();
    const body = Buffer.from('a batch');
    const sig = fromBase64url(signBytes('ingest', body, key.privateKey), 64)!;
    const unreduced = Buffer.concat([sig.subarray(0, 32), toLittleEndian(littleEndian(sig.subarray(32)) + L)]);
    expect(verifyBytes('ingest', body, key.publicKey, toBase64url(unreduced))).toBe(false);
    expect(sodium.verify('ingest', body, key.publicKey, toBase64url(unreduced))).toBe(false);
  });

  it('agrees with node:crypto on every signature, made or mangled', () => {
    const purposes: readonly SignaturePurpose[] = ['ingest', 'measurement'];
    const keys = Array.from({ length: 4 }, () => generateSigningKey());
    let accepted = 0;
    for (let i = 0; i < 400; i++) {
      const key = keys[i % keys.length]!;
      const body = randomBytes(1 + (i % 97));
      const sig = fromBase64url(signBytes(purposes[i % 2]!, body, key.privateKey), 64)!;
      // A quarter as made, the rest with a byte of the signature, the body or the key's choice changed.
      if (i % 4 === 1) sig[i % 64]! ^= 1 << (i % 8);
      if (i % 4 === 2) body[i % body.length]! ^= 0x80;
      const signer = i % 4 === 3 ? keys[(i + 1) % keys.length]! : key;
      const signature = toBase64url(sig);
      const expected = verifyBytes(purposes[i % 2]!, body, signer.publicKey, signature);
      expect(sodium.verify(purposes[i % 2]!, body, signer.publicKey, signature)).toBe(expected);
      if (expected) accepted++;
    }
    expect(accepted).toBe(100);
  });
});

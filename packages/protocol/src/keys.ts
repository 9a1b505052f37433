import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalBytes, receivedCanonicalBytes, type Json } from './canonical.js';
import { fromBase64url, toBase64url } from './base64url.js';
import { weakPublicKey } from './weak-keys.js';

/** An Ed25519 public key as unpadded base64url of its 32 raw bytes. It is also the key's id. */
export type PublicKeyText = string;

export interface SigningKey {
  readonly publicKey: PublicKeyText;
  readonly privateKey: KeyObject;
}

/** DER prefix of an Ed25519 public key (SubjectPublicKeyInfo); the 32 raw bytes follow it. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * A new key pair. Both halves come out encoded by the generation itself and the private key is
 * read back from its encoding, so that the key object handed out shares nothing with the
 * generation job: Node 20 locks a generated key's mutex again when that job is collected, and a
 * collection that ran while the key was being exported (JWK, on its mutex) blocked the process
 * for good (with a 1 MB young generation, within 9,000 to 27,000 keys; the ingest benchmark,
 * making 10,000 agents' keys, hung so about one run in ten).
 */
export function generateSigningKey(): SigningKey {
  const pair = generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' } });
  const spki = pair.publicKey;
  if (spki.length !== SPKI_ED25519_PREFIX.length + 32 || !spki.subarray(0, SPKI_ED25519_PREFIX.length).equals(SPKI_ED25519_PREFIX)) throw new Error('unexpected Ed25519 public key encoding');
  return { privateKey: createPrivateKey({ key: pair.privateKey, format: 'der', type: 'pkcs8' }), publicKey: toBase64url(spki.subarray(SPKI_ED25519_PREFIX.length)) };
}

/** The public half of a private key, as text. */
export function publicKeyText(privateKey: KeyObject): PublicKeyText {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return jwk.x!;
}

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A private key from its 32-byte seed in base64url (the JWK `d` member); undefined if malformed. */
export function signingKeyFromSeed(seed: string): SigningKey | undefined {
  const bytes = fromBase64url(seed, 32);
  if (!bytes) return undefined;
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, bytes]), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: publicKeyText(privateKey) };
}

/** The 32-byte seed of a private key, base64url: what a key file stores. */
export const seedOf = (key: KeyObject): string => key.export({ format: 'jwk' }).d!;

const publicKeys = new Map<PublicKeyText, KeyObject>();

/**
 * A verification key from text; undefined if the text is not an Ed25519 public key, or one under
 * which signatures verify without a private key (weakPublicKey), so that nothing verifies under it.
 */
export function publicKeyObject(text: PublicKeyText): KeyObject | undefined {
  const cached = publicKeys.get(text);
  if (cached) return cached;
  if (!publicKeyBytes(text)) return undefined;
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: text }, format: 'jwk' });
    if (publicKeys.size > 10_000) publicKeys.clear();
    publicKeys.set(text, key);
    return key;
  } catch {
    return undefined;
  }
}

/**
 * What each signature covers starts with a purpose tag, so that a signature made for one
 * purpose can never be replayed as another.
 */
export const SIGNATURE_PURPOSES = ['challenge-response', 'measurement', 'proof', 'report', 'enroll', 'ingest', 'unenroll'] as const;
export type SignaturePurpose = (typeof SIGNATURE_PURPOSES)[number];

/** The bytes a signature for `purpose` covers: the purpose's tag, then the body. */
export const signedBytes = (purpose: SignaturePurpose, body: Uint8Array): Buffer => Buffer.concat([Buffer.from(`locus/v1/${purpose}\n`, 'utf8'), body]);

/**
 * An Ed25519 public key's 32 raw bytes from its text; undefined if the text is not one, or is a
 * key no one may use (weakPublicKey): for verifiers other than node:crypto's.
 */
export function publicKeyBytes(text: PublicKeyText): Buffer | undefined {
  const bytes = fromBase64url(text, 32);
  return bytes && weakPublicKey(bytes) === undefined ? bytes : undefined;
}

/** A signature's 64 raw bytes from its text; undefined if malformed. */
export const signatureBytes = (text: string): Buffer | undefined => fromBase64url(text, 64);

export const signBytes = (purpose: SignaturePurpose, body: Uint8Array, key: KeyObject): string => toBase64url(sign(null, signedBytes(purpose, body), key));

export function verifyBytes(purpose: SignaturePurpose, body: Uint8Array, publicKey: PublicKeyText, signature: string): boolean {
  const key = publicKeyObject(publicKey);
  const sig = signatureBytes(signature);
  if (!key || !sig) return false;
  return verify(null, signedBytes(purpose, body), key, sig);
}

/**
 * As verifyBytes, but the hashing and the curve arithmetic run on libuv's thread pool, so that
 * a server checking large signed bodies (agents' batches) keeps its own thread for requests.
 */
export function verifyBytesAsync(purpose: SignaturePurpose, body: Uint8Array, publicKey: PublicKeyText, signature: string): Promise<boolean> {
  const key = publicKeyObject(publicKey);
  const sig = signatureBytes(signature);
  if (!key || !sig) return Promise.resolve(false);
  return new Promise((resolve) => verify(null, signedBytes(purpose, body), key, sig, (error, ok) => resolve(!error && ok)));
}

/** Signs the canonical JSON of a value. */
export const signJson = (purpose: SignaturePurpose, value: Json, key: KeyObject): string => signBytes(purpose, canonicalBytes(value), key);

/** Whether `signature` signs the canonical JSON of `value`; false for a value that has none. */
export function verifyJson(purpose: SignaturePurpose, value: Json, publicKey: PublicKeyText, signature: string): boolean {
  const bytes = receivedCanonicalBytes(value);
  return bytes !== undefined && verifyBytes(purpose, bytes, publicKey, signature);
}

/** As verifyJson, the signature checked on libuv's thread pool (verifyBytesAsync); the canonical encoding is made on the caller's thread. */
export function verifyJsonAsync(purpose: SignaturePurpose, value: Json, publicKey: PublicKeyText, signature: string): Promise<boolean> {
  const bytes = receivedCanonicalBytes(value);
  return bytes === undefined ? Promise.resolve(false) : verifyBytesAsync(purpose, bytes, publicKey, signature);
}

/** SHA-256 as base64url. */
export const sha256 = (bytes: Uint8Array): string => toBase64url(createHash('sha256').update(bytes).digest());

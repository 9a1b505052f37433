import type { KeyObject } from 'node:crypto';
import { fromBase64url } from './base64url.js';
import { sha256, signBytes, signJson, verifyBytes, verifyJson, verifyJsonAsync, type PublicKeyText } from './keys.js';
import type { Measurement, SignedMeasurement } from './messages.js';

/**
 * What a host signs to answer a challenge: the raw 32-byte nonce followed by the raw 32-byte
 * host key (DESIGN.md: nonce ‖ identity), under the `challenge-response` purpose tag.
 */
export function challengeBody(nonce: string, hostKey: PublicKeyText): Buffer {
  const n = fromBase64url(nonce, 32);
  const k = fromBase64url(hostKey, 32);
  if (!n || !k) throw new TypeError('nonce and host key must be 32 bytes of base64url');
  return Buffer.concat([n, k]);
}

export const signChallenge = (nonce: string, hostKey: PublicKeyText, key: KeyObject): string => signBytes('challenge-response', challengeBody(nonce, hostKey), key);

export function verifyChallengeResponse(nonce: string, hostKey: PublicKeyText, signature: string): boolean {
  const n = fromBase64url(nonce, 32);
  const k = fromBase64url(hostKey, 32);
  return n !== undefined && k !== undefined && verifyBytes('challenge-response', Buffer.concat([n, k]), hostKey, signature);
}

/** SHA-256 over the raw nonces in round order. */
export const hashNonces = (nonces: readonly string[]): string => sha256(Buffer.concat(nonces.map((n) => fromBase64url(n, 32) ?? Buffer.alloc(0))));

export const signMeasurement = (measurement: Measurement, key: KeyObject): SignedMeasurement => ({ measurement, signature: signJson('measurement', measurement, key) });

export const verifyMeasurementSignature = (signed: SignedMeasurement, landmarkKey: PublicKeyText): boolean =>
  verifyJson('measurement', signed.measurement, landmarkKey, signed.signature);

/** As verifyMeasurementSignature, the signature checked on libuv's thread pool: a server taking many measurements keeps its own thread. */
export const verifyMeasurementSignatureAsync = (signed: SignedMeasurement, landmarkKey: PublicKeyText): Promise<boolean> =>
  verifyJsonAsync('measurement', signed.measurement, landmarkKey, signed.signature);

/**
 * Ed25519 public keys no one may use. A key that is a point of small order (one of the curve's 8
 * torsion points, the identity among them) has signatures that verify without any secret: under
 * the identity, R = B and S = 1 sign every message, and OpenSSL's verification accepts them. A
 * host enrolled under such a key could answer a landmark's challenge before it arrives and be
 * timed closer than light allows. A non-canonical encoding (y at or above the field's prime)
 * names a point that has another, canonical name: one key, two identities. Both are refused
 * wherever a key enters (schemas) and wherever one is used (publicKeyObject), following the
 * blocklist libsodium checks keys against.
 */

const P = 2n ** 255n - 19n;
const Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n;

/** y as Ed25519 encodes it: 32 bytes, little-endian. */
const encoded = (y: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((y >> BigInt(8 * i)) & 0xffn));

/** The y coordinates of the 8 torsion points: 0 (order 4, x = ±√−1), 1 (the identity), −1 (order 2) and ±y₈ (order 8, each with ±x). */
const TORSION_Y: readonly Uint8Array[] = [0n, 1n, P - 1n, Y8, P - Y8].map(encoded);

/** Whether `bytes` encode y (x's sign bit, the top bit, left out). */
const encodesY = (bytes: Uint8Array, y: Uint8Array): boolean => bytes.every((b, i) => (i === 31 ? b & 0x7f : b) === y[i]);

/** Whether y, the top bit left out, is at or above P = 2²⁵⁵ − 19: 0x7fff…ffed to 0x7fff…ffff. */
const atOrAboveP = (bytes: Uint8Array): boolean => (bytes[31]! & 0x7f) === 0x7f && bytes[0]! >= 0xed && bytes.subarray(1, 31).every((b) => b === 0xff);

/** Why 32 raw bytes cannot be an Ed25519 public key of anyone's; undefined when they can. */
export function weakPublicKey(bytes: Uint8Array): string | undefined {
  if (bytes.length !== 32) return 'is not 32 bytes';
  if (atOrAboveP(bytes)) return 'is not a canonical encoding of a curve point';
  if (TORSION_Y.some((y) => encodesY(bytes, y))) return 'is a point of small order, under which signatures verify without a private key';
  return undefined;
}

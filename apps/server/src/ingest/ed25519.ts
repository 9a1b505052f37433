import { createRequire } from 'node:module';
import { publicKeyBytes, signatureBytes, signedBytes, verifyBytes, type PublicKeyText, type SignaturePurpose } from '@locus/protocol';

/** What checks an Ed25519 signature over bytes (a signature for `purpose`, under a key as text). */
export type Ed25519Check = (purpose: SignaturePurpose, body: Uint8Array, publicKey: PublicKeyText, signature: string) => boolean;

/** What checks a signature: libsodium (sodium-native) or node:crypto (OpenSSL). */
export type SignatureCheckBackend = 'libsodium' | 'node:crypto';

/** The part of libsodium (sodium-native) the server uses. */
interface Sodium {
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

/**
 * The largest body libsodium checks; node:crypto checks larger ones. The check hashes the body
 * (SHA-512), and OpenSSL's hash is the faster: on the 2-core machine libsodium takes about 61 µs
 * + 1.8 µs a KB, OpenSSL about 113 µs + 1.1 µs a KB (4 to 64 KB, least of 5 runs each), so they
 * cross near 80 KB; an agent's 30-s batch of 8 GPUs is about 4 KB, a catch-up batch of 480
 * samples about 240 KB (0.49 ms with libsodium, 0.39 with OpenSSL, in the same bench run).
 */
export const LIBSODIUM_MAX_BYTES = 64 * 1024;

/**
 * The server's check of agents' batch signatures, on its decoder threads: libsodium's where
 * sodium-native loads (its prebuilt addon: Linux, macOS and Windows on x64 and arm64, glibc),
 * else node:crypto's (OpenSSL). On the 2-core benchmark machine libsodium takes about half the
 * CPU of OpenSSL 3.0 a check of a small body (54–65 µs against 108–115 µs for bodies of 1.5 to
 * 4 KB, measured side by side), and the check is a fixed cost of every batch whatever its size:
 * the largest share of a small batch's decoding (docs/server.md, Ingest benchmark). Bodies over
 * LIBSODIUM_MAX_BYTES go to node:crypto, faster there.
 *
 * Both accept exactly the signatures that satisfy the Ed25519 equation for a canonical S under a
 * key that may be used: libsodium also refuses a signature whose R is of small order, which no
 * signer makes (R is a multiple of the base point), and keys of small order or non-canonical,
 * which the server refuses before either check (weakPublicKey). So what one accepts, the other
 * does, for every signature an agent can make; `locus proof verify` and the agents use node:crypto.
 */
export function ed25519Check(load: () => unknown = () => createRequire(import.meta.url)('sodium-native')): { readonly backend: SignatureCheckBackend; readonly verify: Ed25519Check } {
  let sodium: Sodium;
  try {
    sodium = load() as Sodium;
    if (typeof sodium.crypto_sign_verify_detached !== 'function') throw new Error('sodium-native without crypto_sign_verify_detached');
  } catch {
    return { backend: 'node:crypto', verify: verifyBytes };
  }
  return {
    backend: 'libsodium',
    verify: (purpose, body, publicKey, signature) => {
      if (body.byteLength > LIBSODIUM_MAX_BYTES) return verifyBytes(purpose, body, publicKey, signature);
      const key = publicKeyBytes(publicKey);
      const sig = signatureBytes(signature);
      return key !== undefined && sig !== undefined && sodium.crypto_sign_verify_detached(sig, signedBytes(purpose, body), key);
    },
  };
}

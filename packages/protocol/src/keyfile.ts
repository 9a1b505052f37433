import { z } from 'zod';
import { PublicKey } from './messages.js';
import { signingKeyFromSeed, seedOf, type SigningKey } from './keys.js';

/** What a Locus key file holds: the Ed25519 seed and, for a person reading it, the public key. */
export const KeyFile = z.strictObject({
  kind: z.literal('locus-ed25519-key'),
  v: z.literal(1),
  publicKey: PublicKey,
  seed: z.string().length(43),
});

export const keyFileText = (key: SigningKey): string =>
  `${JSON.stringify({ kind: 'locus-ed25519-key', v: 1, publicKey: key.publicKey, seed: seedOf(key.privateKey) }, null, 2)}\n`;

/** The key in a key file's text, or a sentence saying what is wrong with it. */
export function parseKeyFile(text: string): SigningKey | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: 'not JSON' };
  }
  const parsed = KeyFile.safeParse(json);
  if (!parsed.success) return { error: 'not a Locus key file (expected kind "locus-ed25519-key", v 1, publicKey, seed)' };
  const key = signingKeyFromSeed(parsed.data.seed);
  if (!key) return { error: 'the seed is not 32 bytes of base64url' };
  if (key.publicKey !== parsed.data.publicKey) return { error: 'the public key does not belong to the seed' };
  return key;
}

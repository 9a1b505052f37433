/** Unpadded base64url, the text form of every key, nonce, hash and signature on the wire. */
export const toBase64url = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes unpadded base64url; undefined if the text is not exactly that, or not `length` bytes. */
export function fromBase64url(text: string, length?: number): Buffer | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // Reject non-canonical encodings (stray low bits in the last character).
  if (bytes.toString('base64url') !== text) return undefined;
  if (length !== undefined && bytes.length !== length) return undefined;
  return bytes;
}

/**
 * Canonical JSON: the one byte encoding of a value that Locus signs and hashes.
 *
 * Object keys are sorted by UTF-16 code units, there is no whitespace, strings are escaped as
 * JSON.stringify escapes them, and numbers are written in ECMAScript's shortest round-trip
 * form — the rules of RFC 8785 (JCS) for the values Locus uses. Anything JSON cannot carry
 * exactly (undefined, NaN, ±Infinity, -0, bigint, functions, symbols) is refused rather than
 * silently changed, so a signature never covers a value other than the one given.
 */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

export class CanonicalEncodingError extends Error {}

/** What the encoder throws at the first value it cannot encode; `fault` then says what and where. */
const UNENCODABLE = new CanonicalEncodingError('unencodable');

/** Keys as JSON strings: the same few keys recur in every object of a batch. */
const keyTexts = new Map<string, string>();
function keyText(key: string): string {
  let text = keyTexts.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (keyTexts.size < 10_000) keyTexts.set(key, text);
  }
  return text;
}

/**
 * Encodes without tracking where it is: building a path for every value cost more than the
 * encoding itself, and agents' batches (thousands of values) are encoded on every ingest to
 * check their signatures.
 */
function encode(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value) || Object.is(value, -0)) throw UNENCODABLE;
      // A finite number's JSON text is its ToString, and String() is several times faster.
      return String(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + encode(value[i]);
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw UNENCODABLE;
      // Array.prototype.sort compares strings by UTF-16 code units.
      const keys = Object.keys(value).sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const v = (value as Record<string, unknown>)[keys[i]!];
        if (v === undefined) throw UNENCODABLE;
        out += `${i === 0 ? '' : ','}${keyText(keys[i]!)}:${encode(v)}`;
      }
      return `${out}}`;
    }
    default:
      throw UNENCODABLE;
  }
}

/** Where the first value that JSON cannot carry exactly is, and what it is. */
function fault(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') return !Number.isFinite(value) ? `${path}: ${value} has no JSON form` : Object.is(value, -0) ? `${path}: -0 has no canonical form` : undefined;
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return undefined;
  if (typeof value !== 'object') return `${path}: a ${typeof value} has no JSON form`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = fault(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return `${path}: only plain objects can be encoded`;
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [k, v] of entries) if (v === undefined) return `${path}.${k}: undefined has no JSON form`;
  for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const found = fault(v, `${path}.${k}`);
    if (found) return found;
  }
  return undefined;
}

/** The canonical JSON text of a value. */
export function canonicalJson(value: Json): string {
  try {
    return encode(value);
  } catch (error) {
    if (error === UNENCODABLE) throw new CanonicalEncodingError(fault(value, '$') ?? 'the value has no canonical JSON form');
    throw error;
  }
}

/** The canonical JSON of a value as UTF-8 bytes. */
export const canonicalBytes = (value: Json): Buffer => Buffer.from(canonicalJson(value), 'utf8');

/**
 * The canonical bytes of a value received from outside, or undefined when it has none (a -0, a
 * number too large to be exact, a lone surrogate): no signer could have signed it, so its
 * signature simply does not verify, where throwing would turn bad input into a server error.
 */
export function receivedCanonicalBytes(value: Json): Buffer | undefined {
  try {
    return canonicalBytes(value);
  } catch (error) {
    if (error instanceof CanonicalEncodingError) return undefined;
    throw error;
  }
}

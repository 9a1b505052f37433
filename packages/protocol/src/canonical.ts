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

function encode(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalEncodingError(`${path}: ${value} has no JSON form`);
      if (Object.is(value, -0)) throw new CanonicalEncodingError(`${path}: -0 has no canonical form`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => encode(v, `${path}[${i}]`)).join(',')}]`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new CanonicalEncodingError(`${path}: only plain objects can be encoded`);
      const entries = Object.entries(value as Record<string, unknown>);
      for (const [k, v] of entries) if (v === undefined) throw new CanonicalEncodingError(`${path}.${k}: undefined has no JSON form`);
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${encode(v, `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new CanonicalEncodingError(`${path}: a ${typeof value} has no JSON form`);
  }
}

/** The canonical JSON text of a value. */
export const canonicalJson = (value: Json): string => encode(value, '$');

/** The canonical JSON of a value as UTF-8 bytes. */
export const canonicalBytes = (value: Json): Buffer => Buffer.from(canonicalJson(value), 'utf8');

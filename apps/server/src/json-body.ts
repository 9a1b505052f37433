import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { ApiError } from './errors.js';
import { NOT_UTF8 } from './ingest/decode.js';

/** Whether JSON text holds the escape \u0000 (JSON can carry NUL no other way), not an escaped backslash before "u0000". */
export const jsonHoldsNul = (text: string): boolean => text.includes('\\u0000') && /(?:^|[^\\])(?:\\\\)*\\u0000/.test(text);

/** A UTF-16 surrogate without its other half: no character, and text that PostgreSQL stores as U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first string (key or value) in a parsed JSON value that holds a lone surrogate, as its code unit. */
function loneSurrogate(value: unknown): string | undefined {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    const texts = typeof v === 'string' ? [v] : typeof v === 'object' && v !== null ? (Array.isArray(v) ? [] : Object.keys(v)) : [];
    for (const t of texts) {
      const m = LONE_SURROGATE.exec(t);
      if (m) return `U+${m[0].charCodeAt(0).toString(16).toUpperCase()}`;
    }
    if (typeof v === 'object' && v !== null) stack.push(...Object.values(v));
  }
  return undefined;
}

/**
 * Parses JSON bodies, refusing text that no field has a use for and that the databases would
 * not store as sent: the character U+0000 (NUL), which PostgreSQL text cannot hold (a name,
 * filter or id with one failed there as a 500 on PostgreSQL and PGlite; SQLite stored it), and
 * a lone UTF-16 surrogate (`"\ud800"`), which SQLite kept and PostgreSQL turned into U+FFFD. A
 * key `__proto__` (or `constructor` holding `prototype`) is refused as a field no body has,
 * rather than as JSON that is not valid; and a body that is not JSON says where it stops. Bytes
 * that are not UTF-8 are refused as such, not read as U+FFFD and stored so.
 */
export function parseJsonBodies(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (/%00/.test(request.url)) throw new ApiError('LOCUS_ERR_VALIDATION', 'the URL holds %00, the NUL character, which no id or parameter may hold');
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) return done(new ApiError('LOCUS_ERR_MALFORMED_JSON', `the body is not valid JSON: ${NOT_UTF8}`), undefined);
    const text = bytes.toString('utf8');
    if (text === '') return done(new ApiError('LOCUS_ERR_MALFORMED_JSON', 'the body is not valid JSON: there is none'), undefined);
    if (jsonHoldsNul(text)) return done(new ApiError('LOCUS_ERR_VALIDATION', 'body: a string holds \\u0000, the NUL character, which no field may hold'), undefined);
    let value: unknown;
    try {
      value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/forbidden prototype/.test(message)) {
        return done(new ApiError('LOCUS_ERR_VALIDATION', 'body: an object holds the key "__proto__", or "constructor" holding "prototype", which no field has'), undefined);
      }
      return done(new ApiError('LOCUS_ERR_MALFORMED_JSON', `the body is not valid JSON: ${message}`), undefined);
    }
    // Only a \u escape can carry a lone surrogate (UTF-8 bytes cannot), so most bodies skip the walk.
    const lone = /\\u[dD][89a-fA-F]/.test(text) ? loneSurrogate(value) : undefined;
    if (lone) return done(new ApiError('LOCUS_ERR_VALIDATION', `body: a string holds ${lone}, half of a UTF-16 surrogate pair without the other half, which is no character`), undefined);
    return done(null, value);
  });
}


import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

/** Whether JSON text holds the escape \u0000 (JSON can carry NUL no other way), not an escaped backslash before "u0000". */
export const jsonHoldsNul = (text: string): boolean => text.includes('\\u0000') && /(?:^|[^\\])(?:\\\\)*\\u0000/.test(text);

/**
 * Refuses the character U+0000 (NUL) in a request's URL or JSON body. PostgreSQL text cannot
 * hold it: a name, filter or id with one failed in the database, as a 500 on PostgreSQL and
 * PGlite (SQLite stored it). No field of the API has a use for it.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (/%00/.test(request.url)) throw new ApiError('LOCUS_ERR_VALIDATION', 'the URL holds %00, the NUL character, which no id or parameter may hold');
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonHoldsNul(body as string)) return done(new ApiError('LOCUS_ERR_VALIDATION', 'body: a string holds \\u0000, the NUL character, which no field may hold'), undefined);
    return parseJson(request, body as string, done);
  });
}

import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { ApiError } from './errors.js';

type Shape = Readonly<Record<string, z.ZodType>>;

/** Whether a parameter's schema takes a list (`?a=1&a=2`), past `.optional()` and `.default()`. */
function takesList(schema: z.ZodType): boolean {
  let def = schema._zod.def as { type: string; innerType?: z.ZodType };
  while ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable') && def.innerType) def = def.innerType._zod.def as typeof def;
  return def.type === 'array';
}

/** Up to five names, quoted and cut short: the message echoes what the caller sent. */
const named = (keys: readonly string[]): string => keys.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 50))).join(', ') + (keys.length > 5 ? `, … (${keys.length} in all)` : '');

/** The message for a query string that names a parameter the route does not take, or one twice; undefined when it is fine. */
export function queryKeysProblem(query: Readonly<Record<string, unknown>>, shape: Shape | undefined): string | undefined {
  const keys = Object.keys(query);
  if (keys.length === 0) return undefined;
  if (!shape) return `querystring: this route takes no parameters (got ${named(keys)})`;
  const unknown = keys.filter((k) => !Object.hasOwn(shape, k));
  if (unknown.length > 0) {
    const names = named(unknown);
    return `querystring: unknown parameter${unknown.length > 1 ? 's' : ''} ${names}; this route takes ${Object.keys(shape).join(', ')}`;
  }
  const repeated = keys.find((k) => Array.isArray(query[k]) && !takesList(shape[k]!));
  if (repeated !== undefined) return `querystring ${repeated}: given ${(query[repeated] as unknown[]).length} times; give it once`;
  return undefined;
}

/**
 * Refuses, on every API route, a query parameter the route does not take (a misspelt filter
 * would otherwise be ignored and answer with everything) or one given twice (whose value would
 * otherwise be an array and fail as "expected number, received NaN").
 */
export function refuseStrayQueryKeys(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.is404 || !request.url.startsWith('/api/')) return;
    const schema = request.routeOptions.schema?.querystring as { shape?: Shape } | undefined;
    const problem = queryKeysProblem(request.query as Record<string, unknown>, schema?.shape);
    if (problem !== undefined) throw new ApiError('LOCUS_ERR_VALIDATION', problem);
  });
}

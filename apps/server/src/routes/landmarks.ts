import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { KnownCountry, LandmarkInfo, Name } from '@locus/protocol';
import { z } from 'zod';
import { landmarkSilence } from '../alerts/conditions.js';
import type { AppContext } from '../app.js';
import { requirePermission } from '../auth.js';
import { DEFAULT_ORG } from '../config.js';
import { ApiError } from '../errors.js';
import { RefusalFields, refusalFields } from './refusal.js';

export const landmarkRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/landmarks',
      { schema: { summary: 'Register a landmark: its id, audited place and public key', tags: ['landmarks'], body: LandmarkInfo.extend({ name: Name, country: KnownCountry }), response: { 200: LandmarkInfo, 201: LandmarkInfo } } },
      async (request, reply) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'landmarks:write');
        // Landmarks are the trust set behind every organization's verdicts: the server operator's to keep.
        if (caller.orgId !== DEFAULT_ORG) throw new ApiError('LOCUS_ERR_FORBIDDEN', `landmarks are shared by every organization on this server; only the operator's organization ("${DEFAULT_ORG}") registers them`);
        const result = await ctx.repos.landmarks.register(request.body, ctx.clock.now().getTime());
        if (result === 'key-in-use') throw new ApiError('LOCUS_ERR_CONFLICT', `the public key of landmark "${request.body.id}" is another landmark's (revoked ones included): each landmark has a key of its own`);
        if (result === 'conflict') {
          throw new ApiError('LOCUS_ERR_CONFLICT', `landmark "${request.body.id}" is registered with another key or place, or was revoked; a landmark does not move — register a new id`);
        }
        return reply.code(result === 'created' ? 201 : 200).send(request.body);
      },
    );
    app.delete(
      '/landmarks/:id',
      { schema: { summary: "Revoke a landmark (a compromised key, a moved machine): its measurements, stored or new, count no more (the verdicts they held up are judged again within seconds); its id cannot be registered again", tags: ['landmarks'], params: z.object({ id: z.string().min(1).max(64) }), response: { 200: z.object({ revoked: z.literal(true) }) } } },
      async (request) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'landmarks:write');
        if (caller.orgId !== DEFAULT_ORG) throw new ApiError('LOCUS_ERR_FORBIDDEN', `landmarks are shared by every organization on this server; only the operator's organization ("${DEFAULT_ORG}") revokes them`);
        const now = ctx.clock.now().getTime();
        const result = await ctx.repos.landmarks.revoke(request.params.id, now);
        if (result === 'absent') throw new ApiError('LOCUS_ERR_NOT_FOUND', `no landmark "${request.params.id}"`);
        // The verdicts its measurements may hold up are judged again without them, at the loop's next run.
        await ctx.repos.verdicts.expireMeasuredBy(request.params.id, now - ctx.config.measurementMaxAgeMs, now);
        return { revoked: true as const };
      },
    );
    app.get(
      '/landmarks/status',
      {
        schema: {
          summary:
            "The registered landmarks, each with when it was registered, when its newest stored measurement was taken, the newest refusal of its own (signed) measurements and whether it came after its newest stored one, and whether it is silent (none stored for silentAfterS, or none ever while other landmarks deliver): down, cut off, or refused. The operator's organization only: the times follow every organization's hosts",
          tags: ['landmarks'],
          response: {
            200: z.object({
              silentAfterS: z.number().int(),
              landmarks: z.array(
                z.object({
                  id: z.string(),
                  name: z.string(),
                  country: z.string(),
                  registeredAt: z.string(),
                  lastMeasurementAt: z.string().nullable(),
                  ...RefusalFields,
                  silent: z.boolean(),
                  version: z.string().nullable().describe('The Locus software version it runs, as the User-Agent of its latest delivery that stored a measurement of its own says; null before one'),
                }),
              ),
            }),
          },
        },
      },
      async (request) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'landmarks:read');
        // When a landmark last measured anyone tells of other organizations' hosts: the operator's to see.
        if (caller.orgId !== DEFAULT_ORG) throw new ApiError('LOCUS_ERR_FORBIDDEN', `landmarks' status follows the hosts of every organization on this server; only the operator's organization ("${DEFAULT_ORG}") reads it`);
        const status = await ctx.repos.landmarks.status();
        const silent = landmarkSilence(status, ctx.clock.now().getTime(), ctx.config.landmarkSilentAfterMs);
        return {
          silentAfterS: Math.round(ctx.config.landmarkSilentAfterMs / 1000),
          landmarks: status.map((l) => ({
            id: l.landmark.id,
            name: l.landmark.name,
            country: l.landmark.country,
            registeredAt: new Date(l.registeredAt).toISOString(),
            lastMeasurementAt: l.lastMeasurementAt === null ? null : new Date(l.lastMeasurementAt).toISOString(),
            ...refusalFields(l.lastRefusal, l.lastMeasurementAt),
            silent: silent(l),
            version: l.version,
          })),
        };
      },
    );

    app.get('/landmarks', { schema: { summary: 'The registered landmarks', tags: ['landmarks'], response: { 200: z.object({ landmarks: z.array(LandmarkInfo) }) } } }, async (request) => {
      requirePermission(await ctx.caller(request), 'landmarks:read');
      return { landmarks: await ctx.repos.landmarks.list() };
    });
  };

import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CountryCode, KnownCountry, Name, VerdictRecord } from '@locus/protocol';
import type { ZoneRecord } from '@locus/storage';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { requirePermission } from '../auth.js';
import { ApiError } from '../errors.js';
import { zoneVerdict } from '../zones.js';
import { RegionFeature } from './region.js';

const ZoneBody = z.strictObject({ name: Name, claimedCountry: KnownCountry.nullable().optional() });
const Params = z.object({ id: z.string().min(1).max(100) });
const Zone = z.strictObject({ id: z.string(), name: z.string(), claimedCountry: CountryCode.nullable(), createdAt: z.string() });
/** Excluded only if every member's own verdict is excluded; null for an empty zone. */
const ZoneRestricted = VerdictRecord.shape.restricted.nullable();
/** Members without which the others could stand together (when together they fit no place). */
const Outliers = z.array(z.string()).readonly();
const ZoneListed = Zone.extend({ members: z.number().int(), restricted: ZoneRestricted, claim: VerdictRecord.shape.claim, outliers: Outliers });
const ZoneDetail = Zone.extend({
  zoneId: z.string(),
  restricted: ZoneRestricted,
  claim: VerdictRecord.shape.claim,
  members: z.array(z.strictObject({ nodeId: z.string(), name: z.string(), measurements: z.number().int(), verdict: VerdictRecord })).readonly(),
  ifColocated: VerdictRecord.nullable().describe('The verdict if all members stood together (the intersection of their bounds): for display and spotting outliers, never the basis of `restricted`; null for a zone none of whose members is measured'),
  outliers: Outliers,
});
const ZoneRegions = z.strictObject({
  members: z.array(z.strictObject({ nodeId: z.string(), name: z.string(), outline: RegionFeature })),
  ifColocated: RegionFeature.nullable(),
});

const toZone = (z: ZoneRecord) => ({ id: z.id, name: z.name, claimedCountry: z.claimed_country, createdAt: new Date(z.created_at).toISOString() });

export const zoneRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const zoneOf = async (orgId: string, id: string): Promise<ZoneRecord> => {
      const zone = await ctx.repos.zones.get(orgId, id);
      if (!zone) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no zone "${id}"`);
      return zone;
    };

    app.post('/zones', { schema: { summary: 'Create a compute zone: a site whose nodes claim one place', tags: ['zones'], body: ZoneBody, response: { 201: Zone } } }, async (request, reply) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:write');
      const zone: ZoneRecord = { id: randomUUID(), org_id: caller.orgId, name: request.body.name, claimed_country: request.body.claimedCountry ?? null, created_at: ctx.clock.now().getTime() };
      if (!(await ctx.repos.zones.create(zone))) throw new ApiError('LOCUS_ERR_CONFLICT', `a zone named "${zone.name}" exists`);
      ctx.changes.publish(caller.orgId, 'nodes');
      return reply.code(201).send(toZone(zone));
    });

    app.get('/zones', { schema: { summary: 'Your zones, each with its verdict', tags: ['zones'], response: { 200: z.strictObject({ zones: z.array(ZoneListed) }) } } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'verdicts:read');
      const zones = await ctx.repos.zones.list(caller.orgId);
      return {
        zones: await Promise.all(
          zones.map(async (zone) => {
            const v = await zoneVerdict(zone, await ctx.repos.zones.members(caller.orgId, zone.id), ctx.verification);
            return { ...toZone(zone), members: v.members.length, restricted: v.restricted, claim: v.claim, outliers: v.outliers };
          }),
        ),
      };
    });

    app.get('/zones/:id', { schema: { summary: "A zone's verdict, its members' and the if-co-located one", tags: ['zones'], params: Params, response: { 200: ZoneDetail } } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'verdicts:read');
      const zone = await zoneOf(caller.orgId, request.params.id);
      return { ...toZone(zone), ...(await zoneVerdict(zone, await ctx.repos.zones.members(caller.orgId, zone.id), ctx.verification)) };
    });

    app.get('/zones/:id/regions', { schema: { summary: "Each member's feasible region, and the if-co-located one, for maps", tags: ['zones'], params: Params, response: { 200: ZoneRegions } } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'verdicts:read');
      const zone = await zoneOf(caller.orgId, request.params.id);
      const members = await ctx.repos.zones.members(caller.orgId, zone.id);
      const bounds = await Promise.all(members.map((m) => ctx.verification.bounds(m)));
      const measured = bounds.filter((b) => b.length > 0);
      return {
        members: members.map((m, i) => ({ nodeId: m.id, name: m.name, outline: ctx.verification.outline(bounds[i]!) })),
        ifColocated: measured.length === 0 ? null : ctx.verification.outline(measured.flat()),
      };
    });

    app.put(
      '/nodes/:id/zone',
      { schema: { summary: 'Put a node in a zone, or in none', tags: ['zones'], params: Params, body: z.strictObject({ zoneId: z.string().max(100).nullable() }), response: { 200: z.strictObject({ nodeId: z.string(), zoneId: z.string().nullable() }) } } },
      async (request) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'fleet:write');
        if (request.body.zoneId !== null) await zoneOf(caller.orgId, request.body.zoneId);
        if (!(await ctx.repos.zones.assign(caller.orgId, request.params.id, request.body.zoneId))) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no node "${request.params.id}"`);
        ctx.changes.publish(caller.orgId, 'nodes');
        return { nodeId: request.params.id, zoneId: request.body.zoneId };
      },
    );
  };

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LandmarkInfo, VerdictRecord } from '@locus/protocol';
import type { AppContext } from '../app.js';
import { hasPermission, requirePermission } from '../auth.js';
import { fleetMetrics } from '../fleet-metrics.js';
import { fleetSummary } from '../fleet.js';
import { fleetMap } from '../fleet-map.js';

const Counts = z.record(z.string(), z.number().int());
/** `GET /api/v1/fleet/summary`: enrolled nodes, their GPUs by model and by health (the worst latest state of each), node verdicts (restricted), zones. */
const FleetSummaryView = z.object({
  nodes: z.number().int(),
  gpus: z.object({ total: z.number().int(), byModel: Counts, health: Counts }),
  verdicts: Counts,
  agentVersions: Counts.describe('Enrolled nodes by the version of their agent ("(unknown)" for agents that do not say): how far a rolling upgrade has gone'),
  zones: z.number().int(),
});

const Restricted = VerdictRecord.shape.restricted;
/** `GET /api/v1/fleet/map` (fleetMap): strict, so that a member the map gains and this lacks fails the answer in tests rather than go missing. */
const FleetMapView = z.strictObject({
  zones: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      claimedCountry: z.string().nullable(),
      members: z.number().int(),
      /** Null for a zone without members. */
      restricted: Restricted.nullable(),
      claim: VerdictRecord.shape.claim,
      /** Members whose regions are empty (their measurements cannot all hold): nothing to draw. */
      emptyRegions: z.number().int(),
      regions: z
        .array(z.strictObject({ lat: z.number(), lon: z.number(), radiusKm: z.number().nullable(), restricted: Restricted, nodes: z.number().int() }))
        .readonly()
        .describe("Members whose stored regions share a place, size and verdict, as one circle: the smallest cap that holds each one's region (radiusKm null: the whole Earth)"),
    }),
  ).readonly(),
  verdicts: z.record(z.enum([...Restricted.options, 'none']), z.number().int()).describe("Every node's newest verdict, counted (none: never judged)"),
  landmarks: z.array(LandmarkInfo),
});

export const fleetRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/fleet/summary', { schema: { summary: 'Counts: nodes, GPUs by model, GPU health, node verdicts, zones', tags: ['fleet'], response: { 200: FleetSummaryView } } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:read');
      const summary = await fleetSummary(ctx.repos, caller.orgId);
      return { ...summary, zones: (await ctx.repos.zones.list(caller.orgId)).length };
    });

    app.get(
      '/fleet/metrics',
      {
        schema: {
          summary: "The org's fleet as Prometheus gauges, for its own scrape with a bearer token",
          description:
            'Text exposition format. Every role: each node\'s and zone\'s verdict (`locus_node_restricted`, `locus_node_claim`, `locus_zone_restricted`, `locus_zone_claim`: the state as a label, one series each), when and on how many measurements it was computed, and `_info` series with names. Roles that read the fleet (not auditors) also get GPUs by health per node, each node\'s last batch and the alerts firing. See docs/server.md.',
          tags: ['fleet', 'verdicts'],
        },
      },
      async (request, reply) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'verdicts:read');
        const registry = await fleetMetrics(ctx.repos, { orgId: caller.orgId, inventory: hasPermission(caller, 'fleet:read'), now: ctx.clock.now().getTime() });
        return reply.type(registry.contentType).send(await registry.metrics());
      },
    );

    app.get(
      '/fleet/map',
      { schema: { summary: "Everything the fleet map draws, in one answer: each zone's verdict and its members' regions from stored verdicts, the landmarks, and the verdict counts", tags: ['fleet', 'verdicts'], response: { 200: FleetMapView } } },
      async (request) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'verdicts:read');
        const [zones, nodes, verdicts, landmarks] = await Promise.all([ctx.repos.zones.list(caller.orgId), ctx.repos.nodes.list(caller.orgId), ctx.repos.verdicts.latestByOrg(caller.orgId), ctx.repos.landmarks.list()]);
        return { ...fleetMap(zones, nodes, verdicts), landmarks };
      },
    );
  };

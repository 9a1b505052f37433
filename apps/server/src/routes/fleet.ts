import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app.js';
import { requirePermission } from '../auth.js';
import { fleetSummary } from '../fleet.js';
import { fleetMap } from '../fleet-map.js';

export const fleetRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/fleet/summary', { schema: { summary: 'Counts: nodes, GPUs by model, GPU health, node verdicts, zones', tags: ['fleet'] } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:read');
      const summary = await fleetSummary(ctx.repos, caller.orgId);
      return { ...summary, zones: (await ctx.repos.zones.list(caller.orgId)).length };
    });

    app.get(
      '/fleet/map',
      { schema: { summary: "Everything the fleet map draws, in one answer: each zone's verdict and its members' regions from stored verdicts, the landmarks, and the verdict counts", tags: ['fleet', 'verdicts'] } },
      async (request) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'verdicts:read');
        const [zones, nodes, verdicts, landmarks] = await Promise.all([ctx.repos.zones.list(caller.orgId), ctx.repos.nodes.list(caller.orgId), ctx.repos.verdicts.latestByOrg(caller.orgId), ctx.repos.landmarks.list()]);
        return { ...fleetMap(zones, nodes, verdicts), landmarks };
      },
    );
  };

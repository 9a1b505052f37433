import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app.js';
import { requirePermission } from '../auth.js';
import { fleetRows, summarize } from '../fleet.js';

export const fleetRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/fleet/summary', { schema: { summary: 'Counts: nodes, GPUs by model, GPU health, node verdicts, zones', tags: ['fleet'] } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:read');
      const summary = summarize(await fleetRows(ctx.repos, caller.orgId));
      return { ...summary, zones: (await ctx.repos.zones.list(caller.orgId)).length };
    });
  };

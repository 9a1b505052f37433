import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app.js';
import { requirePermission } from '../auth.js';

const HEALTH_RANK: Record<string, number> = { healthy: 0, unknown: 1, degraded: 2, unhealthy: 3 };

export const fleetRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/fleet/summary', { schema: { summary: 'Counts: nodes, GPUs by model, GPU health, node verdicts, zones', tags: ['fleet'] } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:read');
      const nodes = (await ctx.repos.nodes.list(caller.orgId)).filter((n) => n.unenrolled_at === null);
      const gpusByModel: Record<string, number> = {};
      const gpuHealth: Record<string, number> = { healthy: 0, degraded: 0, unhealthy: 0, unknown: 0 };
      const verdicts: Record<string, number> = { excluded: 0, possible: 0, certain: 0, none: 0 };
      for (const node of nodes) {
        const gpus = await ctx.repos.telemetry.gpus(node.id);
        for (const g of gpus) gpusByModel[g.name] = (gpusByModel[g.name] ?? 0) + 1;
        // Each GPU's health is the worst of its components' latest reported states.
        const latest = new Map<string, string>();
        for (const e of await ctx.repos.telemetry.events(node.id, 0, 100_000)) {
          if (e.kind !== 'health') continue;
          const b = e.body as { component: string; gpu: string | null; health: string };
          latest.set(`${b.component}|${b.gpu ?? 'host'}`, b.health);
        }
        const worst = new Map<string, string>();
        for (const [key, health] of latest) {
          const gpu = key.split('|')[1]!;
          if (gpu === 'host') continue;
          if ((HEALTH_RANK[health] ?? 0) > (HEALTH_RANK[worst.get(gpu) ?? 'healthy'] ?? 0)) worst.set(gpu, health);
        }
        for (const g of gpus) gpuHealth[worst.get(g.uuid) ?? 'healthy']!++;
        const [last] = await ctx.repos.verdicts.history(node.id, 1);
        verdicts[last?.record.restricted ?? 'none']!++;
      }
      const zones = await ctx.repos.zones.list(caller.orgId);
      return {
        nodes: nodes.length,
        gpus: { total: Object.values(gpusByModel).reduce((a, b) => a + b, 0), byModel: gpusByModel, health: gpuHealth },
        verdicts,
        zones: zones.length,
      };
    });
  };

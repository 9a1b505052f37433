import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { GPU_METRICS, RESOLUTIONS, type Grouping, type RangeSeries } from '@locus/storage';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { requirePermission } from '../auth.js';
import { ApiError } from '../errors.js';
import { telemetryWindow } from '../telemetry-window.js';

const Params = z.object({ id: z.string().min(1).max(100) });
const RangeQuery = z.object({
  metric: z.enum(GPU_METRICS).default('temperatureC'),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  /** Seconds per point. */
  step: z.coerce.number().int().min(1).max(31 * 86_400).optional(),
  gpu: z.string().min(1).max(100).optional(),
  resolution: z.enum(RESOLUTIONS).optional(),
});
const Telemetry = z.object({
  metric: z.enum(GPU_METRICS),
  resolution: z.enum(RESOLUTIONS),
  from: z.string(),
  to: z.string(),
  stepS: z.number(),
  series: z.array(
    z.object({
      nodeId: z.string().nullable(),
      gpu: z.string().nullable(),
      points: z.array(z.object({ at: z.string(), min: z.number(), avg: z.number(), max: z.number(), count: z.number().int() })),
    }),
  ),
});
const DESCRIPTION =
  'Each point covers `step` seconds from a multiple of `step` since the epoch, with the min, mean and max of the readings in it and their count. ' +
  'Ranges up to the server\'s raw limit (6 hours by default) within raw retention are read from raw samples (`resolution: raw`), longer ones from 5-minute rollups (`5m`; the step is then whole 5 minutes); `resolution` forces one. ' +
  'Without `from`, the last hour before `to` (default now).';

const BY_NODE = { gpu: 'gpu', node: 'node' } as const satisfies Record<string, Grouping>;
const BY_ZONE = { gpu: 'gpu', node: 'node', zone: 'all' } as const satisfies Record<string, Grouping>;

/** A telemetry route's schema; `by` lists its groupings, the first being the default. */
const schemaOf = <const By extends readonly [string, ...string[]]>(tag: string, summary: string, description: string, by: By) => ({
  summary,
  description,
  tags: [tag],
  params: Params,
  querystring: RangeQuery.extend({ by: z.enum(by).default(by[0]) }),
  response: { 200: Telemetry },
});

/** GPU telemetry over time per node and per zone, from raw samples or rollups. */
export const telemetryRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const answer = async (nodeIds: readonly string[], query: z.infer<typeof RangeQuery>, groupBy: Grouping): Promise<z.infer<typeof Telemetry>> => {
      const window = telemetryWindow(
        { from: query.from === undefined ? undefined : Date.parse(query.from), to: query.to === undefined ? undefined : Date.parse(query.to), stepS: query.step, resolution: query.resolution },
        ctx.clock.now().getTime(),
        ctx.config,
      );
      if (typeof window === 'string') throw new ApiError('LOCUS_ERR_VALIDATION', `querystring ${window}`);
      const series = await ctx.repos.samples.range({ nodeIds, gpuUuid: query.gpu, metric: query.metric, groupBy, ...window });
      return {
        metric: query.metric,
        resolution: window.resolution,
        from: new Date(window.from).toISOString(),
        to: new Date(window.to).toISOString(),
        stepS: window.stepMs / 1000,
        series: series.map(view),
      };
    };

    app.get(
      '/nodes/:id/telemetry',
      { schema: schemaOf('nodes', "One metric of a node's GPUs over time: a series per GPU (`by=gpu`) or for the node (`by=node`)", DESCRIPTION, ['gpu', 'node']) },
      async (request) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'fleet:read');
        const node = await ctx.repos.nodes.get(caller.orgId, request.params.id);
        if (!node) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no node "${request.params.id}"`);
        return answer([node.id], request.query, BY_NODE[request.query.by]);
      },
    );

    app.get(
      '/zones/:id/telemetry',
      {
        schema: schemaOf(
          'zones',
          "One metric of a zone's member nodes over time: a series per node (`by=node`), per GPU (`by=gpu`) or for the zone (`by=zone`)",
          `${DESCRIPTION} Members are the zone's enrolled nodes now.`,
          ['node', 'gpu', 'zone'],
        ),
      },
      async (request) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'fleet:read');
        const zone = await ctx.repos.zones.get(caller.orgId, request.params.id);
        if (!zone) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no zone "${request.params.id}"`);
        const members = await ctx.repos.zones.members(caller.orgId, zone.id);
        return answer(
          members.map((m) => m.id),
          request.query,
          BY_ZONE[request.query.by],
        );
      },
    );
  };

const view = (s: RangeSeries) => ({
  nodeId: s.nodeId,
  gpu: s.gpuUuid,
  points: s.points.map((p) => ({ at: new Date(p.at).toISOString(), min: p.min, avg: p.avg, max: p.max, count: p.count })),
});

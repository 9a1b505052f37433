import { randomUUID } from 'node:crypto';
import { maxDistanceKm } from '@locus/geo';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CountryCode, GpuMetricsWire, KnownCountry, Name, ProofBundle, PublicKey, VerdictRecord } from '@locus/protocol';
import { refusalOf, type NodeRecord } from '@locus/storage';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { measurementsKeptSince, type ServerConfig } from '../config.js';
import { requirePermission } from '../auth.js';
import { isoTime } from '../clock.js';
import { ApiError } from '../errors.js';
import { RefusalFields, refusalFields } from './refusal.js';
import { RegionFeature } from './region.js';
import { LISTED_CLAIMS, LISTED_VERDICTS, NODE_HEALTH, NODE_SORTS, UNENROLLED_FILTERS, listNodes } from '../node-list.js';

const NodeBody = z.strictObject({
  name: Name,
  hostKey: PublicKey,
  claimedCountry: KnownCountry.nullable().optional(),
});

const Node = z.object({
  id: z.string(),
  name: z.string(),
  hostKey: z.string(),
  claimedCountry: CountryCode.nullable(),
  zoneId: z.string().nullable(),
  createdAt: z.string(),
  lastMeasuredAt: z.string().nullable(),
  /** When its agent left (unenrolled); null while enrolled. Its history stays. */
  unenrolledAt: z.string().nullable(),
  /** The version of its Locus agent, as its latest inventory says; null before an agent that says it. */
  agentVersion: z.string().nullable(),
});

const NodeDetail = Node.extend({
  /** When the server last stored a batch of its agent's; null before the first. */
  lastReportAt: z.string().nullable(),
  /** The newest refusal of a batch its agent signed (the agent drops such a batch and goes on), and whether it came after the last stored batch. */
  ...RefusalFields,
});

const NodeVerdict = z.object({
  nodeId: z.string(),
  computedAt: z.string(),
  measurements: z.number().int(),
  verdict: VerdictRecord,
  notes: z.array(z.object({ kind: z.string(), message: z.string(), evidence: z.unknown() })).readonly(),
});

const toNode = (n: NodeRecord): z.infer<typeof Node> => ({
  id: n.id,
  name: n.name,
  hostKey: n.host_key,
  claimedCountry: n.claimed_country,
  zoneId: n.zone_id,
  createdAt: new Date(n.created_at).toISOString(),
  lastMeasuredAt: n.last_measured_at === null ? null : new Date(n.last_measured_at).toISOString(),
  unenrolledAt: n.unenrolled_at === null ? null : new Date(n.unenrolled_at).toISOString(),
  agentVersion: n.agent_version,
});

const Params = z.object({ id: z.string().min(1).max(100) });

const Inventory = z.strictObject({
  inventory: z.record(z.string(), z.unknown()).nullable().describe("The host inventory as the agent last sent it (hostname, os, kernel, cpu, memoryBytes, nics, driverVersion, cudaVersion, gpus); null before its first"),
  updatedAt: z.string().nullable(),
  /** The agent's public address as this server sees it (not what the host says of itself). */
  address: z.strictObject({ ip: z.string(), since: z.string() }).nullable(),
  gpus: z.array(
    z.strictObject({
      uuid: z.string(),
      serial: z.string().nullable(),
      name: z.string(),
      pciBusId: z.string(),
      firstSeenAt: z.string().describe('When an inventory first listed it'),
      lastSeenAt: z.string().describe('When an inventory last listed it: an agent sends its inventory when it changes, so this is not when the GPU last reported (lastSampleAt)'),
      lastSampleAt: z.string().nullable().describe('When its newest raw sample was taken; null if the server keeps none (raw retention)'),
      /** Not in the latest inventory: the gpu-missing alert's subject. */
      missing: z.boolean(),
      missingSince: z.string().nullable().describe('When the first inventory that lacks it came; null while listed'),
    }),
  ),
});

const Samples = z.strictObject({
  samples: z.array(z.strictObject({ gpu: z.string(), at: z.string(), metrics: GpuMetricsWire.omit({ uuid: true }).describe("The GPU's readings as its agent sent them; null where it does not report") })),
});

const Events = z.strictObject({
  events: z.array(z.strictObject({ id: z.string(), kind: z.string(), at: z.string(), body: z.unknown().describe("The event as its agent sent it (an Xid, a health change, an inventory), or the server noted it (a duplicate GPU: {gpu, serial, otherNode, otherName}, or {gpu, serial, otherNode: null, otherOrganization: true} when the other node is another organization's)") })),
});

const Region = z.strictObject({
  outline: RegionFeature,
  landmarks: z.array(
    z.strictObject({
      /** The registered landmark at the bound's place (only registered landmarks' measurements count). */
      id: z.string(),
      name: z.string().nullable(),
      lat: z.number(),
      lon: z.number(),
      /** The RTT of the measurement the bound grew from, and when the landmark took it. */
      minRttMs: z.number(),
      measuredAt: z.iso.datetime(),
      /** How far from the landmark the host can be now, km: the RTT's distance grown by the way the host could have travelled since. */
      boundKm: z.number(),
    }),
  ),
});

const ProofQuery = z.object({ at: z.iso.datetime({ offset: true }).optional() });

/**
 * A past time to prove at: not in the future, and late enough that its whole window is still
 * kept (measurements older than the retention are deleted, and a proof without them would be
 * looser than the verdict of then).
 */
function proofTime(at: string, now: number, config: ServerConfig): Date {
  const t = Date.parse(at);
  if (t > now) throw new ApiError('LOCUS_ERR_VALIDATION', `querystring at: ${at} is in the future`);
  const earliest = measurementsKeptSince(config, now) + config.measurementMaxAgeMs;
  if (t < earliest) {
    throw new ApiError(
      'LOCUS_ERR_VALIDATION',
      `querystring at: ${at} is too early; measurements are kept ${+(config.measurementRetentionMs / 86_400_000).toFixed(2)} days (--measurement-retention-days) and a proof needs the ${config.measurementMaxAgeMs / 3_600_000} h before its time, so the earliest is ${new Date(earliest).toISOString()}`,
    );
  }
  return new Date(t);
}

const ListQuery = z.object({
  q: z.string().max(200).optional(),
  zone: z.string().max(100).optional(),
  // A code no country has (UK for GB) would match nothing and list an empty fleet.
  country: z.union([KnownCountry, z.literal('none')]).optional(),
  verdict: z.enum(LISTED_VERDICTS).optional(),
  claim: z.enum(LISTED_CLAIMS).optional(),
  health: z.enum(NODE_HEALTH).optional(),
  /** Nodes whose agent says this version, or `none` for agents that do not say. */
  agentVersion: z.string().min(1).max(64).optional(),
  unenrolled: z.enum(UNENROLLED_FILTERS).default('exclude'),
  sort: z.enum(NODE_SORTS).default('name'),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

/** A page of verdict history: `before` is the `next` of the page before (a verdict's time and id). */
const HISTORY_CURSOR = /^(\d{1,15})_([A-Za-z0-9-]{1,64})$/;
const HistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.string().regex(HISTORY_CURSOR, 'must be the next of an earlier page').optional(),
});
const historyCursor = (text: string): { computedAt: number; id: string } => {
  const [, at, id] = HISTORY_CURSOR.exec(text)!;
  return { computedAt: Number(at), id: id! };
};

const ListedNodeSchema = Node.extend({
  zoneName: z.string().nullable(),
  gpus: z.number().int(),
  health: z.enum(NODE_HEALTH),
  /** When its agent's last batch was stored; null before the first. */
  lastReportAt: z.string().nullable(),
  verdict: z.object({ restricted: VerdictRecord.shape.restricted, claim: VerdictRecord.shape.claim, countryEstimate: CountryCode.nullable(), computedAt: z.string() }).nullable(),
});

export const nodeRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const nodeOf = async (orgId: string, id: string): Promise<NodeRecord> => {
      const node = await ctx.repos.nodes.get(orgId, id);
      if (!node) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no node "${id}"`);
      return node;
    };

    app.post('/nodes', { schema: { summary: 'Register a node by its host key', tags: ['nodes'], body: NodeBody, response: { 201: Node } } }, async (request, reply) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:write');
      const node: NodeRecord = {
        id: randomUUID(),
        org_id: caller.orgId,
        name: request.body.name,
        host_key: request.body.hostKey,
        claimed_country: request.body.claimedCountry ?? null,
        created_at: ctx.clock.now().getTime(),
        last_measured_at: null,
        unenrolled_at: null,
        zone_id: null,
        last_refusal_at: null,
        last_refusal_code: null,
        last_refusal_message: null,
        agent_version: null,
      };
      if (!(await ctx.repos.nodes.create(node))) throw new ApiError('LOCUS_ERR_CONFLICT', 'a node with this host key is already enrolled');
      ctx.changes.publish(caller.orgId, 'nodes');
      return reply.code(201).send(toNode(node));
    });

    app.get(
      '/nodes',
      {
        schema: {
          summary: "Your organization's nodes, filtered, sorted and paged, each with its GPU count, health and newest stored verdict",
          tags: ['nodes'],
          querystring: ListQuery,
          response: { 200: z.object({ nodes: z.array(ListedNodeSchema), total: z.number().int(), offset: z.number().int(), limit: z.number().int() }) },
        },
      },
      async (request) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'fleet:read');
        const zoneNames = new Map((await ctx.repos.zones.list(caller.orgId)).map((z) => [z.id, z.name]));
        const zoneName = (id: string | null) => (id === null ? '' : (zoneNames.get(id) ?? ''));
        // A mistyped zone id, or another organization's, would match no node and list an empty fleet.
        const { zone } = request.query;
        if (zone !== undefined && zone !== 'none' && !zoneNames.has(zone)) {
          throw new ApiError('LOCUS_ERR_VALIDATION', `querystring zone: no zone "${zone}" in this organization (or "none", for nodes in no zone)`);
        }
        const { total, page } = await listNodes(ctx.repos, caller.orgId, request.query, zoneName);
        return {
          total,
          offset: request.query.offset,
          limit: request.query.limit,
          nodes: page.map((r) => ({
            ...toNode(r.node),
            zoneName: r.node.zone_id === null ? null : zoneName(r.node.zone_id),
            gpus: r.gpus,
            health: r.health,
            lastReportAt: r.lastReportAt === null ? null : new Date(r.lastReportAt).toISOString(),
            verdict: r.verdict ? { restricted: r.verdict.record.restricted, claim: r.verdict.record.claim, countryEstimate: r.verdict.record.countryEstimate, computedAt: new Date(r.verdict.computedAt).toISOString() } : null,
          })),
        };
      },
    );

    app.get('/nodes/:id', { schema: { summary: 'One node, with when its agent last reported and its newest refused batch', tags: ['nodes'], params: Params, response: { 200: NodeDetail } } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:read');
      const node = await nodeOf(caller.orgId, request.params.id);
      const lastReportAt = await ctx.repos.telemetry.lastIngest(node.id);
      return { ...toNode(node), lastReportAt: lastReportAt === null ? null : new Date(lastReportAt).toISOString(), ...refusalFields(refusalOf(node), lastReportAt) };
    });

    const Window = z.object({ since: z.iso.datetime().optional(), limit: z.coerce.number().int().min(1).max(10_000).default(1000) });

    app.get('/nodes/:id/inventory', { schema: { summary: "A node's host inventory and the GPUs it has reported", tags: ['nodes'], params: Params, response: { 200: Inventory } } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:read');
      const node = await nodeOf(caller.orgId, request.params.id);
      const inventory = await ctx.repos.telemetry.inventory(node.id);
      const gpus = await ctx.repos.telemetry.gpus(node.id);
      const address = await ctx.repos.telemetry.address(node.id);
      const sampled = await ctx.repos.samples.lastSampled(
        node.id,
        gpus.map((g) => g.uuid),
        ctx.clock.now().getTime() - ctx.config.rawRetentionMs,
      );
      return {
        inventory: (inventory?.inventory ?? null) as Record<string, unknown> | null,
        updatedAt: inventory ? new Date(inventory.updatedAt).toISOString() : null,
        // The agent's public address as this server sees it (not what the host says of itself).
        address: address ? { ip: address.address, since: new Date(address.since).toISOString() } : null,
        gpus: gpus.map((g) => {
          // Not in the latest inventory: the gpu-missing alert's subject.
          const missing = inventory !== undefined && g.last_seen_at < inventory.updatedAt;
          return {
            uuid: g.uuid,
            serial: g.serial,
            name: g.name,
            pciBusId: g.pci_bus_id,
            firstSeenAt: new Date(g.first_seen_at).toISOString(),
            lastSeenAt: new Date(g.last_seen_at).toISOString(),
            lastSampleAt: isoTime(sampled.get(g.uuid)),
            missing,
            missingSince: missing ? isoTime(g.missing_since ?? inventory.updatedAt) : null,
          };
        }),
      };
    });

    app.delete(
      '/nodes/:id/gpus/:uuid',
      {
        schema: {
          summary: 'Forget a GPU that the node no longer reports (taken out for good), ending its gpu-missing alert',
          description: 'A GPU in the node\'s latest inventory cannot be forgotten (409). If it comes back, it is seen again like a new GPU.',
          tags: ['nodes'],
          params: Params.extend({ uuid: z.string().min(1).max(100) }),
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'fleet:write');
        const node = await nodeOf(caller.orgId, request.params.id);
        if (!(await ctx.repos.telemetry.forgetMissingGpu(node.id, request.params.uuid))) {
          const known = (await ctx.repos.telemetry.gpus(node.id)).some((g) => g.uuid === request.params.uuid);
          if (!known) throw new ApiError('LOCUS_ERR_NOT_FOUND', `node "${node.id}" never reported GPU "${request.params.uuid}"`);
          throw new ApiError('LOCUS_ERR_CONFLICT', `GPU "${request.params.uuid}" is in the node's latest inventory; only a GPU the node no longer reports can be forgotten`);
        }
        await ctx.alerting.evaluateNode(node);
        ctx.changes.publish(caller.orgId, 'nodes');
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/nodes/:id/samples',
      { schema: { summary: "A node's GPU samples, oldest first", tags: ['nodes'], params: Params, querystring: Window.extend({ gpu: z.string().max(100).optional() }), response: { 200: Samples } } },
      async (request) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'fleet:read');
        const node = await nodeOf(caller.orgId, request.params.id);
        const { since, limit, gpu } = request.query;
        const rows = await ctx.repos.samples.samples(node.id, gpu, since ? Date.parse(since) : 0, limit);
        return { samples: rows.map((r) => ({ gpu: r.gpuUuid, at: new Date(r.at).toISOString(), metrics: r.readings })) };
      },
    );

    app.get('/nodes/:id/events', { schema: { summary: "A node's events (Xid, health changes, inventory, duplicates), oldest first", tags: ['nodes'], params: Params, querystring: Window, response: { 200: Events } } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:read');
      const node = await nodeOf(caller.orgId, request.params.id);
      const rows = await ctx.repos.telemetry.events(node.id, request.query.since ? Date.parse(request.query.since) : 0, request.query.limit);
      // A duplicate GPU's other node is named when it is the caller's org's; another org's is said to be one, its id kept from the caller.
      const others = rows.flatMap((r) => (r.kind === 'duplicate-gpu' ? [String((r.body as { otherNode?: unknown }).otherNode)] : []));
      const names = others.length === 0 ? new Map<string, string>() : await ctx.repos.nodes.namesOf(caller.orgId, [...new Set(others)]);
      const shown = (r: (typeof rows)[number]) => {
        if (r.kind !== 'duplicate-gpu') return r.body;
        const { otherNode, ...rest } = r.body as { otherNode?: unknown };
        const name = names.get(String(otherNode));
        return name === undefined ? { ...rest, otherNode: null, otherOrganization: true } : { ...rest, otherNode, otherName: name };
      };
      return { events: rows.map((r) => ({ id: r.id, kind: r.kind, at: new Date(r.at).toISOString(), body: shown(r) })) };
    });

    app.get('/nodes/:id/region', { schema: { summary: "A node's feasible region for maps, and the landmark bounds that shape it", tags: ['verdicts'], params: Params, response: { 200: Region } } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'verdicts:read');
      const node = await nodeOf(caller.orgId, request.params.id);
      const bounds = await ctx.verification.landmarkBounds(node);
      return {
        outline: ctx.verification.outline(bounds.map((b) => b.bound)),
        landmarks: bounds.map(({ landmark: l, measured, bound }) => ({
          id: l.id,
          name: l.name,
          lat: bound.lat,
          lon: bound.lon,
          minRttMs: measured.rtt,
          measuredAt: new Date(measured.at).toISOString(),
          boundKm: Math.round(maxDistanceKm(bound.rtt, 'vacuum') * 10) / 10,
        })),
      };
    });

    app.get(
      '/nodes/:id/verdict',
      { schema: { summary: "A node's location verdict from its current measurements", tags: ['verdicts'], params: Params, response: { 200: NodeVerdict } } },
      async (request) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'verdicts:read');
        return ctx.verification.verdict(await nodeOf(caller.orgId, request.params.id));
      },
    );

    app.get(
      '/nodes/:id/verdicts',
      {
        schema: {
          summary: "A node's verdict history, newest first, a page at a time",
          tags: ['verdicts'],
          params: Params,
          querystring: HistoryQuery,
          response: { 200: z.object({ verdicts: z.array(NodeVerdict), next: z.string().nullable() }) },
        },
      },
      async (request) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'verdicts:read');
        const node = await nodeOf(caller.orgId, request.params.id);
        const { limit, before } = request.query;
        const history = await ctx.repos.verdicts.history(node.id, limit, before === undefined ? undefined : historyCursor(before));
        const last = history.length === limit ? history[history.length - 1] : undefined;
        return {
          verdicts: history.map((v) => ({ nodeId: v.nodeId, computedAt: new Date(v.computedAt).toISOString(), measurements: v.measurements, verdict: v.record, notes: v.notes })),
          next: last === undefined ? null : `${last.computedAt}_${last.id}`,
        };
      },
    );

    app.get(
      '/nodes/:id/proof',
      {
        schema: {
          summary: "A self-contained proof bundle of the node's verdict, now or at a past time, checkable with `locus proof verify`",
          description:
            "`at`: the proof of the verdict at that time, from the measurements the server held then (at the `computedAt` of a stored verdict, or of a verdict a list or report showed, it gives that verdict's record); no earlier than the measurement retention allows.",
          tags: ['verdicts'],
          params: Params,
          querystring: ProofQuery,
          // The schema `locus proof verify` reads a bundle with: no bundle leaves that it would refuse.
          response: { 200: ProofBundle },
        },
      },
      async (request, reply) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'verdicts:read');
        const at = request.query.at === undefined ? undefined : proofTime(request.query.at, ctx.clock.now().getTime(), ctx.config);
        const proof = await ctx.verification.proof(await nodeOf(caller.orgId, request.params.id), at);
        if (proof.measurements.length === 0) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no measurements of this node in the window ${at ? `before ${at.toISOString()}` : 'yet'}: nothing to prove`);
        return reply.header('content-disposition', `attachment; filename="locus-proof-${request.params.id}${at ? `-${at.getTime()}` : ''}.json"`).send(proof);
      },
    );
  };

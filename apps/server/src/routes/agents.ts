import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { EnrollRequest, EnrollResponse, IngestBatch, IngestResponse, PublicKey, UnenrollRequest, unknownCountry, verifyBody, verifyBodyAsync } from '@locus/protocol';
import { EnrollmentTokenRepo, NodeRepo, TelemetryRepo, ZoneRepo, type NodeRecord, type Storage } from '@locus/storage';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { hashToken, newToken, requirePermission } from '../auth.js';
import { ApiError, refuseForeignVersion, validationMessage, versionRefusal } from '../errors.js';
import { parseBatch } from '../ingest/decode.js';
import type { BatchDecoder } from '../ingest/decoder.js';
import { BatchWriter } from '../ingest/writer.js';
import { limitInFlight } from '../in-flight.js';
import { applyInventory } from '../inventory.js';

/** How far an agent's clock may be from the server's when it signs a request. */
const CLOCK_SKEW_MS = 10 * 60_000;
export const SAMPLING_INTERVAL_S = 10;
/** Nodes whose address, and whose record, an ingest route remembers (each map emptied past it). */
const REMEMBERED_NODES = 100_000;

/** Keeps a node's entry in one of the route's maps, emptied when it holds REMEMBERED_NODES. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= REMEMBERED_NODES) map.clear();
  map.set(key, value);
}

const notEnrolled = () => new ApiError('LOCUS_ERR_UNAUTHENTICATED', 'no enrolled node has this host key; enroll the agent first');

const TokenBody = z.strictObject({
  expiresInS: z.number().int().min(60).max(30 * 86_400).default(86_400),
  uses: z.number().int().min(1).max(100_000).default(1),
  /** Nodes enrolled with the token join this zone of the org. */
  zoneId: z.string().max(100).optional(),
});
const TokenCreated = z.object({ id: z.string(), token: z.string(), expiresAt: z.string(), uses: z.number().int() });

function checkClock(at: string, now: Date, what: string): void {
  if (Math.abs(Date.parse(at) - now.getTime()) > CLOCK_SKEW_MS) {
    throw new ApiError('LOCUS_ERR_UNAUTHENTICATED', `${what} is dated ${at}, more than ${CLOCK_SKEW_MS / 60_000} minutes from the server's clock; fix the host's clock (NTP)`);
  }
}

export const agentRoutes =
  (ctx: AppContext, storage: Storage, decoder: BatchDecoder): FastifyPluginAsyncZod =>
  async (app) => {
    // The address each node last came from, as this process last recorded it: a batch writes only
    // when its node's address changed (or this process has not seen the node yet).
    const addresses = new Map<string, string>();
    const noteAddress = async (nodeId: string, address: string, at: number) => {
      if (addresses.get(nodeId) === address) return;
      await ctx.repos.telemetry.setAddress(nodeId, address, at);
      remember(addresses, nodeId, address);
    };
    // Enrolled nodes by host key, as this process last read them, so that a batch costs no query
    // for its node. A host key names one node for ever (a unique key: it cannot enroll again), and
    // the batch's claim checks that the node is still enrolled: one unenrolled since (here or on
    // another server) is refused there, and forgotten here.
    const enrolled = new Map<string, NodeRecord>();
    const enrolledNode = async (hostKey: string): Promise<NodeRecord> => {
      let node = enrolled.get(hostKey);
      if (!node) {
        node = await ctx.repos.nodes.byHostKey(hostKey);
        if (!node || node.unenrolled_at !== null) throw notEnrolled();
        remember(enrolled, hostKey, node);
      }
      return node;
    };

    // After a restart every agent's next batch is its first to this process: remembered from the
    // start (as many as the maps hold), the enrolled nodes, their addresses and their GPUs' series
    // cost those batches no queries of their own (three each, or more, had made a server's first
    // 30 s on PostgreSQL its slowest).
    const warmed = performance.now();
    for (const node of await ctx.repos.nodes.enrolled(REMEMBERED_NODES)) enrolled.set(node.host_key, node);
    for (const a of await ctx.repos.telemetry.addresses(REMEMBERED_NODES)) addresses.set(a.node_id, a.address);
    const series = await ctx.repos.samples.remember();
    app.log.info({ nodes: enrolled.size, series, ms: Math.round(performance.now() - warmed) }, 'ingest: enrolled nodes, their addresses and series read');

    // The refusal each silent node's alert was last evaluated with, until it delivers again.
    const refusalsTold = new Map<string, string>();
    // A batch its node's own agent signed that this server cannot take is kept on its node as
    // refused, so that its silence says why: one of a protocol version the server does not read
    // (an agent newer than the server), which the agent holds and sends again, or one the agent
    // drops and goes on. A forgery, or a key no enrolled node has, records nothing.
    const invalidBatch = async (bytes: Buffer | undefined): Promise<ApiError> => {
      const whole = wholeBatch(bytes);
      const error = versionRefusal(whole) ?? invalid(IngestBatch.safeParse(whole));
      const signer = signerOf(whole);
      const node = signer && (enrolled.get(signer.hostKey) ?? (await ctx.repos.nodes.byHostKey(signer.hostKey)));
      if (signer && node && node.unenrolled_at === null && (await signedBy(signer))) {
        await ctx.repos.nodes.markRefused(node.id, { at: ctx.clock.now().getTime(), code: error.code, message: error.message });
        // A node already silent says why at once, not at the next sweep: evaluated once for each
        // reason (an agent that drops refused batches sends the rest of its queue right after).
        const reason = `${error.code} ${error.message}`;
        if (ctx.alerting.wasSilent(node) && refusalsTold.get(node.id) !== reason) {
          remember(refusalsTold, node.id, reason);
          await evaluate(signer.hostKey);
        }
      }
      return error;
    };

    const evaluate = async (hostKey: string): Promise<NodeRecord | undefined> => {
      const node = await ctx.repos.nodes.byHostKey(hostKey);
      if (node) await ctx.alerting.evaluateNode(node);
      return node;
    };

    app.post(
      '/enrollment-tokens',
      { schema: { summary: 'Make a token that lets agents join your organization', tags: ['agents'], body: TokenBody, response: { 201: TokenCreated } } },
      async (request, reply) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'fleet:write');
        const token = newToken();
        const now = ctx.clock.now().getTime();
        const expiresAt = now + request.body.expiresInS * 1000;
        const id = randomUUID();
        const zoneId = request.body.zoneId ?? null;
        if (zoneId !== null && !(await new ZoneRepo(storage.db).get(caller.orgId, zoneId))) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no zone "${zoneId}"`);
        await new EnrollmentTokenRepo(storage.db).create({ id, org_id: caller.orgId, hash: hashToken(token), uses_left: request.body.uses, expires_at: expiresAt, created_at: now, zone_id: zoneId });
        return reply.code(201).send({ id, token, expiresAt: new Date(expiresAt).toISOString(), uses: request.body.uses });
      },
    );

    app.post(
      '/agents/enroll',
      { preValidation: refuseForeignVersion(), schema: { summary: 'An agent joins with an enrollment token, proving its host key', tags: ['agents'], security: [], body: EnrollRequest, response: { 201: EnrollResponse } } },
      async (request, reply) => {
        const body = request.body;
        const now = ctx.clock.now();
        if (!verifyBody('enroll', body, body.hostKey)) throw new ApiError('LOCUS_ERR_UNAUTHENTICATED', 'the request is not signed by the host key it names');
        checkClock(body.at, now, 'the enrollment');
        const badCountry = unknownCountry('claimedCountry', body.claimedCountry);
        if (badCountry) throw new ApiError('LOCUS_ERR_VALIDATION', badCountry);
        const response = await storage.db.transaction().execute(async (trx) => {
          const spent = await new EnrollmentTokenRepo(trx).consume(hashToken(body.token), now.getTime());
          if (!spent) throw new ApiError('LOCUS_ERR_UNAUTHENTICATED', 'the enrollment token is unknown, expired or used up; ask for a new one');
          const nodeId = randomUUID();
          const { orgId, zoneId } = spent;
          const created = await new NodeRepo(trx).create({ id: nodeId, org_id: orgId, name: body.name, host_key: body.hostKey, claimed_country: body.claimedCountry, created_at: now.getTime(), last_measured_at: null, unenrolled_at: null, zone_id: zoneId });
          if (!created) throw new ApiError('LOCUS_ERR_CONFLICT', 'this host key is already enrolled; unenroll it first, or enroll with a new key');
          const telemetry = new TelemetryRepo(trx);
          await applyInventory(telemetry, nodeId, body.inventory, now.getTime());
          await telemetry.setAddress(nodeId, request.ip, now.getTime());
          return { nodeId, orgId, samplingIntervalS: SAMPLING_INTERVAL_S };
        });
        ctx.changes.publish(response.orgId, 'nodes');
        const node = await evaluate(body.hostKey);
        if (node && node.unenrolled_at === null) {
          // Its first batch, if it comes here, finds its node, its address and its GPUs' series
          // (made now, from the inventory) without a query.
          remember(enrolled, node.host_key, node);
          remember(addresses, node.id, request.ip);
          // The node is enrolled whatever happens here: should this fail, its first batch makes them.
          await ctx.repos.samples.seriesFor(node.id, body.inventory.gpus.map((g) => g.uuid)).catch((error: unknown) => request.log.warn(error));
        }
        return reply.code(201).send(response);
      },
    );

    app.post(
      '/agents/unenroll',
      { preValidation: refuseForeignVersion(), schema: { summary: 'An agent leaves; its history stays', tags: ['agents'], security: [], body: UnenrollRequest, response: { 200: z.object({ unenrolled: z.literal(true) }) } } },
      async (request) => {
        const body = request.body;
        if (!verifyBody('unenroll', body, body.hostKey)) throw new ApiError('LOCUS_ERR_UNAUTHENTICATED', 'the request is not signed by the host key it names');
        checkClock(body.at, ctx.clock.now(), 'the request');
        enrolled.delete(body.hostKey);
        if (!(await ctx.repos.nodes.unenroll(body.hostKey, ctx.clock.now().getTime()))) throw new ApiError('LOCUS_ERR_NOT_FOUND', 'no enrolled node has this host key');
        // A node that left is judged no more: its alerts resolve now rather than at the next full sweep.
        const node = await evaluate(body.hostKey);
        if (node) ctx.changes.publish(node.org_id, 'nodes');
        return { unenrolled: true as const };
      },
    );

    const writer = new BatchWriter(storage, ctx.repos.samples, (path, batches, seconds) => {
      ctx.metrics.ingestTransactionSeconds.observe({ path }, seconds);
      ctx.metrics.ingestTransactionBatches.observe(batches);
    });
    // Not needed to work: a server that cannot ready them (PostgreSQL short of connections) starts all the same.
    const prepared = performance.now();
    try {
      const connections = await writer.prepare();
      if (connections > 0) app.log.info({ connections, ms: Math.round(performance.now() - prepared) }, 'ingest: database connections readied');
    } catch (error) {
      app.log.warn(`ingest: could not ready the database's connections (${(error as Error).message}); their first batches will be slower`);
    }
    // The ingest route takes its body as bytes: the decoder (worker threads when the server has
    // them) parses, checks and verifies it; its own scope keeps that to it.
    await app.register(async (scoped) => {
      scoped.removeContentTypeParser('application/json');
      scoped.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      // Refused: any answer of 4xx but 429 (overloaded, counted as it is sent, before the body is read).
      scoped.addHook('onResponse', async (_request, reply) => {
        if (reply.statusCode >= 400 && reply.statusCode < 500 && reply.statusCode !== 429) ctx.metrics.ingestBatches.inc({ result: 'refused' });
      });
      scoped.withTypeProvider<ZodTypeProvider>().post(
        '/ingest',
        {
          // The body is checked in the handler, from its decoded form (see invalidBatch).
          validatorCompiler: () => (data: unknown) => ({ value: data }),
          // The answer is the writer's IngestResponse (typed; its schema documents it): sent as is.
          serializerCompiler: () => (data: unknown) => JSON.stringify(data),
          // Past this many batches at once, agents are told to come back later, before their body is read.
          onRequest: limitInFlight({
            max: ctx.config.ingestMaxInFlight,
            busy: (held) => `storing ${held} batches`,
            onCount: (held) => ctx.metrics.ingestInFlight.set(held),
            onRefused: () => ctx.metrics.ingestBatches.inc({ result: 'overloaded' }),
          }),
          schema: {
            summary: "Deliver a batch from an agent's outbox",
            description: "Signed by the agent's host key. A batch id already received is acknowledged as a duplicate and not stored again; a batch is stored whole or not at all.",
            tags: ['agents'],
            security: [],
            body: IngestBatch,
            response: { 200: IngestResponse },
          },
        },
        async (request) => {
          // A request without a body reaches no content parser: Fastify leaves the body null.
          const body: unknown = request.body;
          if (!Buffer.isBuffer(body)) throw new ApiError('LOCUS_ERR_MALFORMED_JSON', 'the body is not valid JSON: there is none');
          // The decoder takes the body over (it may move to a worker thread): read its answer's bytes.
          const { decoded, bytes } = await decoder.decode(body);
          if (decoded.kind === 'malformed') throw new ApiError('LOCUS_ERR_MALFORMED_JSON', `the body is not valid JSON: ${decoded.message}`);
          if (decoded.kind === 'invalid') throw await invalidBatch(bytes);
          const { batch, columns, instants, signed } = decoded;
          const node = await enrolledNode(batch.hostKey);
          // Not signed over the text as received (another encoder's layout, or a forgery): check the canonical re-encoding.
          if (!signed && !(await verifyBodyAsync('ingest', wholeBatch(bytes), batch.hostKey))) throw new ApiError('LOCUS_ERR_UNAUTHENTICATED', 'the batch is not signed by its host key');
          const now = ctx.clock.now().getTime();
          // Series ids are made (rarely: a GPU's first sample) and cached outside the batch's transaction.
          const series = await ctx.repos.samples.seriesFor(node.id, columns.gpus);
          const outcome = await writer.store({ batchId: batch.batchId, events: batch.events, instants, columns, node, series, now });
          if (outcome === 'not-enrolled') {
            enrolled.delete(batch.hostKey);
            throw notEnrolled();
          }
          await noteAddress(node.id, request.ip, now);
          refusalsTold.delete(node.id);
          ctx.metrics.ingestBatches.inc({ result: outcome.duplicate ? 'duplicate' : 'stored' });
          if (!outcome.duplicate) {
            ctx.metrics.ingestGpuSamples.inc(columns.reasons.length);
            ctx.metrics.ingestEvents.inc(outcome.events);
            // Samples alone change no alert, except that a silent node is heard again.
            // The node read afresh: its zone or name may have changed since this process read it.
            if (outcome.events > 0) ctx.changes.publish(node.org_id, 'events');
            if (outcome.events > 0 || ctx.alerting.wasSilent(node)) await evaluate(batch.hostKey);
          }
          return outcome;
        },
      );
    });
  };

interface Signed {
  readonly hostKey: string;
  readonly signature: string;
}

/** The host key and signature a body that is not a valid batch names, if it names them as a batch does. */
function signerOf(body: unknown): Signed | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { hostKey, signature } = body as Record<string, unknown>;
  return PublicKey.safeParse(hostKey).success && typeof signature === 'string' ? (body as Signed) : undefined;
}

/** Whether the body's own host key signed it (false for a signature that is not one). */
async function signedBy(body: Signed): Promise<boolean> {
  try {
    return await verifyBodyAsync('ingest', body, body.hostKey);
  } catch {
    return false;
  }
}

/**
 * The whole batch parsed again, for the rare paths that need it: zod's message, a non-canonical
 * text's signature. The decoder hands back the bytes of every batch that may take them.
 */
function wholeBatch(bytes: Buffer | undefined): IngestBatch {
  if (!bytes) throw new Error("ingest: the batch's bytes did not come back from its decoder");
  const parsed = parseBatch(bytes);
  return (parsed.ok ? parsed.body : undefined) as IngestBatch;
}

function invalid(result: { success: boolean; error?: z.ZodError }): ApiError {
  const issue = result.error?.issues[0];
  return new ApiError('LOCUS_ERR_VALIDATION', validationMessage('body', issue?.path ?? [], issue?.message ?? 'is invalid'));
}


import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { World } from '@locus/geo';
import { PROTOCOL_VERSIONS } from '@locus/protocol';
import type { Storage } from '@locus/storage';
import { authenticate, type Caller } from './auth.js';
import type { Clock } from './clock.js';
import type { ServerConfig } from './config.js';
import { ApiError, errorBody, validationMessage } from './errors.js';
import { reposOf, type Repos } from './repos.js';
import { CLOSING_OPTIONS, closeConnectionsWhenClosing } from './closing.js';
import { answerClientError } from './client-errors.js';
import { addSecurityHeaders, tightenSwaggerCsp } from './security-headers.js';
import { refuseStrayQueryKeys } from './query-keys.js';
import { parseJsonBodies } from './json-body.js';
import { agentRoutes } from './routes/agents.js';
import { inThreadDecoder, type BatchDecoder } from './ingest/decoder.js';
import { fleetRoutes } from './routes/fleet.js';
import { zoneRoutes } from './routes/zones.js';
import { landmarkRoutes } from './routes/landmarks.js';
import { measurementRoutes } from './routes/measurements.js';
import { nodeRoutes } from './routes/nodes.js';
import { JUDGING_AT_ONCE, Verification } from './verification.js';
import { WebhookDestinations, type WebhookSend } from './alerts/destinations.js';
import { Alerting, DEFAULT_ALERTING } from './alerts/engine.js';
import { alertRoutes } from './routes/alerts.js';
import { reportRoutes } from './routes/reports.js';
import { tokenRoutes } from './routes/tokens.js';
import { ServerMetrics, type BackgroundTask } from './metrics.js';
import { telemetryRoutes } from './routes/telemetry.js';
import { TelemetryRetention } from './retention.js';
import { ChangeFeed, ChangeRelay } from './changes.js';
import { changeRoutes, type ChangeStreamOptions } from './routes/changes.js';

export interface AppDeps {
  readonly storage: Storage;
  readonly world: World;
  readonly config: ServerConfig;
  readonly clock: Clock;
  /** Fastify's logger: false (tests) or options. */
  readonly logger?: boolean | object;
  /**
   * Run periodic work (alert sweeps and silence checks, webhook retries, retention) every this many ms;
   * off when absent (tests drive it by hand).
   */
  readonly backgroundEveryMs?: number;
  /** For webhook deliveries; tests pass their own. */
  readonly fetch?: WebhookSend;
  /** Built dashboard assets (index.html and its files), served at `/` when given. */
  readonly dashboardDir?: string | undefined;
  /** How long change streams wait between heartbeats, and how many may be open (tests shorten and lower them). */
  readonly changeStreams?: ChangeStreamOptions;
  /** Decodes agents' batches; the server's own thread when absent. Closed with the app. */
  readonly decoder?: BatchDecoder | undefined;
}

export interface AppContext {
  readonly repos: Repos;
  readonly verification: Verification;
  readonly alerting: Alerting;
  readonly metrics: ServerMetrics;
  readonly clock: Clock;
  readonly config: ServerConfig;
  /** Where webhooks of organizations other than the operator's may be delivered. */
  readonly webhookDestinations: WebhookDestinations;
  /** Changes this process saw, by organization, for GET /api/v1/changes. */
  readonly changes: ChangeFeed;
  /** The caller behind the request's bearer token; throws 401 without one. */
  readonly caller: (request: FastifyRequest) => Promise<Caller>;
}

export const API_VERSION = '0.1.0';

/** Builds the HTTP API from injected storage, borders, config and clock; `main` only listens. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...CLOSING_OPTIONS,
    logger: deps.logger ?? false,
    bodyLimit: deps.config.bodyLimitBytes,
    requestTimeout: deps.config.requestTimeoutMs,
    // Node enforces it only with a headers timeout no longer (its own is 60 s), and checks every
    // 30 s by default: a shorter time is checked at a quarter of it.
    http: {
      headersTimeout: Math.min(60_000, deps.config.requestTimeoutMs),
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(deps.config.requestTimeoutMs / 4))),
    },
    trustProxy: deps.config.trustProxy.length > 0 ? [...deps.config.trustProxy] : false,
    clientErrorHandler: answerClientError,
    // URLs the router refuses before any route runs still leave in the API's error envelope.
    frameworkErrors: (error, request, raw) => {
      const reply = raw as unknown as FastifyReply;
      const path = request.url.split('?')[0]!.slice(0, 200);
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return reply.code(404).send(errorBody('LOCUS_ERR_NOT_FOUND', `no such resource: a path segment of ${path}… is longer than any id`));
      return reply.code(400).send(errorBody('LOCUS_ERR_VALIDATION', `the URL ${path} is malformed (${error.code})`));
    },
  }).withTypeProvider<ZodTypeProvider>();
  // The API speaks JSON only; Fastify would otherwise hand plain-text bodies to the validators.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) return reply.code(error.statusCode).send(error.body());
    if (hasZodFastifySchemaValidationErrors(error)) {
      const first = error.validation[0];
      const path = first?.instancePath.split('/').filter((p) => p !== '') ?? [];
      return reply.code(400).send(errorBody('LOCUS_ERR_VALIDATION', validationMessage(error.validationContext ?? 'request', path, first?.message ?? 'is invalid')));
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send(errorBody('LOCUS_ERR_BODY_TOO_LARGE', `bodies are limited to ${deps.config.bodyLimitBytes} bytes`));
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send(errorBody('LOCUS_ERR_UNSUPPORTED_MEDIA', 'send Content-Type: application/json'));
    if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError || error.statusCode === 400) {
      return reply.code(400).send(errorBody('LOCUS_ERR_MALFORMED_JSON', `the body is not valid JSON: ${error.message}`));
    }
    request.log.error(error);
    return reply.code(500).send(errorBody('LOCUS_ERR_SERVER', 'internal error; see the server log'));
  });
  // A route that takes no body (DELETE, POST …/resolve, …/test) ignores a Content-Type that many
  // HTTP clients send on every request: an empty body is no malformed JSON there.
  app.addHook('onRequest', async (request) => {
    const empty = (request.headers['content-length'] === undefined || request.headers['content-length'] === '0') && request.headers['transfer-encoding'] === undefined;
    if (empty && request.headers['content-type'] !== undefined && request.routeOptions.schema?.body === undefined) delete request.headers['content-type'];
    if (!empty) refuseUnreadableBody(request.headers);
  });
  refuseStrayQueryKeys(app);
  parseJsonBodies(app);
  addSecurityHeaders(app);
  closeConnectionsWhenClosing(app);
  const dashboard = deps.dashboardDir && existsSync(join(deps.dashboardDir, 'index.html')) ? deps.dashboardDir : undefined;
  if (dashboard) await app.register(fastifyStatic, { root: dashboard, prefix: '/', wildcard: false, index: ['index.html'] });
  app.setNotFoundHandler((request, reply) => {
    // The dashboard routes in the browser: any page that is not the API gets its index.html.
    const page = request.method === 'GET' && !request.url.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
    if (dashboard && page) return reply.type('text/html').sendFile('index.html');
    return reply.code(404).send(errorBody('LOCUS_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Locus API', description: 'Fleet inventory, landmark measurements, location verdicts and proofs.', version: API_VERSION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP: tightenSwaggerCsp, uiConfig: { validatorUrl: null } });

  const repos = reposOf(deps.storage);
  const metrics = new ServerMetrics(API_VERSION);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status_code: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  const changes = new ChangeFeed();
  const observe = {
    transition: (kind: string, change: string) => metrics.alertTransitions.inc({ kind, change }),
    attempt: (outcome: string) => metrics.webhookAttempts.inc({ outcome }),
    changed: (orgId: string) => changes.publish(orgId, 'alerts'),
  };
  const webhookDestinations = new WebhookDestinations(deps.config.webhookAllow);
  const alerting = new Alerting(repos, deps.clock, { ...DEFAULT_ALERTING, sweepSlice: deps.storage.inProcess ? 100 : DEFAULT_ALERTING.sweepSlice, silentAfterMs: deps.config.silentAfterMs, landmarkSilentAfterMs: deps.config.landmarkSilentAfterMs, restricted: deps.config.restricted, observe, log: (error) => app.log.error(error), destinations: webhookDestinations, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  app.decorate('alerting', alerting);
  // Webhook attempts in flight are cut short, not waited for (up to 10 s each).
  app.addHook('onClose', async () => {
    await alerting.close();
    webhookDestinations.close();
  });
  app.decorate('changes', changes);
  // Replicas on one PostgreSQL database tell each other's change streams what changed on them.
  const relay = ChangeRelay.start(changes, deps.storage.db, (message) => app.log.warn(message));
  if (relay) {
    app.decorate('changeRelay', relay);
    app.addHook('onClose', () => relay.close());
  }
  const retention = new TelemetryRetention(repos, deps.clock, deps.config);
  app.decorate('retention', retention);
  const verification = new Verification(
    repos,
    deps.world,
    deps.config,
    deps.clock,
    (node) => {
      changes.publish(node.org_id, 'verdicts');
      return alerting.evaluateNode(node);
    },
    deps.storage.inProcess ? 1 : JUDGING_AT_ONCE,
  );
  app.decorate('verification', verification);
  // Verdicts judged with other parameters (the restricted list changed) are judged again.
  await verification.noteParameters();
  const ctx: AppContext = {
    repos,
    alerting,
    metrics,
    verification,
    clock: deps.clock,
    config: deps.config,
    webhookDestinations,
    changes,
    caller: (request) => authenticate(request, repos.tokens, deps.clock.now()),
  };

  // With the protocol versions the server reads: `locus agent precheck` tells an agent newer than its server before it runs.
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true, protocolVersions: PROTOCOL_VERSIONS }));
  app.get('/readyz', { schema: { hide: true } }, async (_, reply) => {
    try {
      await sql`select 1`.execute(deps.storage.db);
      return { ok: true };
    } catch (error) {
      return reply.code(503).send(errorBody('LOCUS_ERR_NOT_READY', `database unreachable: ${(error as Error).message}`));
    }
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/metrics', { schema: { hide: true } }, async (_, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  await app.register(landmarkRoutes(ctx), { prefix: '/api/v1' });
  await app.register(measurementRoutes(ctx), { prefix: '/api/v1' });
  await app.register(nodeRoutes(ctx), { prefix: '/api/v1' });
  const decoder = deps.decoder ?? inThreadDecoder();
  app.addHook('onClose', () => decoder.close());
  await app.register(agentRoutes(ctx, deps.storage, decoder), { prefix: '/api/v1' });
  await app.register(zoneRoutes(ctx), { prefix: '/api/v1' });
  await app.register(fleetRoutes(ctx), { prefix: '/api/v1' });
  await app.register(alertRoutes(ctx), { prefix: '/api/v1' });
  await app.register(reportRoutes(ctx));
  await app.register(tokenRoutes(ctx), { prefix: '/api/v1' });
  await app.register(telemetryRoutes(ctx), { prefix: '/api/v1' });
  await app.register(changeRoutes(ctx, deps.changeStreams), { prefix: '/api/v1' });
  if (deps.backgroundEveryMs) await runBackground(app, deps.backgroundEveryMs, deps.config.alertSweepEveryMs, { repos, alerting, verification, retention, metrics, clock: deps.clock });
  await app.ready();
  return app;
}

/** What UptimeRepo calls the fleet's servers, which hear agents. */
const INGEST_SERVICE = 'ingest';
/**
 * A break in the servers' notes that they are up longer than this (and than four runs of the
 * loop) is an outage: every replica notes it each run (every 15 s), and a run can wait on the one
 * before it (an alert sweep of 10,000 nodes on PostgreSQL takes about a second). A shorter break
 * cannot make a node look silent: agents report every 30 s and are silent after minutes.
 */
const UP_GAP_MS = 60_000;

/** The leases a server's loop takes: fleet-wide work that one replica does for all of them. */
const LEASED_TASKS: readonly BackgroundTask[] = ['alert-sweep', 'retention'];

/**
 * Runs the background loop every `everyMs`: due verdicts, alert work, due webhook deliveries
 * (apart: a dispatch that outlasts a run does not hold up the next run's alert work), and
 * bounded retention. Due verdicts are those an interval old while measurements count (their
 * bounds grow with time), those that lost a bound (a landmark revoked, other parameters), or
 * whose node was measured within the verdict interval
 * (Verification.refreshExpired); every replica judges its share. Alert work is then a full sweep
 * (every node's alerts against all its facts) every
 * `sweepEveryMs` and at a server's first run, and in the runs between a silence check (the nodes
 * whose silence changed: Alerting.checkSilence). Alert work and retention cover the whole
 * database, so of replicas sharing one, only the holder of each task's lease runs it (renewed
 * each run; given up when the server closes, so another takes it at its next run, starting with
 * a full sweep; one held by a process that died passes on after three runs' time). Each replica
 * sends the deliveries it claims, and notes that the servers are up (UptimeRepo; once before the
 * loop starts, so before the server's first request), which silence alerts read.
 */
async function runBackground(app: FastifyInstance, everyMs: number, sweepEveryMs: number, parts: { repos: Repos; alerting: Alerting; verification: Verification; retention: TelemetryRetention; metrics: ServerMetrics; clock: Clock }): Promise<void> {
  const { repos, alerting, verification, retention, metrics, clock } = parts;
  const holder = randomUUID();
  const leaseMs = 3 * everyMs;
  // Bounded, so that sweeps and dispatches keep their pace; the next run carries on.
  const retentionBudgetMs = Math.min(5_000, everyMs / 3);
  const expiryBudgetMs = Math.min(5_000, everyMs / 3);
  const held = async (task: BackgroundTask): Promise<boolean> => {
    const now = clock.now().getTime();
    const mine = await repos.leases.acquire(task, holder, now, now + leaseMs);
    metrics.backgroundLease.set({ task }, mine ? 1 : 0);
    return mine;
  };
  const timed = async (task: BackgroundTask, run: () => Promise<unknown>) => {
    const end = metrics.backgroundSeconds.startTimer({ task });
    await run();
    end();
  };
  /** When this server, holding the alert lease since, began its last full sweep. */
  let sweptAt: number | undefined;
  // Every replica notes each run that the servers are up; a break longer than this is an outage.
  const upGapMs = Math.max(UP_GAP_MS, 4 * everyMs);
  const noteUp = async () => {
    const since = await repos.uptime.beat(INGEST_SERVICE, clock.now().getTime(), upGapMs);
    alerting.upSince(since);
    metrics.upSince.set(since / 1000);
  };
  const alertWork = async () => {
    if (!(await held('alert-sweep'))) {
      sweptAt = undefined;
      return;
    }
    const now = clock.now().getTime();
    if (sweptAt !== undefined && now - sweptAt < sweepEveryMs) await timed('silence-check', () => alerting.checkSilence());
    else {
      await timed('alert-sweep', async () => alerting.sweep((await repos.orgs.list()).map((o) => o.id)));
      sweptAt = now;
    }
    // Alerts that fired while muted and still fire, told once their mute has run out.
    await alerting.tellUnmuted();
  };
  // Before the first request: a verdict or an event evaluates a node's alerts, silence included.
  await noteUp().catch((error: unknown) => app.log.error(error));
  let running: Promise<void> | undefined;
  // Webhooks apart from the rest: a receiver that is slow or gone must not hold up alert work.
  let dispatching: Promise<void> | undefined;
  const timer = setInterval(() => {
    dispatching ??= timed('webhooks', () => alerting.dispatch()).finally(() => (dispatching = undefined));
    running ??= (async () => {
      try {
        await noteUp();
        // Due verdicts (a bound lost, new measurements waiting) are judged again, their alerts
        // with them, before the alerts are checked; by every replica, each taking its share.
        await timed('verdict-expiry', () => verification.refreshExpired(expiryBudgetMs));
        const now = clock.now().getTime();
        const due = await repos.verdicts.due(now);
        metrics.verdictsDue.set(due.count);
        metrics.verdictsLag.set(due.since === null ? 0 : (now - due.since) / 1000);
        await alertWork();
        if (await held('retention')) {
          await timed('retention', async () => {
            const done = await retention.run(retentionBudgetMs);
            metrics.measurementsCompacted.inc(done.compacted);
            metrics.compactionBehind.set(done.compactionBehindMs / 1000);
          });
        } else {
          metrics.compactionBehind.set(0);
        }
      } catch (error) {
        app.log.error(error);
      } finally {
        running = undefined;
      }
    })();
  }, everyMs);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await alerting.close();
    await Promise.all([running, dispatching]);
    await repos.leases.release(holder).catch((error: unknown) => app.log.error(error));
    for (const task of LEASED_TASKS) metrics.backgroundLease.set({ task }, 0);
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The alert engine, for the background loop and for tests that drive time by hand. */
    alerting: Alerting;
    /** Telemetry retention, run by the background loop; tests run it by hand. */
    retention: TelemetryRetention;
    /** Measurement intake and verdicts; the loop judges again verdicts that lost a bound, tests by hand. */
    verification: Verification;
    /** What changed, by organization, as GET /api/v1/changes tells it. */
    changes: ChangeFeed;
    /** On PostgreSQL: changes carried between replicas (tests wait for it to listen). */
    changeRelay?: ChangeRelay;
  }
}

/**
 * A body is taken as it is sent, UTF-8 JSON (RFC 8259): one compressed (Content-Encoding:
 * gzip, which no parser here undoes) or said to be in another character set (whose bytes past
 * ASCII would be read as UTF-8 and stored changed) is refused with 415 before it is read,
 * rather than failing as malformed JSON or being stored as other text.
 */
function refuseUnreadableBody(headers: FastifyRequest['headers']): void {
  const coding = headers['content-encoding']?.trim().toLowerCase();
  if (coding !== undefined && coding !== '' && coding !== 'identity') {
    throw new ApiError('LOCUS_ERR_UNSUPPORTED_MEDIA', `this server takes bodies as they are: send this one without Content-Encoding (it says ${printableHeader(coding)})`);
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ApiError('LOCUS_ERR_UNSUPPORTED_MEDIA', `bodies are JSON in UTF-8: send Content-Type: application/json (this one says charset=${printableHeader(charset)})`);
  }
}

/** A header's value in a message: at most 40 characters, only printable ASCII. */
const printableHeader = (text: string): string => text.slice(0, 40).replace(/[^\x20-\x7e]/g, '?');

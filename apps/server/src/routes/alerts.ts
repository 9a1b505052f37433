import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ALERT_SEVERITIES, DELIVERY_STATES, type MuteRule, type Webhook, type WebhookDelivery } from '@locus/storage';
import { ALERT_KINDS, CONTROL_CHARACTER, readableText } from '@locus/protocol';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { alertView, kindsOf, mutingOf } from '../alerts/engine.js';
import { requirePermission } from '../auth.js';
import { ApiError } from '../errors.js';

const Params = z.object({ id: z.string().min(1).max(100) });
/** An alert as the API and webhook bodies give it (alertView). */
const AlertView = z.object({
  id: z.string(),
  kind: z.string().describe(`one of ${ALERT_KINDS.join(', ')}`),
  severity: z.string().describe(`one of ${ALERT_SEVERITIES.join(', ')}`),
  /** Null for the operator's landmark alerts. */
  nodeId: z.string().nullable(),
  summary: z.string(),
  state: z.enum(['firing', 'resolved']),
  firstFiredAt: z.string(),
  lastFiredAt: z.string(),
  resolvedAt: z.string().nullable(),
  muted: z.object({ until: z.string(), reason: z.string() }).nullable(),
});
/** A mute rule as the API shows it (muteRuleView). */
const MuteRuleView = z.object({ id: z.string(), kind: z.string().nullable(), nodeId: z.string().nullable(), zoneId: z.string().nullable(), zoneName: z.string().nullable(), until: z.string(), reason: z.string() });
/** A webhook as the API shows it (webhookView): never its secret, a password in its address as `***`. */
const WebhookView = z.object({ id: z.string(), url: z.string(), groupWaitS: z.number(), minSeverity: z.string(), kinds: z.array(z.string()).nullable(), createdAt: z.string() });
/** A delivery as the API shows it (deliveryView). */
const DeliveryView = z.object({
  id: z.string(),
  /** Null for a group's delivery and a test. */
  alertId: z.string().nullable(),
  event: z.string(),
  changes: z.number().int(),
  status: z.enum(DELIVERY_STATES),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  /** Null before its first attempt (and where not known: one made before Locus recorded it, not delivered). */
  lastAttemptAt: z.string().nullable(),
  /** When it is tried next, for one pending; else null. */
  nextAttemptAt: z.string().nullable(),
});
/** A page of a delivery log: `before` is the `next` of the page before (a delivery's time and id). */
const DELIVERY_CURSOR = /^(\d{1,15})_([A-Za-z0-9-]{1,64})$/;
const DeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  status: z.enum(DELIVERY_STATES).optional(),
  before: z.string().regex(DELIVERY_CURSOR, 'must be the next of an earlier page').optional(),
});
const Deleted = z.object({ deleted: z.literal(true) });
const MuteBody = z
  .strictObject({
    kind: z.enum(ALERT_KINDS).nullable().default(null),
    nodeId: z.string().max(100).nullable().default(null),
    zoneId: z.string().max(100).nullable().default(null),
    durationS: z.number().int().min(60).max(365 * 86_400),
    reason: readableText('a reason', 500),
  })
  // As an Alertmanager silence needs a matcher: a rule that names nothing would mute every alert of the organization.
  .refine((b) => b.kind !== null || b.nodeId !== null || b.zoneId !== null, 'must name a kind, a node or a zone to mute (a rule that names none would mute every alert of the organization)');
/** How long a webhook's alert changes wait for others of their group (kind and zone): 0, none. */
const GroupWaitS = z.number().int().min(0).max(3600);
/** A webhook is told of alerts of this severity or worse (and of the resolution of any it may have been told of). */
const MinSeverity = z.enum(ALERT_SEVERITIES);
/** A webhook is told of alerts of these kinds only; null: of every kind. */
const Kinds = z.array(z.enum(ALERT_KINDS)).min(1).max(ALERT_KINDS.length).nullable();
/**
 * A receiver's address, http(s), sent as written: no space, control character or backslash (which
 * a URL parser drops, encodes or reads as a slash, so that the address sent is not the one shown),
 * and a port other than 0 (which no receiver listens on).
 */
const WebhookUrl = z
  .string()
  .max(2000)
  // Before the URL check, which drops some of them.
  .superRefine((text, ctx) => {
    const bad = (CONTROL_CHARACTER.exec(text) ?? /[\s\\]/u.exec(text))?.[0];
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `holds U+${bad.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which a webhook's address may not hold (write it percent-encoded)` });
  })
  .pipe(z.url({ protocol: /^https?$/ }).refine((text) => new URL(text).port !== '0', 'has port 0, which no receiver listens on'));
/** A webhook's signing secret, given: 16 to 200 characters. */
const Secret = z.string().min(16).max(200);
const WebhookBody = z.strictObject({
  url: WebhookUrl,
  secret: Secret.optional(),
  groupWaitS: GroupWaitS.default(0),
  minSeverity: MinSeverity.default('warning'),
  kinds: Kinds.default(null),
});
const WebhookChange = z
  .strictObject({ url: WebhookUrl.optional(), secret: Secret.optional(), groupWaitS: GroupWaitS.optional(), minSeverity: MinSeverity.optional(), kinds: Kinds.optional() })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'must name at least one of url, secret, groupWaitS, minSeverity and kinds');
/** Kinds as stored: each once, in order; null for every kind. */
const storedKinds = (kinds: readonly string[] | null): string | null => (kinds === null ? null : JSON.stringify([...new Set(kinds)].sort()));

export const alertRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/alerts',
      {
        schema: {
          summary: 'Alerts, newest first: firing, resolved, or both',
          description: 'With silenceHeld: after the servers first start or come back from a break, since when they are up and until when no node turns silent (null otherwise).',
          tags: ['alerts'],
          querystring: z.object({ state: z.enum(['firing', 'resolved']).optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) }),
          response: { 200: z.object({ alerts: z.array(AlertView), silenceHeld: z.object({ serversUpSince: z.string(), until: z.string() }).nullable() }) },
        },
      },
      async (request) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'fleet:read');
        const now = ctx.clock.now().getTime();
        const alerts = await ctx.repos.alerts.list(caller.orgId, request.query.state, request.query.limit);
        const muting = await mutingOf(ctx.repos, caller.orgId, alerts, now);
        const held = ctx.alerting.silenceHeld(now);
        return {
          alerts: alerts.map((a) => alertView(a, muting(a))),
          // After the servers' first start or a break: no node turns silent before `until` (docs/server.md, Silence after a break).
          silenceHeld: held ? { serversUpSince: new Date(held.since).toISOString(), until: new Date(held.until).toISOString() } : null,
        };
      },
    );

    app.post('/alerts/:id/resolve', {
        schema: {
          summary: 'Resolve an alert by hand (it fires again if its condition still holds)',
          tags: ['alerts'],
          params: Params,
          response: { 200: z.object({ resolved: z.boolean().describe('False for an alert that was resolved already') }) },
        },
      }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:write');
      if (!(await ctx.repos.alerts.get(caller.orgId, request.params.id))) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no alert "${request.params.id}"`);
      const [changed] = await ctx.alerting.resolveByHand(caller.orgId, request.params.id);
      return { resolved: changed !== undefined };
    });

    app.get('/mute-rules', { schema: { summary: 'Mute rules in force', tags: ['alerts'], response: { 200: z.object({ rules: z.array(MuteRuleView) }) } } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:read');
      const rules = await ctx.repos.alerts.muteRules(caller.orgId, ctx.clock.now().getTime());
      const zones = rules.some((r) => r.zone_id !== null) ? new Map((await ctx.repos.zones.list(caller.orgId)).map((z) => [z.id, z.name])) : new Map<string, string>();
      return { rules: rules.map((r) => muteRuleView(r, zones)) };
    });

    app.post('/mute-rules', { schema: { summary: 'Mute alerts of a kind, a node and/or a zone (its members) for a while: no webhook deliveries', tags: ['alerts'], body: MuteBody, response: { 201: MuteRuleView } } }, async (request, reply) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:write');
      const now = ctx.clock.now().getTime();
      const { kind, nodeId, zoneId, durationS, reason } = request.body;
      if (nodeId !== null && !(await ctx.repos.nodes.get(caller.orgId, nodeId))) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no node "${nodeId}"`);
      const zone = zoneId === null ? undefined : await ctx.repos.zones.get(caller.orgId, zoneId);
      if (zoneId !== null && !zone) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no zone "${zoneId}"`);
      const rule = { id: randomUUID(), org_id: caller.orgId, kind, node_id: nodeId, zone_id: zoneId, until: now + durationS * 1000, reason, created_at: now };
      await ctx.repos.alerts.addMuteRule(rule);
      ctx.changes.publish(caller.orgId, 'alerts');
      return reply.code(201).send(muteRuleView(rule, new Map(zone ? [[zone.id, zone.name]] : [])));
    });

    app.delete('/mute-rules/:id', { schema: { summary: 'Lift a mute rule', tags: ['alerts'], params: Params, response: { 200: Deleted } } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:write');
      if (!(await ctx.repos.alerts.deleteMuteRule(caller.orgId, request.params.id))) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no mute rule "${request.params.id}"`);
      ctx.changes.publish(caller.orgId, 'alerts');
      // What fired under the rule and still fires is told now, not at the loop's next run.
      ctx.alerting.tellUnmuted().catch((error: unknown) => request.log.error(error));
      return { deleted: true as const };
    });

    app.get('/webhooks', { schema: { summary: 'Webhooks (secrets are not shown again)', tags: ['alerts'], response: { 200: z.object({ webhooks: z.array(WebhookView) }) } } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:write');
      return { webhooks: (await ctx.repos.alerts.webhooks(caller.orgId)).map(webhookView) };
    });

    app.post(
      '/webhooks',
      {
        schema: {
          summary: 'Add a webhook: each alert that fires or resolves is POSTed to it, signed with HMAC-SHA256 in X-Locus-Signature',
          description: 'groupWaitS (0 to 3600, default 0): 0 sends each change alone; otherwise changes of one kind in one zone wait this long after the first and go as one delivery (event "group"). minSeverity (warning, the default, or critical) and kinds (null, the default: every kind) choose which alerts it is told of; resolutions go to it whatever their severity.',
          tags: ['alerts'],
          body: WebhookBody,
          response: { 201: WebhookView.extend({ secret: z.string().describe('shown once') }) },
        },
      },
      async (request, reply) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'fleet:write');
        await refuseDestination(caller.orgId, request.body.url);
        const secret = request.body.secret ?? randomBytes(32).toString('base64url');
        const { url, groupWaitS, minSeverity, kinds } = request.body;
        const hook = { id: randomUUID(), org_id: caller.orgId, url, secret, created_at: ctx.clock.now().getTime(), group_wait_ms: groupWaitS * 1000, min_severity: minSeverity, kinds: storedKinds(kinds) };
        await ctx.repos.alerts.addWebhook(hook);
        return reply.code(201).send({ ...webhookView(hook), secret });
      },
    );

    app.patch(
      '/webhooks/:id',
      {
        schema: {
          summary: 'Change a webhook: its address, its signing secret, which alerts it is told of, how they are grouped',
          description:
            'Any of url, secret (16 to 200 characters), groupWaitS, minSeverity and kinds (null: every kind). Every attempt after the change, retries of deliveries already pending included, goes to the new address signed with the new secret; one in flight as it is made goes as it began. To rotate the secret: let the receiver accept the old and the new, change it here, then drop the old. Changes held for a group already go when it was due.',
          tags: ['alerts'],
          params: Params,
          body: WebhookChange,
          response: { 200: WebhookView },
        },
      },
      async (request) => {
        const hook = await ownWebhook(request, request.params.id);
        const { url, secret, groupWaitS, minSeverity, kinds } = request.body;
        if (url !== undefined) await refuseDestination(hook.org_id, url);
        const changes = {
          ...(url === undefined ? {} : { url }),
          ...(secret === undefined ? {} : { secret }),
          ...(groupWaitS === undefined ? {} : { group_wait_ms: groupWaitS * 1000 }),
          ...(minSeverity === undefined ? {} : { min_severity: minSeverity }),
          ...(kinds === undefined ? {} : { kinds: storedKinds(kinds) }),
        };
        await ctx.repos.alerts.updateWebhook(hook.org_id, hook.id, changes);
        return webhookView({ ...hook, ...changes });
      },
    );

    app.delete('/webhooks/:id', { schema: { summary: 'Remove a webhook', tags: ['alerts'], params: Params, response: { 200: Deleted } } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:write');
      if (!(await ctx.repos.alerts.deleteWebhook(caller.orgId, request.params.id))) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no webhook "${request.params.id}"`);
      return { deleted: true as const };
    });

    /** Refuses an address the org may not send to: the operator's organization reaches any; the others, public ones and those the operator allows. */
    const refuseDestination = async (orgId: string, url: string): Promise<void> => {
      const refused = await ctx.webhookDestinations.checkFor(orgId)?.refused(url);
      if (refused) throw new ApiError('LOCUS_ERR_WEBHOOK_DESTINATION', refused);
    };

    /** The caller's org's webhook named by the route, for a caller who manages webhooks; 404 for any other. */
    const ownWebhook = async (request: FastifyRequest, id: string): Promise<Webhook> => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'fleet:write');
      const hook = (await ctx.repos.alerts.webhooks(caller.orgId)).find((w) => w.id === id);
      if (!hook) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no webhook "${id}"`);
      return hook;
    };

    app.get(
      '/webhooks/:id/deliveries',
      {
        schema: {
          summary: "A webhook's delivery log, newest first, a page at a time",
          description: `status: of one state only. before: the next of the page before. Finished deliveries (delivered or failed) are kept ${ctx.config.deliveryRetentionMs / 86_400_000} days (--delivery-retention-days); pending ones until they finish.`,
          tags: ['alerts'],
          params: Params,
          querystring: DeliveriesQuery,
          response: { 200: z.object({ deliveries: z.array(DeliveryView), next: z.string().nullable() }) },
        },
      },
      async (request) => {
        const hook = await ownWebhook(request, request.params.id);
        const { limit, status, before } = request.query;
        const cursor = before === undefined ? undefined : DELIVERY_CURSOR.exec(before)!;
        const page = await ctx.repos.alerts.deliveries(hook.id, limit, { ...(status === undefined ? {} : { status }), ...(cursor === undefined ? {} : { before: { createdAt: Number(cursor[1]), id: cursor[2]! } }) });
        const last = page.length === limit ? page[page.length - 1] : undefined;
        return { deliveries: page.map(deliveryView), next: last === undefined ? null : `${last.created_at}_${last.id}` };
      },
    );

    app.post(
      '/webhooks/:id/deliveries/:deliveryId/redeliver',
      {
        schema: {
          summary: 'Send a failed delivery again now',
          description:
            'Once, as it was (its X-Locus-Delivery id and body; signed with the secret now), recorded in the log, answered as recorded: delivered, or failed with the answer or error (within 10 s). For a receiver that was down longer than the retries. 409 for a delivery that is not failed, for a test, and for one whose alert (or one of its group) a later delivery to the webhook told: the older state must not follow the newer.',
          tags: ['alerts'],
          params: z.object({ id: Params.shape.id, deliveryId: Params.shape.id }),
          response: { 200: DeliveryView },
        },
      },
      async (request) => {
        const hook = await ownWebhook(request, request.params.id);
        const delivery = await ctx.repos.alerts.delivery(request.params.deliveryId);
        if (delivery?.webhook_id !== hook.id) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no delivery "${request.params.deliveryId}" of webhook "${hook.id}"`);
        const sent = await ctx.alerting.redeliver(hook, delivery);
        if ('refused' in sent) throw new ApiError('LOCUS_ERR_CONFLICT', sent.refused);
        ctx.changes.publish(hook.org_id, 'alerts');
        return deliveryView(sent.delivery);
      },
    );

    app.post(
      '/webhooks/:id/test',
      {
        schema: {
          summary: 'Send a test delivery now',
          description: 'Signed as any delivery, with X-Locus-Event: test and a body {event: "test", webhookId, sentAt, message}; sent once (not retried) and kept in the delivery log. Answers the delivery as recorded: delivered, or failed with the answer or error (within 10 s).',
          tags: ['alerts'],
          params: Params,
          response: { 200: DeliveryView },
        },
      },
      async (request) => deliveryView(await ctx.alerting.sendTest(await ownWebhook(request, request.params.id))),
    );
  };

/** A mute rule as the API shows it, its zone named (from `zones`, the org's zones by id). */
const muteRuleView = (r: MuteRule, zones: ReadonlyMap<string, string>) => ({
  id: r.id,
  kind: r.kind,
  nodeId: r.node_id,
  zoneId: r.zone_id,
  zoneName: r.zone_id === null ? null : (zones.get(r.zone_id) ?? null),
  until: new Date(r.until).toISOString(),
  reason: r.reason,
});

/**
 * A webhook's address as the API shows it: a password in it (`https://user:pass@…`, basic auth
 * for the receiver) is a credential like the signing secret, so it is masked as `***`.
 */
export function shownUrl(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed?.password) return url;
  parsed.password = '***';
  return parsed.href;
}

/** A webhook as the API shows it (never its secret, nor a password in its address). */
const webhookView = (w: Webhook) => ({ id: w.id, url: shownUrl(w.url), groupWaitS: w.group_wait_ms / 1000, minSeverity: w.min_severity, kinds: kindsOf(w), createdAt: new Date(w.created_at).toISOString() });

/** A delivery as the API shows it. */
const deliveryView = (d: WebhookDelivery) => ({
  id: d.id,
  alertId: d.alert_id === '' ? null : d.alert_id,
  event: d.event,
  changes: d.changes,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.last_status_code,
  lastError: d.last_error,
  createdAt: new Date(d.created_at).toISOString(),
  deliveredAt: d.delivered_at === null ? null : new Date(d.delivered_at).toISOString(),
  // Not recorded before migration 0032: a delivered one's last attempt is when it was delivered.
  lastAttemptAt: (d.last_attempt_at ?? d.delivered_at) === null ? null : new Date((d.last_attempt_at ?? d.delivered_at)!).toISOString(),
  nextAttemptAt: d.status === 'pending' ? new Date(d.next_attempt_at).toISOString() : null,
});

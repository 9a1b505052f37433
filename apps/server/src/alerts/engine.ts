import { createHmac, randomUUID } from 'node:crypto';
import { groupBy, refusalOf, type AlertChange, type AlertRecord, type MuteRule, type NodeRecord, type Transition, type Webhook, type WebhookDelivery, type WebhookGroup, type WebhookWaiting } from '@locus/storage';
import type { Clock } from '../clock.js';
import type { Repos } from '../repos.js';
import { DEFAULT_ORG } from '../config.js';
import { sendWebhook, type WebhookDestinations, type WebhookSend } from './destinations.js';
import { heardForMs, LANDMARK_SCOPE, LANDMARK_SILENCE_SCOPE, landmarkConditions, landmarkSilenceConditions, nodeConditions, scopeOf, type NodeFacts } from './conditions.js';

export interface AlertingOptions {
  /** A node whose agent has not reported for this long raises node-silent. */
  readonly silentAfterMs: number;
  readonly restricted: readonly string[];
  /** A landmark that alone empties the regions of this many nodes raises landmark-inconsistent. */
  readonly landmarkOutlierNodes: number;
  /** A landmark none of whose measurements has been stored for this long raises landmark-silent. */
  readonly landmarkSilentAfterMs: number;
  /**
   * Nodes a sweep evaluates together: their facts in one query per kind, not one per node (10,000
   * nodes had taken 1.4 s of CPU a sweep on SQLite and 9 s on PostgreSQL). An in-process database
   * holds requests up while it reads a slice: 100 nodes there (about 5 ms), 500 on a server.
   */
  readonly sweepSlice: number;
  /** Webhook attempts before a delivery is marked failed. */
  readonly maxAttempts: number;
  /** How deliveries are sent (tests hand one in): by default sendWebhook, its addresses checked by `destinations`. */
  readonly fetch?: WebhookSend;
  /** Where webhooks of organizations other than the operator's may be delivered; unchecked when not given. */
  readonly destinations?: WebhookDestinations;
  readonly random?: () => number;
  /** How long a webhook may take to answer (WEBHOOK_TIMEOUT_MS; tests shorten it). */
  readonly webhookTimeoutMs?: number;
  /** Told of a dispatch that failed (the database lost): the next one tries again. */
  readonly log?: (error: unknown) => void;
  /** Told of each alert transition and webhook attempt (the server's metrics). */
  readonly observe?: {
    readonly transition: (kind: string, change: string) => void;
    readonly attempt: (outcome: 'delivered' | 'retry' | 'failed') => void;
    /** An org's alerts changed (fired or resolved). */
    readonly changed?: (orgId: string) => void;
  };
}

/** How long a webhook may take to answer. */
const WEBHOOK_TIMEOUT_MS = 10_000;
/** Webhooks a dispatch sends to at once, each its own deliveries one at a time. */
const WEBHOOKS_AT_ONCE = 8;
/** A webhook's due deliveries read at a time. */
const DELIVERY_PAGE = 100;
/** Alert changes one grouped delivery carries at most (a body of about 0.5 MB); more go in the next. */
export const GROUP_MAX_CHANGES = 1_000;
/**
 * How long a claimed delivery is its sender's: longer than an attempt can take, so that only a
 * sender that died with it unsent leaves it to another replica, which sends it once this passes.
 */
export const DELIVERY_CLAIM_MS = 6 * WEBHOOK_TIMEOUT_MS;

/**
 * Nodes the silence check reads a query at a time: about 4 ms of an in-process database's time
 * (which holds requests up meanwhile), a turn of the event loop between them.
 */
const SILENCE_SLICE = 2_000;

/**
 * Attempts of a webhook delivery before it is given up: waits of 5 s doubling to an hour, with
 * jitter (half to all of each), span about 2.2 to 4.4 hours, so that a receiver down for a
 * maintenance or an outage of a couple of hours still gets every alert.
 */
export const WEBHOOK_MAX_ATTEMPTS = 14;

export const DEFAULT_ALERTING: Omit<AlertingOptions, 'restricted'> = Object.freeze({ silentAfterMs: 5 * 60_000, landmarkOutlierNodes: 2, landmarkSilentAfterMs: 15 * 60_000, sweepSlice: 500, maxAttempts: WEBHOOK_MAX_ATTEMPTS });

/** The published form of an alert (webhook bodies and the API). */
export const alertView = (a: AlertRecord, mute?: MuteRule) => ({
  id: a.id,
  kind: a.kind,
  severity: a.severity,
  nodeId: a.node_id,
  summary: a.summary,
  state: a.state,
  firstFiredAt: new Date(a.first_fired_at).toISOString(),
  lastFiredAt: new Date(a.last_fired_at).toISOString(),
  resolvedAt: a.resolved_at === null ? null : new Date(a.resolved_at).toISOString(),
  muted: mute ? { until: new Date(mute.until).toISOString(), reason: mute.reason } : null,
});

/**
 * The rule that mutes an alert, if one does: of its kind (or any), on its node (or any), in its
 * node's zone (or any; `zoneOf` says a node's zone: undefined for none).
 */
export const mutingRule = (a: AlertRecord, rules: readonly MuteRule[], zoneOf: (nodeId: string) => string | undefined = () => undefined): MuteRule | undefined =>
  rules.find((r) => (r.kind === null || r.kind === a.kind) && (r.node_id === null || r.node_id === a.node_id) && (r.zone_id === null || (a.node_id !== null && zoneOf(a.node_id) === r.zone_id)));

/** Who mutes which alerts of an org now: its rules, and the zones of the alerts' nodes where a rule names a zone. */
export async function mutingOf(repos: Repos, orgId: string, alerts: readonly AlertRecord[], now: number): Promise<(a: AlertRecord) => MuteRule | undefined> {
  const rules = await repos.alerts.muteRules(orgId, now);
  const zones = rules.some((r) => r.zone_id !== null) ? await repos.nodes.zonesOf(orgId, [...new Set(alerts.flatMap((a) => (a.node_id === null ? [] : [a.node_id])))]) : new Map<string, string>();
  return (a) => mutingRule(a, rules, (nodeId) => zones.get(nodeId));
}

/** The HMAC-SHA256 of a body under a webhook's secret, as sent in X-Locus-Signature. */
export const webhookSignature = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/**
 * Keeps each node's alerts in line with its facts (verdict, health, duplicates, silence),
 * and tells webhooks about every alert that fires or resolves, unless a mute rule covers it.
 */
export class Alerting {
  readonly #repos: Repos;
  readonly #clock: Clock;
  readonly #options: AlertingOptions;
  #dispatching: Promise<void> | undefined;
  readonly #closing = new AbortController();
  /** Nodes whose last evaluation here found them silent: a batch from one of them re-evaluates it at once. */
  readonly #silent = new Set<string>();
  /** Since when the fleet's servers have been up without a break, as last noted (upSince); unknown: forever. */
  #upSince = Number.NEGATIVE_INFINITY;

  constructor(repos: Repos, clock: Clock, options: AlertingOptions) {
    this.#repos = repos;
    this.#clock = clock;
    this.#options = options;
  }

  async evaluateNode(node: NodeRecord): Promise<Transition[]> {
    return (await this.#evaluate(node.org_id, [node])).changes;
  }

  /**
   * Reconciles the alerts of these nodes of one org with their facts, read for all of them at
   * once (a query for each kind of fact, and one for their alerts), and notifies the changes.
   * Returns the changes and each node's facts, in the nodes' order.
   */
  async #evaluate(orgId: string, nodes: readonly NodeRecord[]): Promise<{ changes: Transition[]; facts: NodeFacts[] }> {
    const now = this.#clock.now().getTime();
    const ids = nodes.map((n) => n.id);
    const { verdicts, telemetry, alerts } = this.#repos;
    // One query after another: on PostgreSQL, one connection of the pool, the rest left to ingest.
    const latest = await verdicts.latestByOrg(orgId, ids);
    const health = await telemetry.latestHealth(ids);
    const duplicates = await telemetry.latestEvents<{ gpu: string; otherNode: string }>(ids, 'duplicate-gpu', (b) => `${b.gpu}|${b.otherNode}`);
    // The other nodes named, those of this org; another org's is told of as such, neither named nor numbered.
    const others = duplicates.size === 0 ? new Map<string, string>() : await this.#repos.nodes.namesOf(orgId, [...new Set([...duplicates.values()].flat().map((d) => d.otherNode))]);
    const missing = await telemetry.missingGpus(ids);
    const lastIngests = await telemetry.lastIngestsByOrg(orgId, ids);
    const existing = await alerts.ofNodes(orgId, ids);
    const healthOf = groupBy(health, (h) => h.nodeId);
    const alertsOf = groupBy(existing, (a) => a.node_id ?? '');
    const changes: Transition[] = [];
    const facts = nodes.map((node): NodeFacts => {
      const v = latest.get(node.id);
      return {
        nodeId: node.id,
        nodeName: node.name,
        verdict: v && { record: v.record, measurements: v.measurements, notes: v.notes, unexcludedAt: v.unexcludedAt },
        health: healthOf.get(node.id) ?? [],
        duplicates: (duplicates.get(node.id) ?? []).map((d) => ({ ...d, otherName: others.get(d.otherNode) ?? null })),
        missingGpus: (missing.get(node.id) ?? []).map((g) => ({ uuid: g.uuid, serial: g.serial, name: g.name, missingSince: g.missing_since })),
        lastIngestAt: lastIngests.get(node.id) ?? null,
        enrolledAt: node.created_at,
        lastRefusal: refusalOf(node),
        lastMeasuredAt: node.last_measured_at,
      };
    });
    for (const [i, node] of nodes.entries()) {
      const conditions = node.unenrolled_at === null ? nodeConditions(facts[i]!, now, { ...this.#options, upSince: this.#upSince }) : [];
      const own = alertsOf.get(node.id) ?? [];
      // Silent: its alert fires now, or fired and is held (not a node the servers could not hear yet).
      const silence = conditions.find((c) => c.kind === 'node-silent');
      if (silence && (!silence.hold || own.some((a) => a.key === silence.key && a.state === 'firing'))) this.#silent.add(node.id);
      else this.#silent.delete(node.id);
      changes.push(...(await alerts.reconcile(orgId, scopeOf(node.id), conditions, now, randomUUID, own)));
    }
    await this.#notify(orgId, changes, now);
    return { changes, facts };
  }

  /**
   * Whether this process last found the node silent, so that its next batch should resolve that
   * at once (no query per batch). A node found silent by another replica, or before a restart,
   * is resolved by the next silence check instead, within 15 s.
   */
  wasSilent(node: NodeRecord): boolean {
    return this.#silent.has(node.id);
  }

  /**
   * Since when the fleet's servers have been up without a break (UptimeRepo, noted by the server's
   * loop): a node is silent only once they have been up for the silence time (and at least the
   * longest an agent waits between attempts: heardForMs) without hearing it.
   * After a break (every server down, or none reaching the database) agents could report to
   * nobody; their silence then is the fleet's, not theirs, and raising node-silent for every
   * node, to resolve each as its agent delivers its outbox, would bury the alerts that matter.
   */
  upSince(since: number): void {
    this.#upSince = since;
  }

  /**
   * Until when no node turns silent, the servers having come back from a break at `since` (they
   * must be up heardForMs to hear every agent); undefined when they have been up that long.
   */
  silenceHeld(now: number): { readonly since: number; readonly until: number } | undefined {
    const until = this.#upSince + heardForMs(this.#options.silentAfterMs);
    return now < until ? { since: this.#upSince, until } : undefined;
  }

  /**
   * Re-evaluates every node of these orgs against all its facts, then the landmarks, from the
   * outliers named by the verdicts of the nodes just seen, when the operator's org is among them.
   * The server's loop sweeps every org at its first run and every alertSweepEveryMs: a backstop
   * for a change that came without its event (and the landmarks' one judge); it checks silence
   * alone in the runs between (checkSilence).
   */
  async sweep(orgIds: readonly string[]): Promise<void> {
    const outliers = new Map<string, string[]>();
    for (const org of orgIds) {
      const nodes = await this.#repos.nodes.list(org);
      for (let i = 0; i < nodes.length; i += this.#options.sweepSlice) {
        const slice = nodes.slice(i, i + this.#options.sweepSlice);
        const { facts } = await this.#evaluate(org, slice);
        for (const [j, node] of slice.entries()) {
          for (const note of facts[j]!.verdict?.notes ?? []) {
            if (note.kind !== 'landmark-outlier' || node.unenrolled_at !== null) continue;
            const landmark = (note.evidence as { landmark: string }).landmark;
            outliers.set(landmark, [...(outliers.get(landmark) ?? []), node.name]);
          }
        }
        // An in-process database answers synchronously: a turn of the event loop between slices lets requests in.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    // Landmark alerts are the operator's, and need every org's nodes: only a sweep of all of them judges landmarks.
    if (!orgIds.includes(DEFAULT_ORG)) return;
    const now = this.#clock.now().getTime();
    const changes = await this.#repos.alerts.reconcile(DEFAULT_ORG, LANDMARK_SCOPE, landmarkConditions(outliers, this.#options.landmarkOutlierNodes), now, randomUUID);
    await this.#notify(DEFAULT_ORG, changes, now);
    await this.#checkLandmarkSilence();
  }

  /**
   * Fires landmark-silent for the landmarks none of whose measurements the server has stored for
   * landmarkSilentAfterMs, and resolves it for those heard since or revoked: one read of the
   * landmarks (a handful of rows) at every sweep and silence check.
   */
  async #checkLandmarkSilence(): Promise<void> {
    const now = this.#clock.now().getTime();
    const conditions = landmarkSilenceConditions(await this.#repos.landmarks.status(), now, { silentAfterMs: this.#options.landmarkSilentAfterMs, upSince: this.#upSince });
    await this.#notify(DEFAULT_ORG, await this.#repos.alerts.reconcile(DEFAULT_ORG, LANDMARK_SILENCE_SCOPE, conditions, now, randomUUID), now);
  }

  /**
   * Re-evaluates the nodes whose silence changed, of every org: those whose agent has gone quiet
   * without a node-silent alert, and those with one that reported since or left. Silence is the
   * one condition no event announces; everything else is evaluated on the event that changes it
   * (a batch with events, a verdict, an unenrollment, a GPU forgotten), so between full sweeps
   * the server's loop runs this alone: two index lookups a node (10,000 nodes: about 12 ms on
   * SQLite, 50 on PostgreSQL) where a sweep reads every fact of every node. Returns how many
   * nodes it evaluated.
   */
  async checkSilence(): Promise<number> {
    const now = this.#clock.now().getTime();
    const cutoff = now - this.#options.silentAfterMs;
    // Until the servers have been up long enough to hear every agent, no node turns silent (upSince): none before 0.
    const cutoffs = { silentBefore: cutoff, newlySilentBefore: now - this.#upSince > heardForMs(this.#options.silentAfterMs) ? cutoff : 0 };
    const changed: NodeRecord[] = [];
    for (let after = ''; ; ) {
      const { nodes, last } = await this.#repos.telemetry.silenceChanges('node-silent', cutoffs, after, SILENCE_SLICE);
      changed.push(...nodes);
      if (last === undefined) break;
      after = last;
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const [org, nodes] of groupBy(changed, (n) => n.org_id)) {
      for (let i = 0; i < nodes.length; i += this.#options.sweepSlice) await this.#evaluate(org, nodes.slice(i, i + this.#options.sweepSlice));
    }
    await this.#checkLandmarkSilence();
    return changed.length;
  }

  async resolveByHand(orgId: string, id: string): Promise<Transition[]> {
    const now = this.#clock.now().getTime();
    const changes = await this.#repos.alerts.resolve(orgId, id, now);
    await this.#notify(orgId, changes, now);
    return changes;
  }

  async #notify(orgId: string, changes: readonly Transition[], now: number): Promise<void> {
    if (changes.length === 0) return;
    for (const { alert, change } of changes) this.#options.observe?.transition(alert.kind, change);
    this.#options.observe?.changed?.(orgId);
    const hooks = await this.#repos.alerts.webhooks(orgId);
    if (hooks.length === 0) return;
    const muting = await mutingOf(this.#repos, orgId, changes.map((c) => c.alert), now);
    const told = changes.filter((c) => !muting(c.alert));
    // What a mute kept from the webhooks is told when the mute ends (tellUnmuted), if it still
    // holds then (AlertRecord.untold): a firing or a severity change while the alert still fires
    // (1, or 3 where they hold it open); a resolution of an alert they hold open, while it stays
    // resolved (2), so that no incident stays open on a receiver. They hold it open when they were
    // told it fired and not since that it resolved: a resolution of one they never held open is
    // nothing to them (0).
    const untold = (c: Transition): 0 | 1 | 2 | 3 => {
      if (muting(c.alert) === undefined) return 0;
      const before = c.alert.untold;
      const open = before === 2 || before === 3 || (before === 0 && c.change !== 'fired');
      if (c.change === 'resolved') return open ? 2 : 0;
      return open ? 3 : 1;
    };
    for (const value of [0, 1, 2, 3] as const) await this.#repos.alerts.noteUntold(changes.filter((c) => untold(c) === value && c.alert.untold !== value).map((c) => c.alert.id), value);
    await this.#tell(orgId, hooks, told, now);
  }

  /**
   * Tells webhooks of the alerts that fired or changed severity while muted and still fire, now
   * that no rule mutes them (a rule ran out or was lifted): as `fired`, with the alert as it is;
   * and of those they were told fired that resolved while muted and stay resolved: as `resolved`.
   * Each alert is told once, by one replica. The loop runs it; so does lifting a rule. Returns how
   * many alerts it told of.
   */
  async tellUnmuted(): Promise<number> {
    const now = this.#clock.now().getTime();
    let told = 0;
    for (const [orgId, alerts] of groupBy(await this.#repos.alerts.untold(), (a) => a.org_id)) {
      const muting = await mutingOf(this.#repos, orgId, alerts, now);
      const claimed = await this.#repos.alerts.claimUntold(alerts.filter((a) => !muting(a)).map((a) => a.id));
      if (claimed.length === 0) continue;
      told += claimed.length;
      await this.#tell(orgId, await this.#repos.alerts.webhooks(orgId), claimed.map((alert) => ({ alert, change: alert.state === 'resolved' ? ('resolved' as const) : ('fired' as const) })), now);
    }
    return told;
  }

  /** Sends (or holds, for a webhook that groups) each change to the webhooks that take it. */
  async #tell(orgId: string, hooks: readonly Webhook[], told: readonly Transition[], now: number): Promise<void> {
    if (hooks.length === 0 || told.length === 0) return;
    const grouping = hooks.filter((h) => h.group_wait_ms > 0);
    // A webhook that groups holds each change for its group: of its kind, in its node's zone.
    const zones = grouping.length === 0 ? new Map<string, string>() : await this.#repos.nodes.zonesOf(orgId, [...new Set(told.flatMap((c) => (c.alert.node_id === null ? [] : [c.alert.node_id])))]);
    const held: WebhookWaiting[] = [];
    const tells = new Map(hooks.map((h) => [h.id, toldBy(h)]));
    for (const t of told) {
      const { alert, change } = t;
      const previousSeverity = t.change === 'severity-changed' ? t.previousSeverity : null;
      for (const hook of hooks) {
        if (!tells.get(hook.id)!(t)) continue;
        if (hook.group_wait_ms > 0) {
          const zone = alert.node_id === null ? '' : (zones.get(alert.node_id) ?? '');
          held.push({ id: randomUUID(), webhook_id: hook.id, kind: alert.kind, zone_id: zone, event: change, previous_severity: previousSeverity, alert: JSON.stringify(alertView(alert)), created_at: now, due_at: now + hook.group_wait_ms });
          continue;
        }
        const body = JSON.stringify({ event: change, ...(previousSeverity === null ? {} : { previousSeverity }), alert: alertView(alert), sentAt: new Date(now).toISOString() });
        await this.#repos.alerts.enqueueDelivery({ id: randomUUID(), webhook_id: hook.id, alert_id: alert.id, event: change, body, status: 'pending', attempts: 0, next_attempt_at: now, last_status_code: null, last_error: null, created_at: now, delivered_at: null, last_attempt_at: null, changes: 1 });
      }
    }
    await this.#repos.alerts.hold(held);
    void this.dispatch();
  }

  /**
   * Makes a delivery of each group of held changes whose first has waited its webhook's time:
   * up to GROUP_MAX_CHANGES changes a delivery, as many deliveries as the group needs.
   */
  async #gather(): Promise<void> {
    const hooks = new Map<string, Webhook | undefined>();
    const zoneNames = new Map<string, string | undefined>();
    for (const group of await this.#repos.alerts.groupsDue(this.#clock.now().getTime())) {
      if (this.#closing.signal.aborted) return;
      if (!hooks.has(group.webhookId)) hooks.set(group.webhookId, await this.#repos.alerts.webhook(group.webhookId));
      const hook = hooks.get(group.webhookId);
      if (!hook) continue;
      const zoneKey = `${hook.org_id} ${group.zoneId}`;
      if (group.zoneId !== '' && !zoneNames.has(zoneKey)) zoneNames.set(zoneKey, (await this.#repos.zones.get(hook.org_id, group.zoneId))?.name);
      const zoneName = group.zoneId === '' ? null : (zoneNames.get(zoneKey) ?? null);
      for (let part = 0; ; part++) {
        const now = this.#clock.now().getTime();
        const taken = await this.#repos.alerts.takeGroup(group, GROUP_MAX_CHANGES, (changes) => groupDelivery(group, zoneName, changes, now, part));
        if (taken.length < GROUP_MAX_CHANGES) break;
      }
    }
  }

  /**
   * Sends the deliveries that are due; a failed one waits longer each time, up to maxAttempts.
   * Each webhook's in the order they fell due, one at a time, until none is due; webhooks side by
   * side, up to WEBHOOKS_AT_ONCE, those with the delivery due first first: a receiver that is slow
   * or gone (an attempt may wait WEBHOOK_TIMEOUT_MS) holds up its own deliveries alone, not
   * another organization's, and a backlog (an alert for every node) drains as fast as its receiver
   * takes it. A receiver that fails is tried once a dispatch: its other due deliveries wait for the
   * next. Never rejects: a failure (the database lost) is told to `log`, and the next dispatch
   * tries again.
   */
  dispatch(): Promise<void> {
    this.#dispatching ??= this.#dispatchDue()
      .catch((error: unknown) => this.#options.log?.(error))
      .finally(() => (this.#dispatching = undefined));
    return this.#dispatching;
  }

  /** Stops sending: attempts in flight are cut short (and recorded, to be tried again), and no more start. */
  close(): Promise<void> {
    this.#closing.abort(new Error('the server is stopping'));
    return this.#dispatching ?? Promise.resolve();
  }

  async #dispatchDue(): Promise<void> {
    // Webhooks that failed in this dispatch, or are gone: their deliveries wait for the next.
    const skipped = new Set<string>();
    // Again while webhooks have deliveries due: some may have come due while the others were sent.
    for (;;) {
      await this.#gather();
      const due = (await this.#repos.alerts.webhooksDue(this.#clock.now().getTime())).filter((id) => !skipped.has(id));
      if (due.length === 0 || this.#closing.signal.aborted) return;
      const sender = async () => {
        for (let id = due.shift(); id !== undefined && !this.#closing.signal.aborted; id = due.shift()) if (!(await this.#sendDue(id))) skipped.add(id);
      };
      await Promise.all(Array.from({ length: Math.min(WEBHOOKS_AT_ONCE, due.length) }, sender));
    }
  }

  /** A webhook's due deliveries, in order, a page at a time, until none is due or one fails: whether none failed. */
  async #sendDue(webhookId: string): Promise<boolean> {
    for (;;) {
      const page = await this.#repos.alerts.dueDeliveries(this.#clock.now().getTime(), DELIVERY_PAGE, webhookId);
      if (page.length === 0) return true;
      for (const d of page) {
        if (this.#closing.signal.aborted) return true;
        // Replicas send the due deliveries of the same database: each sends those it claims.
        const now = this.#clock.now().getTime();
        if (!(await this.#repos.alerts.claimDelivery(d.id, now, now + DELIVERY_CLAIM_MS))) continue;
        // Read for each attempt: one after a change of its address or secret goes to the new address, signed with the new secret.
        const hook = await this.#repos.alerts.webhook(webhookId);
        if (!hook) return false;
        if (d.attempts >= this.#options.maxAttempts) {
          // Pending past its attempts: taken to be sent again by hand (redeliver) by a server that
          // stopped before it checked or sent it. Not sent: it may tell an alert's older state.
          await this.#repos.alerts.recordAttempt(d.id, { status: 'failed', attempts: d.attempts, next_attempt_at: d.next_attempt_at, last_status_code: d.last_status_code, last_error: 'sending it again was cut short (the server stopped): not sent; send it again', delivered_at: null, last_attempt_at: d.last_attempt_at });
          continue;
        }
        if (!(await this.#attempt(hook, d))) return false;
      }
    }
  }

  /**
   * Sends a test delivery to a webhook now, once (not retried, not counted in the metrics, muted
   * by nothing), signed as any other (`X-Locus-Event: test`), and records it in the webhook's log:
   * what an operator checks a receiver with. Answers the delivery as recorded.
   */
  async sendTest(hook: Webhook): Promise<WebhookDelivery> {
    const now = this.#clock.now().getTime();
    const id = randomUUID();
    const body = JSON.stringify({ event: 'test', webhookId: hook.id, sentAt: new Date(now).toISOString(), message: 'A test delivery from Locus: each alert that fires or resolves comes like this, signed the same way.' });
    // Not due before the claim time: no dispatcher sends it meanwhile.
    const delivery: WebhookDelivery = { id, webhook_id: hook.id, alert_id: '', event: 'test', body, status: 'pending', attempts: 0, next_attempt_at: now + DELIVERY_CLAIM_MS, last_status_code: null, last_error: null, created_at: now, delivered_at: null, last_attempt_at: null, changes: 0 };
    await this.#repos.alerts.enqueueDelivery(delivery);
    await this.#attempt(hook, delivery, { once: true, test: true });
    const recorded = await this.#repos.alerts.delivery(id);
    if (!recorded) throw new Error(`webhook test: delivery ${id} is not in the log`);
    return recorded;
  }

  /**
   * Sends a failed delivery of a webhook again now, once, as it was (its id, body and signature
   * under the webhook's secret now), and records the attempt in the log: what an operator does
   * once a receiver that was down for longer than the retries is back. Refused, saying why, for a
   * delivery that is not failed, and for one whose alert (or, for a group, one of its alerts) a
   * later delivery to the webhook carried: that one told the alert's newer state, which the older
   * must not follow (a `fired` after the `resolved` would reopen an incident on the receiver).
   * Answers the delivery as recorded.
   */
  async redeliver(hook: Webhook, d: WebhookDelivery): Promise<{ readonly delivery: WebhookDelivery } | { readonly refused: string }> {
    if (d.status !== 'failed') return { refused: `delivery ${d.id} is ${d.status}: only a failed delivery is sent again${d.status === 'pending' ? ` (this one is tried again at ${new Date(d.next_attempt_at).toISOString()})` : ''}` };
    if (d.event === 'test') return { refused: `delivery ${d.id} is a test: send a new one (POST /api/v1/webhooks/${hook.id}/test)` };
    // Pending while it is tried: no dispatcher sends it meanwhile, a later delivery of its alert
    // made from now on waits behind it, and a second request finds it taken.
    if (!(await this.#repos.alerts.reopenDelivery(d.id, this.#clock.now().getTime() + DELIVERY_CLAIM_MS))) return { refused: `delivery ${d.id} is being sent again already` };
    // Then the later ones made before (sent, or being sent, or not): any that told its alert refuses it.
    const newer = await this.#repos.alerts.laterOfItsAlerts(d);
    if (newer) {
      const { status, attempts, next_attempt_at, last_status_code, last_error, delivered_at, last_attempt_at } = d;
      await this.#repos.alerts.recordAttempt(d.id, { status, attempts, next_attempt_at, last_status_code, last_error, delivered_at, last_attempt_at });
      const instead = newer.status === 'failed' ? `: send that one again instead` : '';
      return { refused: `delivery ${newer.id} (${newer.event}, ${newer.status}), made later, told ${d.event === 'group' ? 'an alert of this group' : 'this alert'} in a newer state, which delivery ${d.id} must not follow${instead}` };
    }
    await this.#attempt(hook, { ...d, status: 'pending' }, { once: true });
    const recorded = await this.#repos.alerts.delivery(d.id);
    if (!recorded) throw new Error(`webhook redelivery: delivery ${d.id} is not in the log`);
    return { delivery: recorded };
  }

  /**
   * One attempt of a delivery, recorded: whether the receiver took it. `once`: a test or a
   * redelivery, never tried again; `test`: not counted in the metrics.
   */
  async #attempt(hook: Webhook, d: WebhookDelivery, { once = false, test = false } = {}): Promise<boolean> {
    // The operator's organization reaches any address; the others, public ones and those the operator allows.
    const send = this.#options.fetch ?? sendWebhook(this.#options.destinations?.checkFor(hook.org_id));
    const random = this.#options.random ?? Math.random;
    let status: number | null = null;
    let error: string | null = null;
    // The attempt's own deadline: a timer and a controller, not AbortSignal.timeout inside
    // AbortSignal.any, whose timer Node 20 may collect before it fires, leaving an attempt to a
    // receiver that never answers waiting for ever and every webhook's deliveries behind it.
    const timeoutMs = this.#options.webhookTimeoutMs ?? WEBHOOK_TIMEOUT_MS;
    const attempt = new AbortController();
    const timer = setTimeout(() => attempt.abort(new Error(`the receiver did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
    // Ends with the signal even if the request does not (a sender that ignores it).
    const aborted = new Promise<never>((_, reject) => attempt.signal.addEventListener('abort', () => reject(attempt.signal.reason as Error), { once: true }));
    const stopping = () => attempt.abort(new Error('the server stopped during the attempt'));
    if (this.#closing.signal.aborted) stopping();
    else this.#closing.signal.addEventListener('abort', stopping, { once: true });
    try {
      const res = await Promise.race([
        send(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-locus-signature': webhookSignature(hook.secret, d.body), 'x-locus-delivery': d.id, 'x-locus-event': d.event },
          body: d.body,
          signal: attempt.signal,
        }),
        aborted,
      ]);
      status = res.status;
    } catch (e) {
      error = this.#closing.signal.aborted ? 'the server stopped during the attempt' : attempt.signal.aborted ? (attempt.signal.reason as Error).message : (e as Error).message;
    } finally {
      clearTimeout(timer);
      this.#closing.signal.removeEventListener('abort', stopping);
      aborted.catch(() => {});
    }
    const now = this.#clock.now().getTime();
    const attempts = d.attempts + 1;
    const ok = status !== null && status >= 200 && status < 300;
    const wait = Math.min(3600_000, 5_000 * 2 ** d.attempts) * (0.5 + random() / 2);
    const outcome = ok ? 'delivered' : once || attempts >= this.#options.maxAttempts ? 'failed' : 'retry';
    if (!test) this.#options.observe?.attempt(outcome);
    await this.#repos.alerts.recordAttempt(d.id, {
      status: outcome === 'retry' ? 'pending' : outcome,
      attempts,
      next_attempt_at: ok ? d.next_attempt_at : now + Math.round(wait),
      last_status_code: status,
      last_error: ok ? null : (error ?? `HTTP ${status}`),
      delivered_at: ok ? now : null,
      last_attempt_at: now,
    });
    return ok;
  }
}

const SEVERITY_RANK: Readonly<Record<string, number>> = { warning: 1, critical: 2 };

/** The alert kinds a webhook is told of (stored as JSON); null: every kind. */
export const kindsOf = (hook: Pick<Webhook, 'kinds'>): string[] | null => (hook.kinds === null ? null : (JSON.parse(hook.kinds) as string[]));

/**
 * Whether a webhook is told of an alert's change: of a kind it takes, and of its severity or
 * worse (a severity change, if either side is; a resolution whatever its severity, since the
 * webhook may have been told of the alert when it was worse, and a receiver must not be left
 * with an incident that never closes). The webhook's settings are read once, for all changes.
 */
export function toldBy(hook: Pick<Webhook, 'min_severity' | 'kinds'>): (t: Transition) => boolean {
  const kinds = kindsOf(hook);
  const least = SEVERITY_RANK[hook.min_severity] ?? 0;
  const rank = (severity: string) => SEVERITY_RANK[severity] ?? Number.POSITIVE_INFINITY;
  return (t) => {
    if (kinds !== null && !kinds.includes(t.alert.kind)) return false;
    if (t.change === 'resolved') return true;
    return rank(t.alert.severity) >= least || (t.change === 'severity-changed' && rank(t.previousSeverity) >= least);
  };
}

/**
 * One delivery of a group's changes, in the order they came: `{event: "group", group: {kind,
 * zoneId, zoneName}, summary, fired, resolved, severityChanged, changes: [{event,
 * previousSeverity?, at, alert}], sentAt}`. `part`: which of the deliveries of a group too large
 * for one (queued a millisecond apart, so that they go in order).
 */
function groupDelivery(group: WebhookGroup, zoneName: string | null, changes: readonly WebhookWaiting[], now: number, part: number): { delivery: WebhookDelivery; alertIds: string[] } {
  const count = (event: AlertChange) => changes.filter((c) => c.event === event).length;
  const [fired, resolved, severityChanged] = [count('fired'), count('resolved'), count('severity-changed')];
  const where = group.zoneId === '' ? '' : ` in zone ${zoneName ?? group.zoneId}`;
  const alerts = changes.map((c) => ({ event: c.event, ...(c.previous_severity === null ? {} : { previousSeverity: c.previous_severity }), at: new Date(c.created_at).toISOString(), alert: JSON.parse(c.alert) as ReturnType<typeof alertView> }));
  // One change reads as itself; more, as their counts.
  const counts = [fired > 0 && `${fired} fired`, resolved > 0 && `${resolved} resolved`, severityChanged > 0 && `${severityChanged} changed severity`].filter(Boolean).join(', ');
  const one = alerts[0]!;
  const summary = alerts.length === 1 ? `${one.event === 'severity-changed' ? `now ${one.alert.severity}` : one.event}: ${one.alert.summary}` : `${group.kind}${where}: ${counts}`;
  const body = JSON.stringify({ event: 'group', group: { kind: group.kind, zoneId: group.zoneId === '' ? null : group.zoneId, zoneName }, summary, fired, resolved, severityChanged, changes: alerts, sentAt: new Date(now).toISOString() });
  // Its alerts stored with it: it waits while an earlier delivery that told one of them is retried, and a later one of theirs waits for it.
  const delivery: WebhookDelivery = { id: randomUUID(), webhook_id: group.webhookId, alert_id: '', event: 'group', body, status: 'pending', attempts: 0, next_attempt_at: now, last_status_code: null, last_error: null, created_at: now + part, delivered_at: null, last_attempt_at: null, changes: changes.length };
  return { delivery, alertIds: alerts.map((a) => a.alert.id) };
}

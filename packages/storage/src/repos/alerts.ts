import { sql, type Kysely } from 'kysely';
import { bySlices } from './slices.js';
import type { AlertChange, AlertState, AlertTable, Database, DeliveryState, MuteRuleTable, WebhookDeliveryTable, WebhookTable, WebhookWaitingTable } from '../schema.js';

export type AlertRecord = AlertTable;
export type MuteRule = MuteRuleTable;
export type Webhook = WebhookTable;
export type WebhookDelivery = WebhookDeliveryTable;
export type WebhookWaiting = WebhookWaitingTable;

/** The changes a webhook that groups them takes together: of one kind, in one zone ('' for none). */
export interface WebhookGroup {
  readonly webhookId: string;
  readonly kind: string;
  readonly zoneId: string;
}

/** What to raise: an alert's identity and text, without its history. */
export interface AlertCondition {
  readonly key: string;
  readonly kind: string;
  readonly severity: string;
  readonly nodeId: string | null;
  readonly summary: string;
  /**
   * Neither fires nor resolves: an alert with this key that is firing stays so, and none fires.
   * For a condition that cannot be judged yet (a node silent for longer than the servers have
   * been up to hear it).
   */
  readonly hold?: boolean;
}

/** A change of an alert, as it is after it; a severity change says the severity before. */
export type Transition = { readonly alert: AlertRecord; readonly change: Exclude<AlertChange, 'severity-changed'> } | { readonly alert: AlertRecord; readonly change: 'severity-changed'; readonly previousSeverity: string };

/** Alerts, mute rules, webhooks and their deliveries. */
export class AlertRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Makes the alerts under `scope` (a key prefix, such as one node's) match the conditions
   * that hold now: new or resolved ones fire, ones no longer holding resolve, firing ones take
   * their condition's summary and severity (a new severity is a change). Returns what changed.
   * `existing` is the scope's alerts as the caller read them (a sweep reads many scopes' at once,
   * see ofNodes); they may be stale by then, and so may another replica's: each write changes an
   * alert only from the state it was read in, and only a write that did counts as a change.
   */
  async reconcile(orgId: string, scope: string, conditions: readonly AlertCondition[], now: number, newId: () => string, existing?: readonly AlertRecord[]): Promise<Transition[]> {
    const prefix = `${scope.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const alerts = existing?.filter((a) => a.key.startsWith(scope)) ?? (await this.#db.selectFrom('alerts').selectAll().where('org_id', '=', orgId).where(sql<boolean>`key like ${prefix} escape '\\'`).execute());
    const byKey = new Map(alerts.map((a) => [a.key, a]));
    const wanted = new Set(conditions.map((c) => c.key));
    const changes: Transition[] = [];
    for (const c of conditions) {
      const a = byKey.get(c.key);
      if (c.hold && a?.state !== 'firing') continue;
      if (a && a.state === 'firing') {
        if (a.summary === c.summary && a.severity === c.severity) continue;
        // From the severity it was read with: of replicas changing it at once, one reports it.
        const r = await this.#db.updateTable('alerts').set({ summary: c.summary, severity: c.severity }).where('id', '=', a.id).where('state', '=', 'firing').where('severity', '=', a.severity).executeTakeFirst();
        if (a.severity !== c.severity && Number(r.numUpdatedRows) === 1) changes.push({ alert: { ...a, summary: c.summary, severity: c.severity }, change: 'severity-changed', previousSeverity: a.severity });
        continue;
      }
      if (a) {
        const fired = { state: 'firing', summary: c.summary, severity: c.severity, last_fired_at: now, resolved_at: null } as const;
        const r = await this.#db.updateTable('alerts').set(fired).where('id', '=', a.id).where('state', '=', 'resolved').executeTakeFirst();
        if (Number(r.numUpdatedRows) === 1) changes.push({ alert: { ...a, ...fired }, change: 'fired' });
      } else {
        const alert: AlertRecord = { id: newId(), org_id: orgId, key: c.key, kind: c.kind, severity: c.severity, node_id: c.nodeId, summary: c.summary, state: 'firing', first_fired_at: now, last_fired_at: now, resolved_at: null, untold: 0 };
        const r = await this.#db.insertInto('alerts').values(alert).onConflict((oc) => oc.columns(['org_id', 'key']).doNothing()).executeTakeFirst();
        if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 1) changes.push({ alert, change: 'fired' });
      }
    }
    for (const a of alerts) {
      if (a.state === 'firing' && !wanted.has(a.key)) changes.push(...(await this.resolve(orgId, a.id, now)));
    }
    return changes;
  }

  /**
   * Notes what of these alerts' latest changes webhooks were not told (AlertRecord.untold), in
   * one query per 5,000 alerts.
   */
  async noteUntold(ids: readonly string[], untold: 0 | 1 | 2 | 3): Promise<void> {
    await bySlices(ids, async (slice) => {
      await this.#db.updateTable('alerts').set({ untold }).where('id', 'in', slice).execute();
      return [];
    });
  }

  /**
   * Every alert, of any org, with a change no webhook was told of (muted then) that still holds:
   * firing with its latest firing or severity change untold, or resolved with its resolution untold.
   */
  untold(): Promise<AlertRecord[]> {
    return this.#db
      .selectFrom('alerts')
      .selectAll()
      .where('untold', '<>', 0)
      .where((eb) => eb.or([eb.and([eb('untold', 'in', [1, 3]), eb('state', '=', 'firing')]), eb.and([eb('untold', '=', 2), eb('state', '=', 'resolved')])]))
      .orderBy('org_id')
      .orderBy('id')
      .execute();
  }

  /**
   * Takes these untold alerts to tell webhooks of them: those whose untold change still holds
   * (as untold() finds them), each taken by one caller however many replicas take it at once.
   * Returns them as they are now: `state` says which change to tell.
   */
  claimUntold(ids: readonly string[]): Promise<AlertRecord[]> {
    return bySlices(ids, (slice) =>
      this.#db
        .updateTable('alerts')
        .set({ untold: 0 })
        .where('id', 'in', slice)
        .where((eb) => eb.or([eb.and([eb('untold', 'in', [1, 3]), eb('state', '=', 'firing')]), eb.and([eb('untold', '=', 2), eb('state', '=', 'resolved')])]))
        .returningAll()
        .execute(),
    );
  }

  /** The alerts, firing or resolved, of these nodes of an org (for reconcile), in one query per 5,000 nodes. */
  ofNodes(orgId: string, nodeIds: readonly string[]): Promise<AlertRecord[]> {
    return bySlices(nodeIds, (slice) => this.#db.selectFrom('alerts').selectAll().where('org_id', '=', orgId).where('node_id', 'in', slice).execute());
  }

  byKey(orgId: string, key: string): Promise<AlertRecord | undefined> {
    return this.#db.selectFrom('alerts').selectAll().where('org_id', '=', orgId).where('key', '=', key).executeTakeFirst();
  }

  /** Resolves one alert by hand (or because its condition ended). */
  async resolve(orgId: string, id: string, now: number): Promise<Transition[]> {
    const r = await this.#db.updateTable('alerts').set({ state: 'resolved', resolved_at: now }).where('org_id', '=', orgId).where('id', '=', id).where('state', '=', 'firing').returningAll().executeTakeFirst();
    return r ? [{ alert: r, change: 'resolved' }] : [];
  }

  get(orgId: string, id: string): Promise<AlertRecord | undefined> {
    return this.#db.selectFrom('alerts').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  }

  list(orgId: string, state: AlertState | undefined, limit: number): Promise<AlertRecord[]> {
    let q = this.#db.selectFrom('alerts').selectAll().where('org_id', '=', orgId);
    if (state) q = q.where('state', '=', state);
    return q.orderBy('last_fired_at', 'desc').limit(limit).execute();
  }

  /** Every alert of the org firing now. */
  firing(orgId: string): Promise<AlertRecord[]> {
    return this.#db.selectFrom('alerts').selectAll().where('org_id', '=', orgId).where('state', '=', 'firing').orderBy('id').execute();
  }

  async addMuteRule(rule: MuteRule): Promise<void> {
    await this.#db.insertInto('mute_rules').values(rule).execute();
  }

  muteRules(orgId: string, now: number): Promise<MuteRule[]> {
    return this.#db.selectFrom('mute_rules').selectAll().where('org_id', '=', orgId).where('until', '>', now).orderBy('created_at').execute();
  }

  async deleteMuteRule(orgId: string, id: string): Promise<boolean> {
    const r = await this.#db.deleteFrom('mute_rules').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async addWebhook(hook: Webhook): Promise<void> {
    await this.#db.insertInto('webhooks').values(hook).execute();
  }

  webhooks(orgId: string): Promise<Webhook[]> {
    return this.#db.selectFrom('webhooks').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
  }

  webhook(id: string): Promise<Webhook | undefined> {
    return this.#db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Changes a webhook's address, secret, which alerts it is told of and how they are grouped: false if the org has no such webhook. */
  async updateWebhook(orgId: string, id: string, changes: Partial<Pick<Webhook, 'url' | 'secret' | 'group_wait_ms' | 'min_severity' | 'kinds'>>): Promise<boolean> {
    if (Object.keys(changes).length === 0) return (await this.#db.selectFrom('webhooks').select('id').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst()) !== undefined;
    const r = await this.#db.updateTable('webhooks').set(changes).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async deleteWebhook(orgId: string, id: string): Promise<boolean> {
    const r = await this.#db.deleteFrom('webhooks').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  /** Stores a delivery and the alerts it tells of (by default its `alert_id`'s; none for a test), in one transaction. */
  async enqueueDelivery(d: WebhookDelivery, alertIds: readonly string[] = d.alert_id === '' ? [] : [d.alert_id]): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.insertInto('webhook_deliveries').values(d).execute();
      await insertDeliveryAlerts(trx, d, alertIds);
    });
  }

  /** Holds alert changes for their groups' deliveries (webhooks that group them). */
  async hold(changes: readonly WebhookWaiting[]): Promise<void> {
    for (let i = 0; i < changes.length; i += 500) await this.#db.insertInto('webhook_waiting').values(changes.slice(i, i + 500)).execute();
  }

  /** The groups of held changes that may go at `now` (their first change is due), the one due first first. */
  async groupsDue(now: number): Promise<WebhookGroup[]> {
    const rows = await this.#db
      .selectFrom('webhook_waiting')
      .select(['webhook_id', 'kind', 'zone_id'])
      .where('due_at', '<=', now)
      .groupBy(['webhook_id', 'kind', 'zone_id'])
      .orderBy((eb) => eb.fn.min('due_at'))
      .orderBy('webhook_id')
      .orderBy('kind')
      .orderBy('zone_id')
      .execute();
    return rows.map((r) => ({ webhookId: r.webhook_id, kind: r.kind, zoneId: r.zone_id }));
  }

  /**
   * Takes up to `limit` held changes of a group, the first held first, and stores the delivery
   * `deliver` makes of them, in one transaction: a change is taken once, and never lost, even
   * when replicas take the same group at once (the later finds nothing left). Returns the
   * changes taken, in order; none: no delivery stored.
   */
  takeGroup(group: WebhookGroup, limit: number, deliver: (changes: readonly WebhookWaiting[]) => { readonly delivery: WebhookDelivery; readonly alertIds: readonly string[] }): Promise<WebhookWaiting[]> {
    return this.#db.transaction().execute(async (trx) => {
      const first = trx.selectFrom('webhook_waiting').select('id').where('webhook_id', '=', group.webhookId).where('kind', '=', group.kind).where('zone_id', '=', group.zoneId).orderBy('created_at').orderBy('id').limit(limit);
      const taken = await trx.deleteFrom('webhook_waiting').where('id', 'in', first).returningAll().execute();
      if (taken.length === 0) return [];
      taken.sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
      const { delivery, alertIds } = deliver(taken);
      await trx.insertInto('webhook_deliveries').values(delivery).execute();
      await insertDeliveryAlerts(trx, delivery, alertIds);
      return taken;
    });
  }

  /** Deliveries due at `now` (pending, their next attempt not later), the first due first: of one webhook, or of all. */
  dueDeliveries(now: number, limit: number, webhookId?: string): Promise<WebhookDelivery[]> {
    let q = this.#due(now).selectAll('d');
    if (webhookId !== undefined) q = q.where('d.webhook_id', '=', webhookId);
    return q.orderBy('d.next_attempt_at').orderBy('d.created_at').orderBy('d.id').limit(limit).execute();
  }

  /**
   * The pending deliveries due at `now`, as `d`: but a delivery waits while an earlier one to the
   * same webhook that told one of its alerts is pending (retried later), alone or in a group,
   * so that a receiver never gets an alert's changes out of order (a `resolved` after the `fired`
   * that followed it). Tests (of no alert) are due by their time alone.
   */
  #due(now: number) {
    return this.#db
      .selectFrom('webhook_deliveries as d')
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('webhook_delivery_alerts as mine')
              .innerJoin('webhook_delivery_alerts as earlier', (join) => join.onRef('earlier.webhook_id', '=', 'mine.webhook_id').onRef('earlier.alert_id', '=', 'mine.alert_id'))
              .innerJoin('webhook_deliveries as e', 'e.id', 'earlier.delivery_id')
              .select('e.id')
              .whereRef('mine.delivery_id', '=', 'd.id')
              .where('e.status', '=', 'pending')
              .where(sql<boolean>`(earlier.created_at, earlier.delivery_id) < (d.created_at, d.id)`),
          ),
        ),
      );
  }

  /** The webhooks with deliveries due at `now`, the one with the delivery due first first. */
  async webhooksDue(now: number): Promise<string[]> {
    const rows = await this.#due(now)
      .select('d.webhook_id')
      .groupBy('d.webhook_id')
      .orderBy((eb) => eb.fn.min('d.next_attempt_at'))
      .orderBy('d.webhook_id')
      .execute();
    return rows.map((r) => r.webhook_id);
  }

  /**
   * Takes a due delivery for its sender until `until` (its next attempt moved there), so that
   * another server sending due deliveries at the same moment skips it: false if one took it
   * first, or it is no longer pending and due at `now`. A delivery whose sender died before
   * recording its attempt is due again at `until`.
   */
  async claimDelivery(id: string, now: number, until: number): Promise<boolean> {
    const r = await this.#db.updateTable('webhook_deliveries').set({ next_attempt_at: until }).where('id', '=', id).where('status', '=', 'pending').where('next_attempt_at', '<=', now).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async recordAttempt(id: string, outcome: Pick<WebhookDelivery, 'status' | 'attempts' | 'next_attempt_at' | 'last_status_code' | 'last_error' | 'delivered_at' | 'last_attempt_at'>): Promise<void> {
    await this.#db.updateTable('webhook_deliveries').set(outcome).where('id', '=', id).execute();
  }

  /**
   * Makes a failed delivery pending again, not due before `until` (its sender's claim, as
   * claimDelivery's): false if it is not failed (another took it first, or it never failed).
   */
  async reopenDelivery(id: string, until: number): Promise<boolean> {
    const r = await this.#db.updateTable('webhook_deliveries').set({ status: 'pending', next_attempt_at: until }).where('id', '=', id).where('status', '=', 'failed').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The first delivery to the same webhook made after `d` that told one of its alerts; undefined if none. */
  laterOfItsAlerts(d: Pick<WebhookDelivery, 'id' | 'webhook_id' | 'created_at'>): Promise<Pick<WebhookDelivery, 'id' | 'event' | 'status'> | undefined> {
    return this.#db
      .selectFrom('webhook_delivery_alerts as mine')
      .innerJoin('webhook_delivery_alerts as later', (join) => join.onRef('later.webhook_id', '=', 'mine.webhook_id').onRef('later.alert_id', '=', 'mine.alert_id'))
      .innerJoin('webhook_deliveries as e', 'e.id', 'later.delivery_id')
      .select(['e.id', 'e.event', 'e.status'])
      .where('mine.delivery_id', '=', d.id)
      .where(sql<boolean>`(later.created_at, later.delivery_id) > (${d.created_at}, ${d.id})`)
      .orderBy('later.created_at')
      .orderBy('later.delivery_id')
      .limit(1)
      .executeTakeFirst();
  }

  delivery(id: string): Promise<WebhookDelivery | undefined> {
    return this.#db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * A webhook's deliveries, newest first (of one time, the larger id first): `limit` of them,
   * of one `status` or any, made before the delivery `before` names (its time and id).
   */
  deliveries(webhookId: string, limit: number, { status, before }: { status?: DeliveryState; before?: { readonly createdAt: number; readonly id: string } } = {}): Promise<WebhookDelivery[]> {
    let query = this.#db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId);
    if (status !== undefined) query = query.where('status', '=', status);
    if (before) query = query.where(sql<boolean>`(created_at, id) < (${before.createdAt}, ${before.id})`);
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /**
   * Deletes at most `limit` finished deliveries (delivered or failed) made before `before`, the
   * oldest first: how many it deleted. Pending ones stay until they finish.
   */
  async expireDeliveries(before: number, limit: number): Promise<number> {
    const oldest = this.#db.selectFrom('webhook_deliveries').select('id').where('status', '<>', 'pending').where('created_at', '<', before).orderBy('created_at').limit(limit);
    const r = await this.#db.deleteFrom('webhook_deliveries').where('id', 'in', oldest).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

/** The alerts a delivery tells of, stored with it (its transaction's). */
async function insertDeliveryAlerts(db: Kysely<Database>, d: WebhookDelivery, alertIds: readonly string[]): Promise<void> {
  const rows = [...new Set(alertIds)].map((alert_id) => ({ delivery_id: d.id, alert_id, webhook_id: d.webhook_id, created_at: d.created_at }));
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('webhook_delivery_alerts').values(rows.slice(i, i + 500)).execute();
}

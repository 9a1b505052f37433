import { sql, type Kysely, type Selectable } from 'kysely';
import type { VerdictRecord } from '@locus/protocol';
import type { Database, VerdictTable } from '../schema.js';
import type { NodeRecord } from './nodes.js';
import { compareKeys } from './key-order.js';

/** Something a reader of a verdict must know that its record does not say. */
export interface VerdictNote {
  /** impossible-travel: two answers no single host could give; landmark-outlier: one landmark's RTT alone keeps the region empty. */
  readonly kind: 'impossible-travel' | 'landmark-outlier';
  readonly message: string;
  /** The landmarks, times and RTTs involved. */
  readonly evidence: unknown;
}

export interface StoredVerdict {
  readonly id: string;
  readonly nodeId: string;
  readonly computedAt: number;
  readonly measurements: number;
  readonly record: VerdictRecord;
  readonly notes: readonly VerdictNote[];
}

/** A node's current verdict (latestByOrg): its newest stored one, as last judged. */
export interface CurrentVerdict extends StoredVerdict {
  /** The node's last judgement whose `restricted` was not `excluded` (null: none known). */
  readonly unexcludedAt: number | null;
}

/** Each node's verdict history, newest last. */
export class VerdictRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(v: StoredVerdict): Promise<void> {
    await this.#db
      .insertInto('verdicts')
      .values({ id: v.id, node_id: v.nodeId, computed_at: v.computedAt, restricted: v.record.restricted, claim: v.record.claim, measurements: v.measurements, record: JSON.stringify(v.record), notes: v.notes.length === 0 ? null : JSON.stringify(v.notes) })
      .execute();
  }

  /**
   * Each node's current verdict, for the nodes of one org (only these if `nodeIds` is given):
   * its newest stored verdict, with when the node was last judged and on how many measurements
   * (a verdict row is stored only when the verdict changes; judging it again to the same record
   * notes only that: judged). One query, however many nodes, so that listings read what was
   * judged instead of judging again.
   */
  async latestByOrg(orgId: string, nodeIds?: readonly string[]): Promise<Map<string, CurrentVerdict>> {
    if (nodeIds?.length === 0) return new Map();
    let query = this.#db
      .selectFrom('verdicts as v')
      .innerJoin('nodes as n', 'n.id', 'v.node_id')
      .leftJoin('node_judgements as j', 'j.node_id', 'v.node_id')
      .selectAll('v')
      .select(['n.org_id', 'j.judged_at', 'j.measurements as judged_measurements', 'j.record as judged_record', 'j.unexcluded_at']);
    // Given ids, the query names them alone (the org is checked on the rows), so that the
    // database finds them by key rather than reading all of the org's nodes for each slice.
    query = nodeIds ? query.where('v.node_id', 'in', nodeIds) : query.where('n.org_id', '=', orgId);
    const rows = await query
      .where((eb) => eb('v.computed_at', '=', eb.selectFrom('verdicts as w').select((w) => w.fn.max('w.computed_at').as('at')).whereRef('w.node_id', '=', 'v.node_id')))
      .orderBy('v.id')
      .execute();
    // Two verdicts of one node stored in the same millisecond: the larger id wins, as in history().
    return new Map(
      rows.flatMap(({ org_id, judged_at, judged_measurements, judged_record, unexcluded_at, ...r }) => {
        if (org_id !== orgId) return [];
        const stored: CurrentVerdict = { ...toStored(r), unexcludedAt: unexcluded_at == null ? null : Number(unexcluded_at) };
        const judged =
          judged_at === null || Number(judged_at) < stored.computedAt
            ? stored
            : { ...stored, computedAt: Number(judged_at), measurements: judged_measurements!, ...(judged_record == null ? {} : { record: JSON.parse(judged_record) as VerdictRecord }) };
        return [[r.node_id, judged] as const];
      }),
    );
  }

  /**
   * How many of an org's enrolled nodes have each `restricted` state in their newest verdict
   * (the same newest as latestByOrg), counted in the database: the fleet summary without reading
   * every node's record. Nodes without a verdict are not counted.
   */
  async latestRestrictedCounts(orgId: string): Promise<Record<string, number>> {
    const { rows } = await sql<{ restricted: string; count: number | string | bigint }>`
      select restricted, count(*) as count from (
        select v.restricted, row_number() over (partition by v.node_id order by v.computed_at desc, v.id desc) as newest
        from verdicts v join nodes n on n.id = v.node_id
        where n.org_id = ${orgId} and n.unenrolled_at is null
      ) latest where newest = 1 group by restricted`.execute(this.#db);
    return Object.fromEntries(rows.map((r) => [r.restricted, Number(r.count)]));
  }

  /** When a node is next to be judged (expiring lists it from then); null: not noted. */
  async expiry(nodeId: string): Promise<number | null> {
    const row = await this.#db.selectFrom('verdict_expiry').select('expires_at').where('node_id', '=', nodeId).executeTakeFirst();
    return row === undefined ? null : Number(row.expires_at);
  }

  /**
   * Notes when a node's verdict loses a bound, so that it is judged again then (expiring); null:
   * never (it rests on no measurement). Given `seen`, what `expiry` read before the verdict was
   * judged: if another request changed it since (made the node due for a measurement the
   * verdict may not have read), the sooner of the two is kept, never lost.
   */
  async setExpiry(nodeId: string, at: number | null, seen?: number | null): Promise<void> {
    if (at === null) {
      let query = this.#db.deleteFrom('verdict_expiry').where('node_id', '=', nodeId);
      if (seen !== undefined) query = seen === null ? query.where(sql<boolean>`false`) : query.where('expires_at', '=', seen);
      await query.execute();
      return;
    }
    await this.#db
      .insertInto('verdict_expiry')
      .values({ node_id: nodeId, expires_at: at })
      .onConflict((oc) =>
        oc.column('node_id').doUpdateSet({
          expires_at:
            seen === undefined
              ? at
              : sql<number>`case when verdict_expiry.expires_at = ${seen} then excluded.expires_at when verdict_expiry.expires_at < excluded.expires_at then verdict_expiry.expires_at else excluded.expires_at end`,
        }),
      )
      .execute();
  }

  /**
   * Notes that a node was judged at `at`, on `measurements` measurements, to `record` (a history
   * row is stored only when what the verdict says changed; its area and estimate change at every
   * judgement, and lists show them from here).
   */
  async judged(nodeId: string, at: number, measurements: number, record: VerdictRecord): Promise<void> {
    const values = { judged_at: at, measurements, record: JSON.stringify(record) };
    // The last judgement that did not exclude the restricted countries: kept while they stay excluded.
    const unexcluded = record.restricted === 'excluded' ? {} : { unexcluded_at: at };
    await this.#db
      .insertInto('node_judgements')
      .values({ node_id: nodeId, ...values, ...unexcluded })
      .onConflict((oc) => oc.column('node_id').doUpdateSet({ ...values, ...unexcluded }))
      .execute();
  }

  /** When each of these nodes was last judged, and on how many measurements (those never judged are missing). */
  async lastJudged(nodeIds: readonly string[]): Promise<Map<string, { readonly at: number; readonly measurements: number }>> {
    if (nodeIds.length === 0) return new Map();
    const rows = await this.#db.selectFrom('node_judgements').select(['node_id', 'judged_at', 'measurements']).where('node_id', 'in', nodeIds).execute();
    return new Map(rows.map((r) => [r.node_id, { at: Number(r.judged_at), measurements: r.measurements }]));
  }

  /** Has each node (each once) judged again by its time (expiring lists it then), unless it is due sooner. */
  async dueBy(due: readonly { readonly nodeId: string; readonly at: number }[]): Promise<void> {
    if (due.length === 0) return;
    await this.#db
      .insertInto('verdict_expiry')
      // In key order: landmarks' deliveries of the same nodes at once take their rows in one order (no deadlock on PostgreSQL).
      .values(due.map((d) => ({ node_id: d.nodeId, expires_at: d.at })).sort((a, b) => compareKeys(a.node_id, b.node_id)))
      .onConflict((oc) => oc.column('node_id').doUpdateSet((eb) => ({ expires_at: eb.ref('excluded.expires_at') })).where((eb) => eb('verdict_expiry.expires_at', '>', eb.ref('excluded.expires_at'))))
      .execute();
  }

  /**
   * Makes the verdicts that may rest on a landmark's measurements (of host keys it measured
   * since `since`) lose their bound at `at`, unless they do sooner: when it is revoked. Returns
   * how many changed.
   */
  async expireMeasuredBy(landmarkId: string, since: number, at: number): Promise<number> {
    const r = await this.#db
      .updateTable('verdict_expiry')
      .set({ expires_at: at })
      .where('expires_at', '>', at)
      .where('node_id', 'in', (eb) => eb.selectFrom('nodes').select('id').where('host_key', 'in', eb.selectFrom('measurements').select('host_key').where('landmark_id', '=', landmarkId).where('measured_at', '>=', since)))
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /**
   * Makes every node's verdict lose its bound at `at`, unless it does sooner: those that rest on
   * no measurement too (with an empty restricted list, even they were "excluded").
   */
  async expireAll(at: number): Promise<void> {
    await this.#db
      .insertInto('verdict_expiry')
      .columns(['node_id', 'expires_at'])
      // (SQLite needs a WHERE before an upsert's ON CONFLICT to read an INSERT … SELECT.)
      .expression((eb) => eb.selectFrom('verdicts').select(['node_id', sql<number>`cast(${at} as bigint)`.as('expires_at')]).distinct().where(sql<boolean>`true`))
      .onConflict((oc) => oc.column('node_id').doUpdateSet({ expires_at: at }).where('verdict_expiry.expires_at', '>', at))
      .execute();
  }

  /**
   * Notes the parameters verdicts are judged with from now on (canonical JSON): whether they
   * differ from those noted before (false the first time: the migration that keeps them has
   * every verdict judged again already).
   */
  async noteParameters(parameters: string, now: number): Promise<boolean> {
    const before = await this.#db.selectFrom('verdict_parameters').select('parameters').where('id', '=', 'current').executeTakeFirst();
    if (before?.parameters === parameters) return false;
    await this.#db
      .insertInto('verdict_parameters')
      .values({ id: 'current', parameters, noted_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ parameters, noted_at: now }))
      .execute();
    return before !== undefined;
  }

  /**
   * Takes at most `limit` of the nodes `expiring` lists at `now`, the first due first, for one
   * server to judge: each is due again at `until` (another takes it then if this one fails to
   * judge it), so that servers taking at once take none twice. Returns them with the due time
   * now noted (`until`, which the verdict sees before judging).
   */
  async claimExpiring(now: number, until: number, limit: number): Promise<NodeRecord[]> {
    const claimed = await this.#db
      .updateTable('verdict_expiry')
      .set({ expires_at: until })
      .where('node_id', 'in', (eb) => eb.selectFrom('verdict_expiry as e').select('e.node_id').where('e.expires_at', '<=', now).orderBy('e.expires_at').orderBy('e.node_id').limit(limit))
      // Checked again on the row itself: one another server took meanwhile is due later now.
      .where('expires_at', '<=', now)
      .returning('node_id')
      .execute();
    if (claimed.length === 0) return [];
    return this.#db
      .selectFrom('nodes')
      .selectAll()
      .where(
        'id',
        'in',
        claimed.map((c) => c.node_id),
      )
      .orderBy('id')
      .execute();
  }

  /** How many nodes (of every org) are due to be judged by `now`, and since when the first of them is (null: none). */
  async due(now: number): Promise<{ count: number; since: number | null }> {
    const row = await this.#db
      .selectFrom('verdict_expiry')
      .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.min<number | string | null>('expires_at').as('since')])
      .where('expires_at', '<=', now)
      .executeTakeFirstOrThrow();
    return { count: Number(row.n), since: row.since === null ? null : Number(row.since) };
  }

  /** Nodes (of every org) whose verdict has lost a bound by `now`, the first to lose one first, at most `limit`. */
  async expiring(now: number, limit: number): Promise<NodeRecord[]> {
    return this.#db
      .selectFrom('verdict_expiry as e')
      .innerJoin('nodes as n', 'n.id', 'e.node_id')
      .selectAll('n')
      .where('e.expires_at', '<=', now)
      .orderBy('e.expires_at')
      .orderBy('n.id')
      .limit(limit)
      .execute();
  }

  /**
   * Deletes at most `limit` verdicts computed before `before`, the oldest first, but never a
   * node's newest (which lists, zones and reports read): how many it deleted.
   */
  async expire(before: number, limit: number): Promise<number> {
    const r = await this.#db
      .deleteFrom('verdicts')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('verdicts as v')
          .select('v.id')
          .where('v.computed_at', '<', before)
          // A newer one of the same node (the same order as history's: time, then id).
          .where((w) => w.exists(w.selectFrom('verdicts as n').select('n.id').whereRef('n.node_id', '=', 'v.node_id').where((x) => x.or([x('n.computed_at', '>', x.ref('v.computed_at')), x.and([x('n.computed_at', '=', x.ref('v.computed_at')), x('n.id', '>', x.ref('v.id'))])]))))
          .orderBy('v.computed_at')
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** The newest first, at most `limit`. */
  /**
   * A node's verdicts, newest first (of two in one millisecond, the larger id first), at most
   * `limit`; with `before`, only those older than that verdict (its time and id), so that pages
   * taken one after another neither skip nor repeat a verdict as new ones are stored.
   */
  async history(nodeId: string, limit = 100, before?: { readonly computedAt: number; readonly id: string }): Promise<StoredVerdict[]> {
    let query = this.#db.selectFrom('verdicts').selectAll().where('node_id', '=', nodeId);
    if (before) query = query.where((eb) => eb.or([eb('computed_at', '<', before.computedAt), eb.and([eb('computed_at', '=', before.computedAt), eb('id', '<', before.id)])]));
    const rows = await query.orderBy('computed_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toStored);
  }
}

function toStored(r: Selectable<VerdictTable>): StoredVerdict {
  return { id: r.id, nodeId: r.node_id, computedAt: Number(r.computed_at), measurements: r.measurements, record: JSON.parse(r.record) as VerdictRecord, notes: r.notes === null ? [] : (JSON.parse(r.notes) as VerdictNote[]) };
}

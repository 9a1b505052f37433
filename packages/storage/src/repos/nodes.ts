import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database, NodeTable } from '../schema.js';
import { placeholderStyleOf } from './bulk.js';
import { keepRefusal, type Refusal } from './refusal.js';
import { bySlices } from './slices.js';

export type NodeRecord = Selectable<NodeTable>;
export type NewNode = Insertable<NodeTable>;

export class NodeRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Inserts the node; false if its host key is already registered. */
  async create(node: NewNode): Promise<boolean> {
    const r = await this.#db.insertInto('nodes').values(node).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** A node of this org; another org's node is as absent as a missing one. */
  get(orgId: string, id: string): Promise<NodeRecord | undefined> {
    return this.#db.selectFrom('nodes').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  }

  byHostKey(hostKey: string): Promise<NodeRecord | undefined> {
    return this.#db.selectFrom('nodes').selectAll().where('host_key', '=', hostKey).executeTakeFirst();
  }

  /** Enrolled nodes of every org, at most `limit` (a server's ingest route remembers them from its start). */
  enrolled(limit: number): Promise<NodeRecord[]> {
    return this.#db.selectFrom('nodes').selectAll().where('unenrolled_at', 'is', null).limit(limit).execute();
  }

  /** The zone of each of these nodes of the org that is in one. */
  async zonesOf(orgId: string, nodeIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await bySlices(nodeIds, (slice) => this.#db.selectFrom('nodes').select(['id', 'zone_id']).where('org_id', '=', orgId).where('id', 'in', slice).where('zone_id', 'is not', null).execute());
    return new Map(rows.map((r) => [r.id, r.zone_id!]));
  }

  /** The name of each of these nodes that is the org's (another org's are left out). */
  async namesOf(orgId: string, nodeIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await bySlices(nodeIds, (slice) => this.#db.selectFrom('nodes').select(['id', 'name']).where('org_id', '=', orgId).where('id', 'in', slice).execute());
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  list(orgId: string): Promise<NodeRecord[]> {
    return this.#db.selectFrom('nodes').selectAll().where('org_id', '=', orgId).orderBy('name').orderBy('id').execute();
  }

  /**
   * An org's nodes whose name contains `q` (any case; `%` and `_` taken literally), in a zone
   * (`null`: in none), claiming a country (`null`: none) and running an agent version (`null`: one
   * that does not say), as given; ordered by name.
   */
  search(
    orgId: string,
    filter: {
      readonly q?: string | undefined;
      readonly zoneId?: string | null | undefined;
      readonly claimedCountry?: string | null | undefined;
      readonly agentVersion?: string | null | undefined;
      readonly unenrolled?: 'exclude' | 'include' | 'only' | undefined;
    },
  ): Promise<NodeRecord[]> {
    let query = this.#db.selectFrom('nodes').selectAll().where('org_id', '=', orgId);
    if (filter.unenrolled === 'exclude') query = query.where('unenrolled_at', 'is', null);
    else if (filter.unenrolled === 'only') query = query.where('unenrolled_at', 'is not', null);
    if (filter.q) query = query.where(sql<boolean>`lower(name) like ${`%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`);
    if (filter.zoneId !== undefined) query = filter.zoneId === null ? query.where('zone_id', 'is', null) : query.where('zone_id', '=', filter.zoneId);
    if (filter.claimedCountry !== undefined) query = filter.claimedCountry === null ? query.where('claimed_country', 'is', null) : query.where('claimed_country', '=', filter.claimedCountry);
    if (filter.agentVersion !== undefined) query = filter.agentVersion === null ? query.where('agent_version', 'is', null) : query.where('agent_version', '=', filter.agentVersion);
    return query.orderBy('name').orderBy('id').execute();
  }

  /** Marks the node of this host key as gone; false if there is no enrolled node with it. */
  async unenroll(hostKey: string, at: number): Promise<boolean> {
    const r = await this.#db.updateTable('nodes').set({ unenrolled_at: at }).where('host_key', '=', hostKey).where('unenrolled_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Records the newest refusal of a batch the node's own agent signed; an older one (from a
   * server whose answer came late) leaves a newer in place.
   */
  async markRefused(nodeId: string, refusal: Refusal): Promise<void> {
    await keepRefusal(this.#db, 'nodes', nodeId, refusal);
  }

  /** Of these host keys, those a node has (of any org, enrolled or not). */
  async knownHostKeys(hostKeys: readonly string[]): Promise<Set<string>> {
    if (hostKeys.length === 0) return new Set();
    const rows = await this.#db.selectFrom('nodes').select('host_key').where('host_key', 'in', hostKeys).execute();
    return new Set(rows.map((r) => r.host_key));
  }

  /** Notes that landmarks measured the nodes of these host keys at `at`; returns those nodes (of any org, enrolled or not). */
  async markMeasured(hostKeys: readonly string[], at: number): Promise<NodeRecord[]> {
    if (hostKeys.length === 0) return [];
    const update = this.#db.updateTable('nodes').set({ last_measured_at: at });
    // Landmarks' deliveries mark the same nodes at once, each in one statement. On PostgreSQL each
    // locks its rows in the order its plan meets them (in a scan of the table, where their latest
    // versions lie), so two could each hold a row the other waits for: they lock them in key
    // order first. SQLite writes one statement at a time.
    if (placeholderStyleOf(this.#db) === 'dollar') {
      return update.where('id', 'in', (eb) => eb.selectFrom('nodes').select('id').where('host_key', 'in', hostKeys).orderBy('host_key').forUpdate()).returningAll().execute();
    }
    return update.where('host_key', 'in', hostKeys).returningAll().execute();
  }
}

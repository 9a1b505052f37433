import type { Kysely } from 'kysely';
import type { Database, ZoneTable } from '../schema.js';
import type { NodeRecord } from './nodes.js';

export type ZoneRecord = ZoneTable;

/** Compute zones of an org, and which nodes belong to them. */
export class ZoneRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Creates the zone; false if the org already has one of that name. */
  async create(zone: ZoneRecord): Promise<boolean> {
    const r = await this.#db.insertInto('zones').values(zone).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  get(orgId: string, id: string): Promise<ZoneRecord | undefined> {
    return this.#db.selectFrom('zones').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  }

  byName(orgId: string, name: string): Promise<ZoneRecord | undefined> {
    return this.#db.selectFrom('zones').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst();
  }

  list(orgId: string): Promise<ZoneRecord[]> {
    return this.#db.selectFrom('zones').selectAll().where('org_id', '=', orgId).orderBy('name').execute();
  }

  members(orgId: string, zoneId: string): Promise<NodeRecord[]> {
    return this.#db.selectFrom('nodes').selectAll().where('org_id', '=', orgId).where('zone_id', '=', zoneId).where('unenrolled_at', 'is', null).orderBy('name').execute();
  }

  /** Puts a node of the org in a zone (or none); false when the node is not the org's. */
  async assign(orgId: string, nodeId: string, zoneId: string | null): Promise<boolean> {
    const r = await this.#db.updateTable('nodes').set({ zone_id: zoneId }).where('org_id', '=', orgId).where('id', '=', nodeId).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}

import type { Kysely } from 'kysely';
import type { Database, ReportTable, ServerKeyTable } from '../schema.js';

export type ReportRecord = ReportTable;
export type ServerKey = ServerKeyTable;
/** A report without its body, for listings. */
export type ReportEntry = Omit<ReportTable, 'body'>;

/** The server's signing keys and the reports signed with them. */
export class ReportRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * The key for a purpose: the stored one, or `candidate` stored now. Replicas racing to make
   * the first key all end up with the one that was stored first.
   */
  async ensureKey(candidate: ServerKey): Promise<ServerKey> {
    await this.#db.insertInto('server_keys').values(candidate).onConflict((oc) => oc.column('purpose').doNothing()).execute();
    return (await this.#db.selectFrom('server_keys').selectAll().where('purpose', '=', candidate.purpose).executeTakeFirst())!;
  }

  key(purpose: string): Promise<ServerKey | undefined> {
    return this.#db.selectFrom('server_keys').selectAll().where('purpose', '=', purpose).executeTakeFirst();
  }

  async add(report: ReportRecord): Promise<void> {
    await this.#db.insertInto('reports').values(report).execute();
  }

  get(orgId: string, id: string): Promise<ReportRecord | undefined> {
    return this.#db.selectFrom('reports').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  }

  list(orgId: string, limit: number): Promise<ReportEntry[]> {
    return this.#db
      .selectFrom('reports')
      .select(['id', 'org_id', 'format', 'zone_id', 'created_at', 'created_by', 'signature'])
      .where('org_id', '=', orgId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  }
}

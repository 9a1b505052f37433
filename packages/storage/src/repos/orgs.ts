import type { Kysely } from 'kysely';
import type { Database, OrgTable } from '../schema.js';

export type Org = OrgTable;

export class OrgRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async create(org: Org): Promise<Org> {
    await this.#db.insertInto('orgs').values(org).execute();
    return org;
  }

  /** Creates the org unless one with this id exists; returns the stored one. */
  async ensure(org: Org): Promise<Org> {
    await this.#db.insertInto('orgs').values(org).onConflict((oc) => oc.column('id').doNothing()).execute();
    return (await this.get(org.id))!;
  }

  list(): Promise<Org[]> {
    return this.#db.selectFrom('orgs').selectAll().orderBy('id').execute();
  }

  get(id: string): Promise<Org | undefined> {
    return this.#db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
  }
}

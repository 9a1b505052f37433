import type { Kysely } from 'kysely';
import type { Database, TokenTable } from '../schema.js';

export type TokenRecord = TokenTable;

/** API tokens, stored as hashes only. */
export class TokenRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async create(token: TokenRecord): Promise<void> {
    await this.#db.insertInto('tokens').values(token).execute();
  }

  /** Stores the token unless its hash is already known (a restart with the same admin token). */
  async ensure(token: TokenRecord): Promise<void> {
    await this.#db.insertInto('tokens').values(token).onConflict((oc) => oc.column('hash').doNothing()).execute();
  }

  findByHash(hash: string): Promise<TokenRecord | undefined> {
    return this.#db.selectFrom('tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
  }

  async countForOrg(orgId: string): Promise<number> {
    const row = await this.#db.selectFrom('tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async touch(id: string, at: number): Promise<void> {
    await this.#db.updateTable('tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}

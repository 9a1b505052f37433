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

  /** An org's tokens, oldest first. */
  list(orgId: string): Promise<TokenRecord[]> {
    return this.#db.selectFrom('tokens').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
  }

  get(orgId: string, id: string): Promise<TokenRecord | undefined> {
    return this.#db.selectFrom('tokens').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  }

  /**
   * Revokes a token, unless it is the org's last owner token that has not expired (which would
   * lock the org out); answers what happened.
   */
  async revoke(orgId: string, id: string, now: number): Promise<'revoked' | 'absent' | 'last-owner'> {
    return this.#db.transaction().execute(async (trx) => {
      const token = await trx.selectFrom('tokens').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      if (!token) return 'absent';
      if (token.role === 'owner' && (token.expires_at === null || token.expires_at > now)) {
        const owners = await trx
          .selectFrom('tokens')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('org_id', '=', orgId)
          .where('role', '=', 'owner')
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
          .executeTakeFirstOrThrow();
        if (Number(owners.n) <= 1) return 'last-owner';
      }
      await trx.deleteFrom('tokens').where('id', '=', id).execute();
      return 'revoked';
    });
  }

  async touch(id: string, at: number): Promise<void> {
    await this.#db.updateTable('tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}

import type { Kysely } from 'kysely';
import type { Database, EnrollmentTokenTable } from '../schema.js';

/** Enrollment tokens: hashed, expiring, good for a limited number of uses. */
export class EnrollmentTokenRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async create(token: EnrollmentTokenTable): Promise<void> {
    await this.#db.insertInto('enrollment_tokens').values(token).execute();
  }

  /**
   * Uses the token once if it is known, unexpired and has uses left; returns its org. One
   * statement, so that two agents racing for the last use cannot both win.
   */
  async consume(hash: string, now: number): Promise<{ orgId: string; zoneId: string | null } | undefined> {
    const row = await this.#db
      .updateTable('enrollment_tokens')
      .set((eb) => ({ uses_left: eb('uses_left', '-', 1) }))
      .where('hash', '=', hash)
      .where('uses_left', '>', 0)
      .where('expires_at', '>', now)
      .returning(['org_id', 'zone_id'])
      .executeTakeFirst();
    return row && { orgId: row.org_id, zoneId: row.zone_id };
  }
}

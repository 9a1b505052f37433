import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Leases on background tasks that one server of a fleet's replicas should run at a time: a
 * holder takes a task's lease, renews it each time it runs the task, and gives it up when it
 * stops; a lease its holder neither renewed nor gave up (a process killed) passes to another
 * replica once it expires.
 */
export class LeaseRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Takes or renews the task's lease for `holder` until `until`: true if it is now the holder's,
   * false while another holder's lease runs (at `now`). Of replicas asking at once, one wins.
   */
  async acquire(task: string, holder: string, now: number, until: number): Promise<boolean> {
    const r = await this.#db
      .insertInto('background_leases')
      .values({ task, holder, expires_at: until })
      .onConflict((oc) =>
        oc
          .column('task')
          .doUpdateSet({ holder, expires_at: until })
          .where((eb) => eb.or([eb('background_leases.holder', '=', holder), eb('background_leases.expires_at', '<=', now)])),
      )
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** Gives up the holder's leases (a server stopping), so that another replica takes them at once. */
  async release(holder: string): Promise<void> {
    await this.#db.deleteFrom('background_leases').where('holder', '=', holder).execute();
  }

  /** Who holds the task's lease and until when; undefined if nobody ever took it or it was given up. */
  holderOf(task: string): Promise<{ holder: string; expires_at: number } | undefined> {
    return this.#db.selectFrom('background_leases').select(['holder', 'expires_at']).where('task', '=', task).executeTakeFirst();
  }
}

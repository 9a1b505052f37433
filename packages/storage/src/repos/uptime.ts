import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Since when a service of the fleet (its servers, any replica of them) has been up without a
 * break: each server notes at intervals that it is up (beat), and a time longer than a gap with
 * nobody noting it (every replica down, or none reaching the database) starts it again.
 */
export class UptimeRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Notes that the service is up at `now`; answers since when it has been without a break, that
   * is without a time longer than `gapMs` since the last note. The first note ever starts it. A
   * note older than the last (a replica whose clock is behind) changes nothing.
   */
  async beat(service: string, now: number, gapMs: number): Promise<number> {
    await this.#db
      .insertInto('service_uptime')
      .values({ service, since: now, seen_at: now })
      .onConflict((oc) =>
        oc
          .column('service')
          .doUpdateSet({ since: sql<number>`case when service_uptime.seen_at < ${now - gapMs} then cast(${now} as bigint) else service_uptime.since end`, seen_at: now })
          .where('service_uptime.seen_at', '<=', now),
      )
      .execute();
    const since = await this.since(service);
    if (since === undefined) throw new Error(`uptime of ${service}: the note just written is not there`);
    return since;
  }

  /** Since when the service has been up, as its last note left it; undefined before any. */
  async since(service: string): Promise<number | undefined> {
    const row = await this.#db.selectFrom('service_uptime').select('since').where('service', '=', service).executeTakeFirst();
    return row === undefined ? undefined : Number(row.since);
  }
}

import { sql, type Kysely, type Migration } from 'kysely';

/**
 * `alerts.untold` may be 2 and 3 as well (schema.ts): an alert webhooks hold open (told it
 * fired) that resolved while muted is told of its resolution when the mute ends (a receiver must
 * not be left with an incident that never closes). The index covers every value the loop looks for.
 */
export const alertUntoldResolution: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`drop index alerts_untold`.execute(db);
    await sql`create index alerts_untold on alerts (org_id) where untold <> 0`.execute(db);
  },
};

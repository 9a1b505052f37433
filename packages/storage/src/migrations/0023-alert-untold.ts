import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Whether an alert's latest firing or severity change was muted, so that no webhook was told of
 * it: told when the mute ends if the alert still fires (a mute must not swallow an incident).
 * Indexed on those alone: the loop looks for them every run.
 */
export const alertUntold: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('alerts').addColumn('untold', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await sql`create index alerts_untold on alerts (org_id) where untold = 1`.execute(db);
  },
};

import type { Kysely, Migration } from 'kysely';

/** A mute rule may name a zone: the alerts of its members are muted (a maintenance window for a site). */
export const zoneMuteRules: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('mute_rules').addColumn('zone_id', 'text').execute();
  },
};

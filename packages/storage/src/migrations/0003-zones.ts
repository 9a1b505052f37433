import type { Kysely, Migration } from 'kysely';

/** Compute zones: named sites whose nodes claim to stand together. */
export const zones: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('zones')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('claimed_country', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('zones_org_name').on('zones').columns(['org_id', 'name']).unique().execute();
    await db.schema.alterTable('nodes').addColumn('zone_id', 'text').execute();
    await db.schema.alterTable('enrollment_tokens').addColumn('zone_id', 'text').execute();
  },
};

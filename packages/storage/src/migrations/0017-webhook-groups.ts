import type { Kysely, Migration } from 'kysely';

/**
 * A webhook may be told of some alerts only (a severity and worse, some kinds), and may take
 * alert changes in groups (a kind in a zone, sent together once the first has
 * waited its time): the changes waiting for their group's delivery, and how many changes each
 * delivery carries. A partitioned site is one delivery per webhook, not one per node.
 */
export const webhookGroups: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('webhooks').addColumn('group_wait_ms', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    // What a webhook is told of: alerts of this severity or worse, of these kinds (JSON; null: all).
    await db.schema.alterTable('webhooks').addColumn('min_severity', 'text', (c) => c.notNull().defaultTo('warning')).execute();
    await db.schema.alterTable('webhooks').addColumn('kinds', 'text').execute();
    await db.schema.alterTable('webhook_deliveries').addColumn('changes', 'integer', (c) => c.notNull().defaultTo(1)).execute();
    await db.schema
      .createTable('webhook_waiting')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('zone_id', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('previous_severity', 'text')
      .addColumn('alert', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('due_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('webhook_waiting_group').on('webhook_waiting').columns(['webhook_id', 'kind', 'zone_id', 'created_at']).execute();
    await db.schema.createIndex('webhook_waiting_due').on('webhook_waiting').column('due_at').execute();
  },
};

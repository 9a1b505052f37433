import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The delivery log as operators read it: when each delivery was last tried (a delivered one's
 * from its delivery time; null for one not yet tried), and a webhook's deliveries newest first
 * a page at a time, and the finished ones by age for the log's retention.
 */
export const deliveryLog: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('webhook_deliveries').addColumn('last_attempt_at', 'bigint').execute();
    await sql`update webhook_deliveries set last_attempt_at = delivered_at where delivered_at is not null`.execute(db);
    await db.schema.createIndex('deliveries_by_webhook').on('webhook_deliveries').columns(['webhook_id', 'created_at', 'id']).execute();
    await sql`create index deliveries_finished on webhook_deliveries (created_at) where status <> 'pending'`.execute(db);
  },
};

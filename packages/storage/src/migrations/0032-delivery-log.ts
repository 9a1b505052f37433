import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The delivery log as operators read it, and the order deliveries keep:
 * - when each delivery was last tried (null before its first attempt, and for those made before
 *   this migration, which the log shows with their delivery time when delivered);
 * - a webhook's deliveries newest first a page at a time, and the finished ones by age for the
 *   log's retention;
 * - the alerts each delivery told of (`webhook_delivery_alerts`: one for an alert's delivery, each
 *   of a group's), by which a delivery waits while an earlier one to the same webhook that told
 *   one of its alerts is pending, whether alone or in a group, of whichever zone: a receiver gets
 *   an alert's changes in order. It replaces the index of pending deliveries by alert (0031),
 *   which knew single deliveries only. Deliveries made before are backfilled from `alert_id`;
 *   groups made before (their alerts in their body) are due by their time alone, as then.
 */
export const deliveryLog: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('webhook_deliveries').addColumn('last_attempt_at', 'bigint').execute();
    await db.schema.createIndex('deliveries_by_webhook').on('webhook_deliveries').columns(['webhook_id', 'created_at', 'id']).execute();
    await sql`create index deliveries_finished on webhook_deliveries (created_at) where status <> 'pending'`.execute(db);
    await db.schema
      .createTable('webhook_delivery_alerts')
      .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('webhook_id', 'text', (c) => c.notNull())
      // The delivery's, so that "earlier" is read from this table alone.
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('webhook_delivery_alerts_pk', ['delivery_id', 'alert_id'])
      .execute();
    await db.schema.createIndex('delivery_alerts_by_alert').on('webhook_delivery_alerts').columns(['webhook_id', 'alert_id', 'created_at', 'delivery_id']).execute();
    await sql`insert into webhook_delivery_alerts (delivery_id, alert_id, webhook_id, created_at) select id, alert_id, webhook_id, created_at from webhook_deliveries where alert_id <> '' and event <> 'group'`.execute(db);
    await sql`drop index deliveries_pending_by_alert`.execute(db);
  },
};

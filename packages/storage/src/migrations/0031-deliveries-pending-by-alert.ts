import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The pending deliveries of each alert, in the order they were made: a delivery of an alert is
 * not due while an earlier one of it to the same webhook is pending (a `resolved` retried must
 * not reach a receiver after the `fired` that came later), and the due queries ask this of each.
 */
export const deliveriesPendingByAlert: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`create index deliveries_pending_by_alert on webhook_deliveries (webhook_id, alert_id, created_at) where status = 'pending'`.execute(db);
  },
};

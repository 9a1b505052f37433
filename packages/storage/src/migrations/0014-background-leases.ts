import type { Kysely, Migration } from 'kysely';

/**
 * Who runs each of the background loop's fleet-wide tasks (the alert sweep, retention): one
 * replica at a time holds a task's lease and renews it each run; the others skip the task until
 * it expires (LeaseRepo).
 */
export const backgroundLeases: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('background_leases')
      .addColumn('task', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};

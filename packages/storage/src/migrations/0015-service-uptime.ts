import type { Kysely, Migration } from 'kysely';

/**
 * Since when a fleet's servers have been up without a break (UptimeRepo): every replica notes
 * it is up at each run of its background loop, and a break longer than the gap it is given (no
 * replica up, or none reaching the database) starts the time again. Silence alerts read it: an
 * agent cannot have been heard while no server was there to hear it.
 */
export const serviceUptime: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('service_uptime')
      .addColumn('service', 'text', (c) => c.primaryKey())
      .addColumn('since', 'bigint', (c) => c.notNull())
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};

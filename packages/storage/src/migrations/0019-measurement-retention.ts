import type { Kysely, Migration } from 'kysely';

/**
 * Measurements, and verdicts, by time, so that those past their retention are found without
 * reading the rest.
 */
export const measurementRetention: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('measurements_time').on('measurements').column('measured_at').execute();
    await db.schema.createIndex('verdicts_time').on('verdicts').column('computed_at').execute();
  },
};

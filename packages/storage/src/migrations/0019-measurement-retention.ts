import type { Kysely, Migration } from 'kysely';

/** Measurements by time, so that those past their retention are found without reading the rest. */
export const measurementRetention: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('measurements_time').on('measurements').column('measured_at').execute();
  },
};

import type { Kysely, Migration } from 'kysely';

/**
 * When each landmark's newest stored measurement was taken: a landmark that stops measuring or
 * delivering shows as silent (GET /api/v1/landmarks/status, the fleet metrics), where before only
 * the verdicts that rest on it went stale. Null until its first measurement is stored.
 */
export const landmarkLastMeasurement: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('landmarks').addColumn('last_measurement_at', 'bigint').execute();
  },
};

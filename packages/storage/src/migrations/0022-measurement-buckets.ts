import type { Kysely, Migration } from 'kysely';
import type { Database } from '../schema.js';
import { summarizeMeasurements } from '../repos/measurements.js';

/**
 * Each host's measurements summed up per landmark and 10-minute bucket as they are stored (the
 * least RTT, when it was first taken, how many), so that judging a node reads at most a row per
 * landmark and bucket of its window rather than every measurement in it (MeasurementRepo.buckets).
 * Filled from the measurements of the last 7 hours before the newest: those a window can still
 * hold (older buckets are never read).
 */
export const measurementBuckets: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('measurement_buckets')
      .addColumn('host_key', 'text', (c) => c.notNull())
      .addColumn('bucket', 'bigint', (c) => c.notNull())
      .addColumn('landmark_id', 'text', (c) => c.notNull())
      .addColumn('min_rtt_ms', 'double precision', (c) => c.notNull())
      .addColumn('first_at', 'bigint', (c) => c.notNull())
      .addColumn('n', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('measurement_buckets_pk', ['host_key', 'bucket', 'landmark_id'])
      .execute();
    await db.schema.createIndex('measurement_buckets_bucket').on('measurement_buckets').column('bucket').execute();
    await summarizeMeasurements(db as Kysely<Database>, 7 * 3_600_000);
  },
};

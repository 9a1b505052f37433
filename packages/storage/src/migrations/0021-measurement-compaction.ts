import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Measurements past the verdict window are compacted (TelemetryRetention): of each host's
 * measurements by one landmark in one 10-minute bucket only the least is kept, and those a
 * stored verdict rests on (`kept`), so that the proof of every stored verdict can still be
 * rebuilt. `retention_marks` holds how far compaction has gone, so that a run never reads again
 * what an earlier one compacted. The verdicts stored before this migration did not mark what
 * they rest on, so compaction starts after the bucket of the newest measurement stored: those
 * before are left whole until they leave the retention.
 */
export const measurementCompaction: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('measurements').addColumn('kept', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema
      .createTable('retention_marks')
      .addColumn('task', 'text', (c) => c.primaryKey())
      .addColumn('done_before', 'bigint', (c) => c.notNull())
      .execute();
    await sql`
      insert into retention_marks (task, done_before)
      select 'measurement-compaction', coalesce((max(measured_at) / 600000 + 1) * 600000, 0) from measurements`.execute(db);
  },
};

import { sql, type Kysely, type Migration } from 'kysely';

/**
 * A host's measurements by time with the columns a verdict reads (landmark, least RTT), so that
 * judging a node reads its window from the index alone, not the rows with their signed bodies
 * (it replaces the index on host and time). And when each node was last judged, and on how many
 * measurements. A verdict row is stored when
 * the verdict changes (its record or notes), no longer each time the count of measurements it
 * rests on does — which was about every measurement, so the history grew as fast as they did.
 * Filled from each node's newest verdict.
 */
export const nodeJudgements: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('measurements_host_window').on('measurements').columns(['host_key', 'measured_at', 'landmark_id', 'min_rtt_ms']).execute();
    await db.schema.dropIndex('measurements_host_time').execute();
    await db.schema
      .createTable('node_judgements')
      .addColumn('node_id', 'text', (c) => c.primaryKey().references('nodes.id').onDelete('cascade'))
      .addColumn('judged_at', 'bigint', (c) => c.notNull())
      .addColumn('measurements', 'integer', (c) => c.notNull())
      .execute();
    await sql`
      insert into node_judgements (node_id, judged_at, measurements)
      select v.node_id, v.computed_at, v.measurements from verdicts v
      where v.id = (select w.id from verdicts w where w.node_id = v.node_id order by w.computed_at desc, w.id desc limit 1)`.execute(db);
  },
};

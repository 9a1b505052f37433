import { sql, type Kysely, type Migration } from 'kysely';

/**
 * When each node's verdict loses a bound: the first time one of the measurements it rests on
 * (a landmark's least RTT) leaves the measurement window. The server judges the node again then,
 * so that a verdict no longer backed by measurements (a host that stopped answering landmarks)
 * is not shown as current. Nodes judged before this migration are judged again at once. And
 * the parameters verdicts were judged with: a server started with others (a country added to
 * the restricted list) judges every verdict again.
 */
export const verdictExpiry: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('verdict_expiry')
      .addColumn('node_id', 'text', (c) => c.primaryKey().references('nodes.id').onDelete('cascade'))
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('verdict_expiry_at').on('verdict_expiry').column('expires_at').execute();
    await sql`insert into verdict_expiry (node_id, expires_at) select distinct node_id, 0 from verdicts`.execute(db);
    // The parameters stored verdicts were judged with (restricted countries, margin, window, engine, borders).
    await db.schema
      .createTable('verdict_parameters')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('parameters', 'text', (c) => c.notNull())
      .addColumn('noted_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};

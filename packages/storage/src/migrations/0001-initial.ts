import type { Kysely, Migration } from 'kysely';

/** Organizations, tokens, landmarks, nodes, measurements and verdict history. */
export const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('orgs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .execute();
    await db.schema
      .createTable('landmarks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('country', 'text', (c) => c.notNull())
      .addColumn('lat', 'double precision', (c) => c.notNull())
      .addColumn('lon', 'double precision', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull().unique())
      .addColumn('registered_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('nodes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('host_key', 'text', (c) => c.notNull().unique())
      .addColumn('claimed_country', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_measured_at', 'bigint')
      .execute();
    await db.schema.createIndex('nodes_org').on('nodes').columns(['org_id', 'name']).execute();
    await db.schema
      .createTable('measurements')
      .addColumn('nonces_hash', 'text', (c) => c.primaryKey())
      .addColumn('landmark_id', 'text', (c) => c.notNull().references('landmarks.id'))
      .addColumn('host_key', 'text', (c) => c.notNull())
      .addColumn('min_rtt_ms', 'double precision', (c) => c.notNull())
      .addColumn('measured_at', 'bigint', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('measurements_host_time').on('measurements').columns(['host_key', 'measured_at']).execute();
    await db.schema
      .createTable('verdicts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
      .addColumn('computed_at', 'bigint', (c) => c.notNull())
      .addColumn('restricted', 'text', (c) => c.notNull())
      .addColumn('claim', 'text')
      .addColumn('measurements', 'integer', (c) => c.notNull())
      .addColumn('record', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('verdicts_node_time').on('verdicts').columns(['node_id', 'computed_at']).execute();
  },
};

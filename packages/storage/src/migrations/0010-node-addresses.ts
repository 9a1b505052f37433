import type { Kysely, Migration } from 'kysely';

/** The address each node's agent last reached the server from (its public IP as the server sees it), and since when. */
export const nodeAddresses: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('node_addresses')
      .addColumn('node_id', 'text', (c) => c.primaryKey().references('nodes.id').onDelete('cascade'))
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('since', 'bigint', (c) => c.notNull())
      .execute();
  },
};

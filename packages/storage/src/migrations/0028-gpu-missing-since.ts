import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Since when each GPU has been missing from its node's inventory: the time of the first
 * inventory that lacked it, kept until an inventory lists it again (null while listed). The
 * latest inventory's time, which was all there was to go by, moves on with any later change of
 * the inventory (a driver update), and a GPU's `last_seen_at` is when an inventory last listed
 * it, which may be long before it went: an agent sends its inventory only when it changes. GPUs
 * missing now are given their node's latest inventory time, the most this database knows.
 */
export const gpuMissingSince: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('gpus').addColumn('missing_since', 'bigint').execute();
    await sql`update gpus set missing_since = (select i.updated_at from node_inventory i where i.node_id = gpus.node_id)
      where last_seen_at < (select i.updated_at from node_inventory i where i.node_id = gpus.node_id)`.execute(db);
  },
};

import type { Kysely, Migration } from 'kysely';

/**
 * The newest refusal of a batch its node's own agent signed (so no one else can put one there):
 * when, the code and the message. An agent whose batches the server refuses (a body this
 * server's version does not take) drops them and goes on; its node shows why its reports stop,
 * on the server, where before only the agent's log said.
 */
export const nodeLastRefusal: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('nodes').addColumn('last_refusal_at', 'bigint').execute();
    await db.schema.alterTable('nodes').addColumn('last_refusal_code', 'text').execute();
    await db.schema.alterTable('nodes').addColumn('last_refusal_message', 'text').execute();
  },
};

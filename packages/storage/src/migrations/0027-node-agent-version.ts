import type { Kysely, Migration } from 'kysely';

/**
 * The version of the Locus agent a node runs, as its latest inventory says (null before an
 * agent that says it): which nodes a rolling upgrade has reached, listed and filtered in the
 * database rather than read out of every stored inventory.
 */
export const nodeAgentVersion: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('nodes').addColumn('agent_version', 'text').execute();
    await db.schema.createIndex('nodes_org_agent_version').on('nodes').columns(['org_id', 'agent_version']).execute();
  },
};

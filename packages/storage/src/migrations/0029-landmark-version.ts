import type { Kysely, Migration } from 'kysely';

/**
 * The software version each landmark runs, as the User-Agent of its latest delivery that stored
 * a measurement of its own says (null before one that says it): how far an upgrade of the
 * landmarks has gone, as `nodes.agent_version` tells it of agents.
 */
export const landmarkVersion: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('landmarks').addColumn('version', 'text').execute();
  },
};

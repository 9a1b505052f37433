import type { Kysely, Migration } from 'kysely';

/**
 * The record of each node's last judgement, and the last time a judgement of it did not exclude
 * the restricted countries (an alert that they are possible resolves only once they have stayed
 * excluded a while: a region near a border follows each judgement's newest measurements). A verdict describes where the host can be when it
 * is judged, each bound grown by the way the host could have travelled since it was measured,
 * so its area, radius, estimate and possible countries move at every judgement; a history row is
 * stored only when what it says changes (its claim and restricted states, the restricted
 * countries it leaves possible, or its notes), and lists show the last judgement's record from here. Null: judged before this was kept (the newest history row
 * stands).
 */
export const judgedRecord: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('node_judgements').addColumn('record', 'text').execute();
    await db.schema.alterTable('node_judgements').addColumn('unexcluded_at', 'bigint').execute();
  },
};

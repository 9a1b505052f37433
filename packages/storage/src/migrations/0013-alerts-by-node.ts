import type { Kysely, Migration } from 'kysely';

/** The alert sweep reads the alerts of a slice of an org's nodes at once (AlertRepo.ofNodes). */
export const alertsByNode: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('alerts_org_node').on('alerts').columns(['org_id', 'node_id']).execute();
  },
};

import type { Kysely, Migration } from 'kysely';

/**
 * The newest refusal of a landmark's own measurements (signed by its key, so no one else can
 * put one there): when, the code and the message. A landmark that delivers but whose
 * measurements are all refused (a place other than its registered one, a clock off, hosts no
 * node has) shows why it is silent, on the server, where before only its log said.
 */
export const landmarkLastRefusal: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('landmarks').addColumn('last_refusal_at', 'bigint').execute();
    await db.schema.alterTable('landmarks').addColumn('last_refusal_code', 'text').execute();
    await db.schema.alterTable('landmarks').addColumn('last_refusal_message', 'text').execute();
  },
};

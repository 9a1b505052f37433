import type { Kysely, Migration } from 'kysely';

/** API tokens may expire (null: never). */
export const tokenExpiry: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tokens').addColumn('expires_at', 'bigint').execute();
  },
};

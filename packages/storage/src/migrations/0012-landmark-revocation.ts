import type { Kysely, Migration } from 'kysely';

/** A landmark whose key is compromised or that was moved is revoked: it stays for the record, trusted no more. */
export const landmarkRevocation: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('landmarks').addColumn('revoked_at', 'bigint').execute();
  },
};

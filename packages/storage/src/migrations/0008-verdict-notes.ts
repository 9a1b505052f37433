import type { Kysely, Migration } from 'kysely';

/** What a verdict's record does not say but a reader must know (e.g. a key answering from two places). */
export const verdictNotes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('verdicts').addColumn('notes', 'text').execute();
  },
};

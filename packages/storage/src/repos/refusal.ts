import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** A refusal of something its sender signed (a landmark's measurement, an agent's batch): when the server refused it (ms), and why. */
export interface Refusal {
  readonly at: number;
  readonly code: string;
  readonly message: string;
}

/** The columns a table keeps its newest refusal in (landmarks, nodes). */
export interface RefusalColumns {
  readonly last_refusal_at: number | string | bigint | null;
  readonly last_refusal_code: string | null;
  readonly last_refusal_message: string | null;
}

/** The newest refusal a row keeps; null before any. */
export const refusalOf = (row: RefusalColumns): Refusal | null =>
  row.last_refusal_at === null ? null : { at: Number(row.last_refusal_at), code: row.last_refusal_code ?? '', message: row.last_refusal_message ?? '' };

/** Keeps a refusal as the row's newest, unless the row keeps a newer one (from a server whose answer came late). */
export async function keepRefusal(db: Kysely<Database>, table: 'landmarks' | 'nodes', id: string, r: Refusal): Promise<void> {
  await db
    .updateTable(table)
    .set({ last_refusal_at: r.at, last_refusal_code: r.code, last_refusal_message: r.message })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_refusal_at', 'is', null), eb('last_refusal_at', '<=', r.at)]))
    .execute();
}

/** Whether the newest refusal came after the newest thing stored (`lastStoredAt`; null: nothing ever stored): what its sender sends is refused now. */
export const refusedSince = (refusal: Refusal | null, lastStoredAt: number | null): refusal is Refusal =>
  refusal !== null && (lastStoredAt === null || refusal.at > lastStoredAt);

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

/** The columns to set for a refusal. */
export const refusalColumns = (r: Refusal) => ({ last_refusal_at: r.at, last_refusal_code: r.code, last_refusal_message: r.message });

/** Whether the newest refusal came after the newest thing stored (`lastStoredAt`; null: nothing ever stored): what its sender sends is refused now. */
export const refusedSince = (refusal: Refusal | null, lastStoredAt: number | null): refusal is Refusal =>
  refusal !== null && (lastStoredAt === null || refusal.at > lastStoredAt);

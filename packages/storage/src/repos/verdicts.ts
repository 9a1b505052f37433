import type { Kysely } from 'kysely';
import type { VerdictRecord } from '@locus/protocol';
import type { Database, VerdictTable } from '../schema.js';

/** Something a reader of a verdict must know that its record does not say. */
export interface VerdictNote {
  /** impossible-travel: two answers no single host could give; landmark-outlier: one landmark's RTT alone keeps the region empty. */
  readonly kind: 'impossible-travel' | 'landmark-outlier';
  readonly message: string;
  /** The landmarks, times and RTTs involved. */
  readonly evidence: unknown;
}

export interface StoredVerdict {
  readonly id: string;
  readonly nodeId: string;
  readonly computedAt: number;
  readonly measurements: number;
  readonly record: VerdictRecord;
  readonly notes: readonly VerdictNote[];
}

/** Each node's verdict history, newest last. */
export class VerdictRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(v: StoredVerdict): Promise<void> {
    await this.#db
      .insertInto('verdicts')
      .values({ id: v.id, node_id: v.nodeId, computed_at: v.computedAt, restricted: v.record.restricted, claim: v.record.claim, measurements: v.measurements, record: JSON.stringify(v.record), notes: v.notes.length === 0 ? null : JSON.stringify(v.notes) })
      .execute();
  }

  /** Each of these nodes' newest verdict (one query per 5,000 nodes); nodes never judged are absent. */
  async latestOf(nodeIds: readonly string[]): Promise<Map<string, StoredVerdict>> {
    const out = new Map<string, StoredVerdict>();
    for (let i = 0; i < nodeIds.length; i += 5_000) {
      const rows = await this.#db
        .selectFrom('verdicts as v')
        .selectAll('v')
        .where('v.node_id', 'in', nodeIds.slice(i, i + 5_000))
        .where((eb) => eb('v.computed_at', '=', eb.selectFrom('verdicts as w').select((w) => w.fn.max('w.computed_at').as('m')).whereRef('w.node_id', '=', 'v.node_id')))
        .orderBy('v.id')
        .execute();
      // Two verdicts at the same instant: the greater id, as history() orders them.
      for (const r of rows) out.set(r.node_id, toStored(r));
    }
    return out;
  }

  /** The newest first, at most `limit`. */
  async history(nodeId: string, limit = 100): Promise<StoredVerdict[]> {
    const rows = await this.#db.selectFrom('verdicts').selectAll().where('node_id', '=', nodeId).orderBy('computed_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toStored);
  }
}

const toStored = (r: VerdictTable): StoredVerdict => ({ id: r.id, nodeId: r.node_id, computedAt: Number(r.computed_at), measurements: r.measurements, record: JSON.parse(r.record) as VerdictRecord, notes: r.notes === null ? [] : (JSON.parse(r.notes) as VerdictNote[]) });

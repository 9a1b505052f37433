import type { Kysely } from 'kysely';
import type { SignedMeasurement } from '@locus/protocol';
import type { Database } from '../schema.js';

/**
 * Signed measurements, kept exactly as received. The nonce hash is the primary key, so a
 * replay cannot be stored twice — on any number of server replicas at once.
 */
export class MeasurementRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Stores a measurement; false if its nonces were already used. */
  async insertIfNew(signed: SignedMeasurement, receivedAt: number): Promise<boolean> {
    const m = signed.measurement;
    const r = await this.#db
      .insertInto('measurements')
      .values({
        nonces_hash: m.noncesHash,
        landmark_id: m.landmarkId,
        host_key: m.hostKey,
        min_rtt_ms: m.minRttMs,
        measured_at: Date.parse(m.measuredAt),
        received_at: receivedAt,
        body: JSON.stringify(signed),
      })
      .onConflict((oc) => oc.column('nonces_hash').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** Deletes at most `limit` measurements taken before `before`, the oldest first: how many it deleted. */
  async expire(before: number, limit: number): Promise<number> {
    const r = await this.#db
      .deleteFrom('measurements')
      .where('nonces_hash', 'in', (eb) => eb.selectFrom('measurements').select('nonces_hash').where('measured_at', '<', before).orderBy('measured_at').limit(limit))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** A host's measurements taken at or after `since`, oldest first. */
  async forHost(hostKey: string, since: number): Promise<SignedMeasurement[]> {
    const rows = await this.#db.selectFrom('measurements').select('body').where('host_key', '=', hostKey).where('measured_at', '>=', since).orderBy('measured_at').execute();
    return rows.map((r) => JSON.parse(r.body) as SignedMeasurement);
  }
}

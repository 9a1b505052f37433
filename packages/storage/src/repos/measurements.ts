import { sql, type Kysely } from 'kysely';
import type { SignedMeasurement } from '@locus/protocol';
import type { Database } from '../schema.js';

/** A host's measurements by one landmark in one time bucket, summed up: what a verdict rests on. */
export interface MeasurementBucket {
  readonly landmarkId: string;
  /** floor(measured time / bucket width). */
  readonly bucket: number;
  /** The least minimum RTT among them. */
  readonly minRttMs: number;
  /** When the first of those with that least RTT was taken. */
  readonly at: number;
  /** How many measurements. */
  readonly count: number;
}

/**
 * Signed measurements, kept exactly as received. The nonce hash is the primary key, so a
 * replay cannot be stored twice — on any number of server replicas at once.
 */
export class MeasurementRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Stores measurements in one statement (a landmark's delivery: at most a few hundred), each
   * unless its nonces were already used; returns the nonce hashes of those it stored (of two
   * with the same nonces in one call, the first).
   */
  async insertNew(batch: readonly SignedMeasurement[], receivedAt: number): Promise<Set<string>> {
    if (batch.length === 0) return new Set();
    const rows = await this.#db
      .insertInto('measurements')
      .values(
        batch.map((signed) => {
          const m = signed.measurement;
          return { nonces_hash: m.noncesHash, landmark_id: m.landmarkId, host_key: m.hostKey, min_rtt_ms: m.minRttMs, measured_at: Date.parse(m.measuredAt), received_at: receivedAt, body: JSON.stringify(signed) };
        }),
      )
      .onConflict((oc) => oc.column('nonces_hash').doNothing())
      .returning('nonces_hash')
      .execute();
    return new Set(rows.map((r) => r.nonces_hash));
  }

  /** Deletes at most `limit` measurements taken before `before`, the oldest first: how many it deleted. */
  async expire(before: number, limit: number): Promise<number> {
    const r = await this.#db
      .deleteFrom('measurements')
      .where('nonces_hash', 'in', (eb) => eb.selectFrom('measurements').select('nonces_hash').where('measured_at', '<', before).orderBy('measured_at').limit(limit))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /**
   * A host's measurements taken from `since` to `until` (both included), summed up per landmark
   * and time bucket of `bucketMs` in the database: a verdict needs each landmark's least RTT,
   * and a check over time each bucket's, not every signed body (reading and parsing those was
   * most of the cost of judging a node measured every minute by every landmark).
   */
  async buckets(hostKey: string, since: number, until: number, bucketMs: number): Promise<MeasurementBucket[]> {
    // A literal integer: SQLite binds a JS number as a real, and dividing by it would not floor.
    const width = sql.lit(Math.max(1, Math.trunc(bucketMs)));
    // The first time of each bucket's least RTT: among its own rows, found between the bucket's
    // first and last times (one range of the host's index, inside the window and the bucket).
    const { rows } = await sql<{ landmark_id: string; bucket: number | string; rtt: number; n: number | string; at: number | string }>`
      select b.landmark_id, b.bucket, b.rtt, b.n, (
        select min(m.measured_at) from measurements m
        where m.host_key = ${hostKey} and m.measured_at >= b.first_at and m.measured_at <= b.last_at
          and m.landmark_id = b.landmark_id and m.min_rtt_ms = b.rtt
      ) as at
      from (
        select landmark_id, measured_at / ${width} as bucket, min(min_rtt_ms) as rtt, count(*) as n, min(measured_at) as first_at, max(measured_at) as last_at
        from measurements
        where host_key = ${hostKey} and measured_at >= ${since} and measured_at <= ${until}
        group by landmark_id, bucket
      ) b
      order by b.bucket, b.landmark_id`.execute(this.#db);
    return rows.map((r) => ({ landmarkId: r.landmark_id, bucket: Number(r.bucket), minRttMs: Number(r.rtt), at: Number(r.at), count: Number(r.n) }));
  }

  /** A host's measurements taken at or after `since`, oldest first. */
  async forHost(hostKey: string, since: number): Promise<SignedMeasurement[]> {
    const rows = await this.#db.selectFrom('measurements').select('body').where('host_key', '=', hostKey).where('measured_at', '>=', since).orderBy('measured_at').execute();
    return rows.map((r) => JSON.parse(r.body) as SignedMeasurement);
  }
}

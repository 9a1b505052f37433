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

const COMPACTION_MARK = 'measurement-compaction';

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

  /**
   * A host's measurements taken from `since` to `until` (both included; no end by default) and
   * received at or before `receivedBy` (when given: what the server held then), oldest first.
   */
  async forHost(hostKey: string, since: number, until = Number.MAX_SAFE_INTEGER, receivedBy?: number): Promise<SignedMeasurement[]> {
    let query = this.#db.selectFrom('measurements').select('body').where('host_key', '=', hostKey).where('measured_at', '>=', since).where('measured_at', '<=', until);
    if (receivedBy !== undefined) query = query.where('received_at', '<=', receivedBy);
    const rows = await query.orderBy('measured_at').execute();
    return rows.map((r) => JSON.parse(r.body) as SignedMeasurement);
  }

  /**
   * Marks a host's measurements as kept by compaction: each pick names a landmark and the time
   * of the measurement (those of that landmark taken in that millisecond are all kept).
   */
  async keep(hostKey: string, picks: readonly { readonly landmarkId: string; readonly at: number }[]): Promise<void> {
    if (picks.length === 0) return;
    await this.#db
      .updateTable('measurements')
      .set({ kept: 1 })
      .where('host_key', '=', hostKey)
      // The times alone as well: SQLite seeks the host's index by them (with the pairs only, it reads all the host's rows).
      .where('measured_at', 'in', [...new Set(picks.map((p) => p.at))])
      .where((eb) => eb.or(picks.map((p) => eb.and([eb('measured_at', '=', p.at), eb('landmark_id', '=', p.landmarkId)]))))
      .where('kept', '=', 0)
      .execute();
  }

  /** The time of the first measurement taken at or after `since`; null: none. */
  async firstSince(since: number): Promise<number | null> {
    const row = await this.#db.selectFrom('measurements').select((eb) => eb.fn.min('measured_at').as('at')).where('measured_at', '>=', since).executeTakeFirst();
    return row?.at == null ? null : Number(row.at);
  }

  /**
   * Up to `limit` host keys that have measurements, in key order, after `after` (from the first
   * when null): one step of the host index each, however many measurements a host has.
   */
  async hostsAfter(after: string | null, limit: number): Promise<string[]> {
    const { rows } = await sql<{ k: string | null }>`
      with recursive hosts(k, n) as (
        select (select min(host_key) from measurements where host_key > ${after ?? ''}), 1
        union all
        select (select min(m.host_key) from measurements m where m.host_key > hosts.k), hosts.n + 1 from hosts where hosts.k is not null and hosts.n < ${sql.lit(Math.max(1, Math.trunc(limit)))}
      )
      select k from hosts where k is not null`.execute(this.#db);
    return rows.map((r) => r.k!);
  }

  /**
   * Compacts the measurements of `hostKeys` taken in [from, to): of each host's measurements by
   * one landmark in one time bucket of `bucketMs`, keeps the least RTT (of equal ones, the first
   * taken) and those marked kept, and deletes the rest. Every verdict bound and every bucket a
   * check over time compares is such a least, so a window of whole buckets gives the same
   * verdict after as before. Returns how many it deleted.
   */
  async compact(hostKeys: readonly string[], from: number, to: number, bucketMs: number): Promise<number> {
    if (hostKeys.length === 0) return 0;
    const width = sql.lit(Math.max(1, Math.trunc(bucketMs)));
    const result = await sql`
      delete from measurements where nonces_hash in (
        select r.nonces_hash from (
          select nonces_hash, kept, row_number() over (partition by host_key, landmark_id, measured_at / ${width} order by min_rtt_ms, measured_at, nonces_hash) as place
          from measurements
          where host_key in (${sql.join(hostKeys)}) and measured_at >= ${from} and measured_at < ${to}
        ) r
        where r.place > 1 and r.kept = 0
      )`.execute(this.#db);
    return Number(result.numAffectedRows ?? 0n);
  }

  /** Where measurement compaction has got to: every bucket before this is compacted; null: not started. */
  async compactedBefore(): Promise<number | null> {
    const row = await this.#db.selectFrom('retention_marks').select('done_before').where('task', '=', COMPACTION_MARK).executeTakeFirst();
    return row ? Number(row.done_before) : null;
  }

  async setCompactedBefore(at: number): Promise<void> {
    await this.#db
      .insertInto('retention_marks')
      .values({ task: COMPACTION_MARK, done_before: at })
      .onConflict((oc) => oc.column('task').doUpdateSet({ done_before: at }))
      .execute();
  }
}

import { sql, type Insertable, type Kysely } from 'kysely';
import type { SignedMeasurement } from '@locus/protocol';
import type { Database, MeasurementTable } from '../schema.js';
import { compareKeys } from './key-order.js';

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
 * The width of the time buckets measurements are summed up in as they are stored
 * (`measurement_buckets`): 10 minutes, the buckets a verdict's check over time compares
 * (`DEFAULT_TRAVEL.bucketMs` in @locus/geo; a test keeps the two equal).
 */
export const MEASUREMENT_BUCKET_MS = 600_000;

type BucketRow = { host_key: string; bucket: number; landmark_id: string; min_rtt_ms: number; first_at: number; n: number };

/** Stored measurements summed up per host, bucket and landmark, in key order (so that two writers take the rows' locks in one order). */
function summed(rows: readonly { host_key: string; landmark_id: string; min_rtt_ms: number; measured_at: number }[]): BucketRow[] {
  const sums = new Map<string, BucketRow>();
  for (const r of rows) {
    const bucket = Math.floor(r.measured_at / MEASUREMENT_BUCKET_MS);
    const key = `${r.host_key}\n${bucket}\n${r.landmark_id}`;
    const sum = sums.get(key);
    if (!sum) sums.set(key, { host_key: r.host_key, bucket, landmark_id: r.landmark_id, min_rtt_ms: r.min_rtt_ms, first_at: r.measured_at, n: 1 });
    else {
      sum.n++;
      if (r.min_rtt_ms < sum.min_rtt_ms || (r.min_rtt_ms === sum.min_rtt_ms && r.measured_at < sum.first_at)) Object.assign(sum, { min_rtt_ms: r.min_rtt_ms, first_at: r.measured_at });
    }
  }
  return [...sums.values()].sort((a, b) => compareKeys(a.host_key, b.host_key) || a.bucket - b.bucket || compareKeys(a.landmark_id, b.landmark_id));
}

/** A signed measurement as the row it is stored in. */
export function measurementRow(signed: SignedMeasurement, receivedAt: number): Insertable<MeasurementTable> {
  const m = signed.measurement;
  return { nonces_hash: m.noncesHash, landmark_id: m.landmarkId, host_key: m.hostKey, min_rtt_ms: m.minRttMs, measured_at: Date.parse(m.measuredAt), received_at: receivedAt, body: JSON.stringify(signed) };
}

/**
 * Fills the (empty) summary of measurements per host, bucket and landmark from the measurements
 * taken in the `spanMs` before the newest one, from the start of a bucket: the migration that
 * made the summary, and benchmarks that store history rows directly.
 */
export async function summarizeMeasurements(db: Kysely<Database>, spanMs: number): Promise<void> {
  const width = sql.lit(MEASUREMENT_BUCKET_MS);
  await sql`
    insert into measurement_buckets (host_key, bucket, landmark_id, min_rtt_ms, first_at, n)
    select b.host_key, b.bucket, b.landmark_id, b.rtt, (
      select min(m.measured_at) from measurements m
      where m.host_key = b.host_key and m.measured_at >= b.bucket * ${width} and m.measured_at < (b.bucket + 1) * ${width}
        and m.landmark_id = b.landmark_id and m.min_rtt_ms = b.rtt
    ), b.n
    from (
      select host_key, measured_at / ${width} as bucket, landmark_id, min(min_rtt_ms) as rtt, count(*) as n
      from measurements
      where measured_at >= (select (max(measured_at) - ${sql.lit(Math.trunc(spanMs))}) / ${width} * ${width} from measurements)
      group by host_key, measured_at / ${width}, landmark_id
    ) b`.execute(db);
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
   * unless its nonces were already used, and adds those it stored to the summary per host,
   * landmark and bucket, in one transaction; returns the nonce hashes of those it stored (of two
   * with the same nonces in one call, the first).
   */
  async insertNew(batch: readonly SignedMeasurement[], receivedAt: number): Promise<Set<string>> {
    if (batch.length === 0) return new Set();
    const rows = batch.map((signed) => measurementRow(signed, receivedAt));
    return this.#db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('measurements').values(rows).onConflict((oc) => oc.column('nonces_hash').doNothing()).returning('nonces_hash').execute();
      const stored = new Set(inserted.map((r) => r.nonces_hash));
      // Of two rows with the same nonces the first was stored.
      const fresh = new Set(stored);
      const sums = summed(rows.filter((r) => fresh.delete(r.nonces_hash)));
      if (sums.length > 0) {
        await trx
          .insertInto('measurement_buckets')
          .values(sums)
          .onConflict((oc) =>
            oc.columns(['host_key', 'bucket', 'landmark_id']).doUpdateSet({
              // Each refers to the row as it was: the least RTT, the first time it was taken, the count.
              min_rtt_ms: sql`case when excluded.min_rtt_ms < measurement_buckets.min_rtt_ms then excluded.min_rtt_ms else measurement_buckets.min_rtt_ms end`,
              first_at: sql`case when excluded.min_rtt_ms < measurement_buckets.min_rtt_ms or (excluded.min_rtt_ms = measurement_buckets.min_rtt_ms and excluded.first_at < measurement_buckets.first_at) then excluded.first_at else measurement_buckets.first_at end`,
              n: sql`measurement_buckets.n + excluded.n`,
            }),
          )
          .execute();
      }
      return stored;
    });
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
   * and time bucket (MEASUREMENT_BUCKET_MS), oldest bucket first: a verdict needs each landmark's
   * least RTT, and a check over time each bucket's, not every signed body. The buckets whole in
   * the range are read from the summary kept as measurements are stored (a row per landmark and
   * bucket: at most 288 for a 6-hour window and 8 landmarks, where the measurements of a host
   * measured every minute by each are 2,880); the one or two the range's ends cut, from the
   * measurements in them.
   */
  async buckets(hostKey: string, since: number, until: number): Promise<MeasurementBucket[]> {
    const width = MEASUREMENT_BUCKET_MS;
    // Buckets [first, last] lie whole in [since, until].
    const first = Math.ceil(since / width);
    const last = Math.floor((until + 1) / width) - 1;
    const parts = [];
    if (first > last) parts.push(rawBuckets(hostKey, since, until));
    else {
      if (since < first * width) parts.push(rawBuckets(hostKey, since, first * width - 1));
      parts.push(sql`select landmark_id, bucket, min_rtt_ms as rtt, n, first_at as at from measurement_buckets where host_key = ${hostKey} and bucket >= ${first} and bucket <= ${last}`);
      if ((last + 1) * width <= until) parts.push(rawBuckets(hostKey, (last + 1) * width, until));
    }
    const { rows } = await sql<{ landmark_id: string; bucket: number | string; rtt: number; n: number | string; at: number | string }>`
      select landmark_id, bucket, rtt, n, at from (${sql.join(parts, sql` union all `)}) b order by bucket, landmark_id`.execute(this.#db);
    return rows.map((r) => ({ landmarkId: r.landmark_id, bucket: Number(r.bucket), minRttMs: Number(r.rtt), at: Number(r.at), count: Number(r.n) }));
  }

  /**
   * The RTT, landmark and time of each of a host's measurements taken from `since` to `until`
   * (both included), oldest first: the recent ones a verdict grows to its time (one range of the
   * host's index, no signed bodies).
   */
  async rtts(hostKey: string, since: number, until: number): Promise<{ readonly landmarkId: string; readonly minRttMs: number; readonly at: number }[]> {
    const rows = await this.#db
      .selectFrom('measurements')
      .select(['landmark_id', 'min_rtt_ms', 'measured_at'])
      .where('host_key', '=', hostKey)
      .where('measured_at', '>=', since)
      .where('measured_at', '<=', until)
      .orderBy('measured_at')
      .execute();
    return rows.map((r) => ({ landmarkId: r.landmark_id, minRttMs: Number(r.min_rtt_ms), at: Number(r.measured_at) }));
  }

  /** Deletes at most `limit` rows of the summary of buckets before `bucket` (a bucket number), the oldest first: how many it deleted. */
  async expireBuckets(bucket: number, limit: number): Promise<number> {
    const r = await sql`
      delete from measurement_buckets where (host_key, bucket, landmark_id) in (
        select host_key, bucket, landmark_id from measurement_buckets where bucket < ${bucket} order by bucket limit ${sql.lit(Math.max(1, Math.trunc(limit)))}
      )`.execute(this.#db);
    return Number(r.numAffectedRows ?? 0n);
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

/**
 * A host's measurements taken from `since` to `until` (both included, within one or two
 * buckets), summed up per landmark and bucket from the rows themselves (one range of the host's
 * index): the least RTT, when it was first taken (among the bucket's rows in the range), how many.
 */
function rawBuckets(hostKey: string, since: number, until: number) {
  // A literal integer: SQLite binds a JS number as a real, and dividing by it would not floor.
  const width = sql.lit(MEASUREMENT_BUCKET_MS);
  return sql`
    select g.landmark_id, g.bucket, g.rtt, g.n, (
      select min(m.measured_at) from measurements m
      where m.host_key = ${hostKey} and m.measured_at >= g.first_at and m.measured_at <= g.last_at
        and m.landmark_id = g.landmark_id and m.min_rtt_ms = g.rtt
    ) as at
    from (
      select landmark_id, measured_at / ${width} as bucket, min(min_rtt_ms) as rtt, count(*) as n, min(measured_at) as first_at, max(measured_at) as last_at
      from measurements
      where host_key = ${hostKey} and measured_at >= ${since} and measured_at <= ${until}
      group by landmark_id, measured_at / ${width}
    ) g`;
}

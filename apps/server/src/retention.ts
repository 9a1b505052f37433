import { DEFAULT_TRAVEL } from '@locus/geo';
import { MEASUREMENT_BUCKET_MS } from '@locus/storage';
import type { Clock } from './clock.js';
import { measurementsKeptSince, type ServerConfig } from './config.js';
import type { Repos } from './repos.js';

/** Nodes whose telemetry one retention step deletes from. */
const NODES_PER_CHUNK = 64;
/** Hosts whose measurements in one bucket one compaction statement compacts (8 landmarks a minute: about 5,000 rows). */
export const COMPACT_HOSTS = 64;
/**
 * A new pass over every node starts at most this often: a pass over 10,000 nodes costs a fifth
 * of a second even when nothing has expired, and data kept a few minutes longer harms nobody.
 */
export const RETENTION_PASS_EVERY_MS = 5 * 60_000;

export interface RetentionRun {
  /** Landmark measurements past measurementRetentionMs (every run, before the pass over nodes). */
  readonly measurements: number;
  /** Landmark measurements past the verdict window that compaction deleted (every run, after expiry). */
  readonly compacted: number;
  /** How far compaction is behind after the run: ms of buckets it could compact and has not (0 when off). */
  readonly compactionBehindMs: number;
  /** Verdicts computed before then, each node's newest kept. */
  readonly verdicts: number;
  /** Finished webhook deliveries past deliveryRetentionMs (every run). */
  readonly deliveries: number;
  readonly samples: number;
  readonly rollups: number;
  readonly batches: number;
  /** Whether the run reached the last node; the next run starts again from the first. */
  readonly passDone: boolean;
}

type Table = 'samples' | 'rollups' | 'batches';

/**
 * Deletes landmark measurements and verdict history (each node's newest verdict kept) older than
 * `measurementRetentionMs`, raw GPU samples older than `rawRetentionMs`, rollups older than `rollupRetentionMs`,
 * and batch ids older than `rawRetentionMs` (each node keeps its latest, which silence alerts
 * read), and finished webhook deliveries older than `deliveryRetentionMs`. It walks the nodes in chunks; each statement deletes at most `retentionChunkRows` rows,
 * so that ingest never waits long behind it, and a run that reaches its time budget stops there
 * and the next run carries on from the same chunk.
 *
 * Measurements that have left the verdict window are compacted: of each host's measurements by
 * one landmark in one 10-minute bucket (`DEFAULT_TRAVEL.bucketMs`, the buckets verdicts sum the
 * window up in), only the least RTT is kept (of equal ones, the first taken), and those a
 * judgement rests on (MeasurementRepo.keep, at every judgement). A verdict's bound per landmark is
 * its least RTT in the window, which is a bucket's least unless it lies in a bucket the window's
 * edge cuts, and those a judgement used are kept: so the proof at the time of every judgement
 * (a stored verdict's, or one that changed nothing), rebuilt, gives the same record. With 8
 * landmarks measuring a host every minute, a tenth of the measurements stay. A bucket is
 * compacted once the window has left it by a bucket more (no measurement can still arrive in it:
 * deliveries older than the window are refused; no verdict still being judged reads it), a bucket
 * at a time across the hosts, `COMPACT_HOSTS` a statement, forward from the mark the database
 * keeps (so nothing is read twice).
 */
export class TelemetryRetention {
  readonly #repos: Repos;
  readonly #clock: Clock;
  readonly #config: ServerConfig;
  /** The last node of the chunk done; null at the start of a pass. */
  #after: string | null = null;
  /** When the pass under way (or the last one) started. */
  #passStartedAt = -Infinity;
  /** The bucket compaction is in and the last host done in it (another replica may have moved the mark on since). */
  #compacting: { bucket: number; after: string } | null = null;

  constructor(repos: Repos, clock: Clock, config: ServerConfig) {
    this.#repos = repos;
    this.#clock = clock;
    this.#config = config;
  }

  /**
   * Deletes what has expired until the pass ends or `budgetMs` of wall time has gone; starts no
   * new pass within RETENTION_PASS_EVERY_MS of the last one's start.
   */
  async run(budgetMs: number): Promise<RetentionRun> {
    const started = performance.now();
    const inBudget = () => performance.now() - started < budgetMs;
    const now = this.#clock.now().getTime();
    const limit = this.#config.retentionChunkRows;
    // Measurements by time (one index range, nothing read when none has expired), a chunk a statement.
    // Verdict history with them (a row each time a verdict or its measurement count changed), each node's newest kept.
    const measuredBefore = measurementsKeptSince(this.#config, now);
    const drain = async (expire: () => Promise<number>) => {
      let total = 0;
      for (let n = limit; n === limit && inBudget(); total += n) {
        n = await expire();
        // SQLite answers synchronously: let requests in between statements.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return total;
    };
    const measurements = await drain(() => this.#repos.measurements.expire(measuredBefore, limit));
    // The summary judging reads, for buckets that no window holds any more (a bucket's margin, as compaction's).
    await drain(() => this.#repos.measurements.expireBuckets(Math.floor((now - this.#config.measurementMaxAgeMs) / MEASUREMENT_BUCKET_MS) - 1, limit));
    const verdicts = await drain(() => this.#repos.verdicts.expire(measuredBefore, limit));
    const deliveries = await drain(() => this.#repos.alerts.expireDeliveries(now - this.#config.deliveryRetentionMs, limit));
    // Half the budget at most, so that a backlog (a server down for a day) leaves time for the rest.
    const { deleted: compacted, behindMs: compactionBehindMs } = this.#config.measurementCompaction
      ? await this.#compact(now, measuredBefore, () => performance.now() - started < budgetMs / 2)
      : { deleted: 0, behindMs: 0 };
    if (this.#after === null) {
      if (now - this.#passStartedAt < RETENTION_PASS_EVERY_MS) return { measurements, compacted, compactionBehindMs, verdicts, deliveries, samples: 0, rollups: 0, batches: 0, passDone: false };
      this.#passStartedAt = now;
    }
    const rawBefore = now - this.#config.rawRetentionMs;
    const rollupBefore = now - this.#config.rollupRetentionMs;
    const deleted: Record<Table, number> = { samples: 0, rollups: 0, batches: 0 };
    const expire: Record<Table, (nodes: readonly string[]) => Promise<number>> = {
      samples: (nodes) => this.#repos.samples.expireSamples(nodes, rawBefore, limit),
      rollups: (nodes) => this.#repos.samples.expireRollups(nodes, rollupBefore, limit),
      batches: (nodes) => this.#repos.telemetry.expireBatches(nodes, rawBefore, limit),
    };
    while (inBudget()) {
      const nodes = await this.#repos.samples.nodesAfter(this.#after, NODES_PER_CHUNK);
      if (nodes.length === 0) {
        this.#after = null;
        return { measurements, compacted, compactionBehindMs, verdicts, deliveries, ...deleted, passDone: true };
      }
      for (const table of ['samples', 'rollups', 'batches'] as const) {
        let n: number;
        do {
          n = await expire[table](nodes);
          deleted[table] += n;
          // SQLite answers synchronously: let requests in between statements.
          await new Promise((resolve) => setImmediate(resolve));
        } while (n === limit && inBudget());
        if (n === limit) return { measurements, compacted, compactionBehindMs, verdicts, deliveries, ...deleted, passDone: false };
      }
      this.#after = nodes.at(-1)!;
    }
    return { measurements, compacted, compactionBehindMs, verdicts, deliveries, ...deleted, passDone: false };
  }

  /**
   * Compacts the buckets the window has left, from the stored mark on, until none is left or the
   * budget is spent; `expiredBefore`: measurements before it are deleted anyway. Returns how many
   * measurements it deleted, and how far behind it still is (ms of buckets left to compact).
   */
  async #compact(now: number, expiredBefore: number, inBudget: () => boolean): Promise<{ deleted: number; behindMs: number }> {
    const repo = this.#repos.measurements;
    const width = DEFAULT_TRAVEL.bucketMs;
    const floor = (t: number) => Math.floor(t / width) * width;
    // Buckets that end a bucket before the window starts.
    const until = floor(now - this.#config.measurementMaxAgeMs) - width;
    let deleted = 0;
    const stored = await repo.compactedBefore();
    let mark = Math.max(stored ?? 0, floor(expiredBefore));
    while (mark + width <= until && inBudget()) {
      const after = this.#compacting?.bucket === mark ? this.#compacting.after : null;
      // At a bucket's start, skip to the next bucket that has measurements.
      const first = after === null ? await repo.firstSince(mark) : mark;
      if (first === null || floor(first) >= until) {
        // Nothing before the window's buckets (a write only when that moves the mark).
        if (stored === null || until > stored) await repo.setCompactedBefore(until);
        mark = until;
        break;
      }
      if (floor(first) > mark) {
        mark = floor(first);
        continue;
      }
      const hosts = await repo.hostsAfter(after, COMPACT_HOSTS);
      if (hosts.length > 0) {
        deleted += await repo.compact(hosts, mark, mark + width, width);
        this.#compacting = { bucket: mark, after: hosts.at(-1)! };
      }
      if (hosts.length < COMPACT_HOSTS) {
        mark += width;
        this.#compacting = null;
        await repo.setCompactedBefore(mark);
      }
      // SQLite answers synchronously: let requests in between statements.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { deleted, behindMs: Math.max(0, until - mark) };
  }
}

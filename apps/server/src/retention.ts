import type { Clock } from './clock.js';
import type { ServerConfig } from './config.js';
import type { Repos } from './repos.js';

/** Nodes whose telemetry one retention step deletes from. */
const NODES_PER_CHUNK = 64;
/**
 * A new pass over every node starts at most this often: a pass over 10,000 nodes costs a fifth
 * of a second even when nothing has expired, and data kept a few minutes longer harms nobody.
 */
export const RETENTION_PASS_EVERY_MS = 5 * 60_000;

export interface RetentionRun {
  /** Landmark measurements past measurementRetentionMs (every run, before the pass over nodes). */
  readonly measurements: number;
  /** Verdicts computed before then, each node's newest kept. */
  readonly verdicts: number;
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
 * read). It walks the nodes in chunks; each statement deletes at most `retentionChunkRows` rows,
 * so that ingest never waits long behind it, and a run that reaches its time budget stops there
 * and the next run carries on from the same chunk.
 */
export class TelemetryRetention {
  readonly #repos: Repos;
  readonly #clock: Clock;
  readonly #config: ServerConfig;
  /** The last node of the chunk done; null at the start of a pass. */
  #after: string | null = null;
  /** When the pass under way (or the last one) started. */
  #passStartedAt = -Infinity;

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
    const measuredBefore = now - Math.max(this.#config.measurementRetentionMs, this.#config.measurementMaxAgeMs);
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
    const verdicts = await drain(() => this.#repos.verdicts.expire(measuredBefore, limit));
    if (this.#after === null) {
      if (now - this.#passStartedAt < RETENTION_PASS_EVERY_MS) return { measurements, verdicts, samples: 0, rollups: 0, batches: 0, passDone: false };
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
        return { measurements, verdicts, ...deleted, passDone: true };
      }
      for (const table of ['samples', 'rollups', 'batches'] as const) {
        let n: number;
        do {
          n = await expire[table](nodes);
          deleted[table] += n;
          // SQLite answers synchronously: let requests in between statements.
          await new Promise((resolve) => setImmediate(resolve));
        } while (n === limit && inBudget());
        if (n === limit) return { measurements, verdicts, ...deleted, passDone: false };
      }
      this.#after = nodes.at(-1)!;
    }
    return { measurements, verdicts, ...deleted, passDone: false };
  }
}

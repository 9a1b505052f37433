import type { EventWire, IngestResponse, SampleColumns } from '@locus/protocol';
import { lostToConcurrentTransaction, prepareSampleBatchStore, sampleBatchStore, TelemetryRepo, type GpuSampleRepo, type NodeRecord, type NodeSeries, type SampleBatchStore, type Storage } from '@locus/storage';
import { applyInventory } from '../inventory.js';

/** A checked batch (envelope valid, signature verified, series ids made), ready to store. */
export interface CheckedBatch {
  readonly batchId: string;
  readonly events: readonly EventWire[];
  /** Instants sampled, as acknowledged. */
  readonly instants: number;
  readonly columns: SampleColumns;
  /** Its node as the route last read it: the batch's claim checks that it is still enrolled. */
  readonly node: NodeRecord;
  readonly series: NodeSeries;
  /** When the server received it. */
  readonly now: number;
}

/**
 * A batch's answer; or 'not-enrolled' when its node, read by the route before, has been unenrolled
 * since (on this server or another on the same database): then nothing of it was stored.
 */
export type WriteOutcome = IngestResponse | 'not-enrolled';

interface Waiting {
  readonly item: CheckedBatch;
  readonly resolve: (outcome: WriteOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/** Told of each transaction the writer ran: its path, its batches and how long it took. */
export type WriteObserver = (path: 'batch-store' | 'repositories', batches: number, seconds: number) => void;

/** Batches in one transaction at most. */
const MAX_GROUP = 64;
/** Times a batch's own transaction is run again after it lost to a concurrent one (a deadlock). */
const CONFLICT_RETRIES = 3;

/**
 * Stores agents' batches, each whole or not at all, with group commit: batches that finish
 * their checks in the same turn of the event loop are written in one transaction, and each
 * is acknowledged once that transaction has committed. Under load, the cost of a commit (and,
 * on PostgreSQL, of its round trips) is shared by the batches in it; alone, a batch is written
 * at the end of the turn in which it arrived. On PostgreSQL several such transactions run at once.
 *
 * A group is all or nothing too: if its transaction fails (one batch's error, a deadlock with a
 * replica's group), each of its batches is written again in a transaction of its own, so that
 * only a batch that fails by itself is refused. A batch's own transaction that loses to a
 * concurrent one (PostgreSQL breaks a deadlock by failing one of its transactions) is run again.
 *
 * A group of batches that carry samples alone (nearly every group: events are rare) is written by
 * the database's batch store (sampleBatchStore: prepared statements past Kysely, on SQLite and
 * PostgreSQL); a group with an event goes through Kysely's repositories, as everything does on PGlite.
 */
export class BatchWriter {
  readonly #storage: Storage;
  readonly #samples: GpuSampleRepo;
  readonly #sampleBatches: SampleBatchStore | undefined;
  /** Transactions at once: SQLite has one writer; PostgreSQL writes several on its own cores. */
  readonly #concurrency: number;
  #queue: Waiting[] = [];
  #writing = 0;
  #scheduled = false;

  readonly #observe: WriteObserver;

  constructor(storage: Storage, samples: GpuSampleRepo, observe: WriteObserver = () => {}) {
    this.#storage = storage;
    this.#samples = samples;
    this.#observe = observe;
    this.#sampleBatches = sampleBatchStore(storage.db);
    this.#concurrency = storage.dialect === 'postgres' ? 4 : 1;
  }

  /** Readies the database's connections for the first batches (prepareSampleBatchStore): how many. */
  prepare(): Promise<number> {
    return this.#sampleBatches ? prepareSampleBatchStore(this.#storage.db) : Promise.resolve(0);
  }

  store(item: CheckedBatch): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#kick();
    });
  }

  /** Starts a writer at the end of this turn of the event loop, when one may start and has work. */
  #kick(): void {
    if (this.#scheduled || this.#writing >= this.#concurrency || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing++;
    try {
      while (this.#queue.length > 0) {
        const group = this.#queue.splice(0, MAX_GROUP);
        // What arrives while this group is written may go to another transaction (PostgreSQL).
        this.#kick();
        await this.#write(group);
      }
    } finally {
      this.#writing--;
      this.#kick();
    }
  }

  async #write(group: readonly Waiting[]): Promise<void> {
    if (group.length > 1) {
      try {
        const outcomes = await this.#transaction(group.map((w) => w.item));
        group.forEach((w, i) => w.resolve(outcomes[i]!));
        return;
      } catch {
        // Written again one by one below: each batch then stands or falls alone.
      }
    }
    for (const w of group) {
      try {
        w.resolve(await this.#alone(w.item));
      } catch (error) {
        w.reject(error);
      }
    }
  }

  /** A batch in a transaction of its own, run again while it loses to concurrent ones (a few times). */
  async #alone(item: CheckedBatch): Promise<WriteOutcome> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.#transaction([item]))[0]!;
      } catch (error) {
        if (attempt >= CONFLICT_RETRIES || !lostToConcurrentTransaction(error)) throw error;
      }
    }
  }

  /** Batches stored in one transaction, timed (a transaction that fails counts too). */
  async #transaction(items: readonly CheckedBatch[]): Promise<WriteOutcome[]> {
    const direct = this.#sampleBatches && items.every((item) => item.events.length === 0) ? this.#sampleBatches : undefined;
    const started = performance.now();
    try {
      return await this.#store(items, direct);
    } finally {
      this.#observe(direct ? 'batch-store' : 'repositories', items.length, (performance.now() - started) / 1000);
    }
  }

  #store(items: readonly CheckedBatch[], direct: SampleBatchStore | undefined): Promise<WriteOutcome[]> {
    if (direct) {
      return direct(items.map((item) => ({ batchId: item.batchId, nodeId: item.node.id, receivedAt: item.now, series: item.series, columns: item.columns }))).then((stored) =>
        items.map((item, i) => {
          const claim = stored[i]!;
          return claim === 'claimed' ? { batchId: item.batchId, duplicate: false, samples: item.instants, events: 0 } : claim === 'duplicate' ? duplicateOf(item.batchId) : claim;
        }),
      );
    }
    return this.#storage.db.transaction().execute(async (trx) => {
      const done: WriteOutcome[] = [];
      for (const item of items) done.push(await storeBatch(new TelemetryRepo(trx), this.#samples.withDb(trx), item));
      return done;
    });
  }
}

const duplicateOf = (batchId: string): IngestResponse => ({ batchId, duplicate: true, samples: 0, events: 0 });

/** One batch in the caller's transaction: its id claimed (a known id is a duplicate, stored again never), samples, events. */
async function storeBatch(telemetry: TelemetryRepo, samples: GpuSampleRepo, { batchId, events, instants, columns, node, series, now }: CheckedBatch): Promise<WriteOutcome> {
  const claim = await telemetry.claimBatch(batchId, node.id, now);
  if (claim === 'not-enrolled') return claim;
  if (claim === 'duplicate') return duplicateOf(batchId);
  await samples.addColumns(series, columns);
  let stored = 0;
  for (const e of events) {
    if (!(await telemetry.addEvent({ id: e.id, node_id: node.id, kind: e.kind, at: Date.parse(e.at), body: JSON.stringify(e) }))) continue;
    stored++;
    if (e.kind === 'inventory') await applyInventory(telemetry, node.id, e.inventory, now);
    if (e.kind === 'health') await telemetry.noteHealth(node.id, { ...e, at: Date.parse(e.at) });
  }
  return { batchId, duplicate: false, samples: instants, events: stored };
}

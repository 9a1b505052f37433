// SQLite on better-sqlite3 alone: the agent loads neither Kysely nor the server's drivers.
import { openDirectSqlite, type DirectSqliteFile } from '@locus/storage/sqlite-file';
import type { EventWire, SampleWire } from '@locus/protocol';

/**
 * The queue (`outbox`) and what the agent has already queued (`agent_state`: health states,
 * Xids seen, inventory, deliveries), in one file. An item's priority is 0 for events (health,
 * Xid, inventory) and 1 for samples: lower goes first and is dropped last. `batch_id` and
 * `batched_at` are set when the item is first put in a batch, so that a resend after a crash is
 * the same batch.
 */
const SCHEMA = `
create table if not exists outbox (
  seq integer primary key autoincrement,
  priority integer not null,
  body text not null,
  created_at bigint not null,
  batch_id text,
  batched_at bigint
);
create index if not exists outbox_order on outbox (priority, seq);
create table if not exists agent_state (key text primary key, value text not null);
`;

/**
 * Item bytes in one batch: half the server's default body limit (1 MiB), so that a queue
 * grown during an outage drains in batches the server accepts (500 samples of 8 GPUs do not).
 */
export const DEFAULT_BATCH_BYTES = 512 * 1024;

const EVENT = 0;
const SAMPLE = 1;

/** A batch the server refused for good (not as too large), dropped: when, why, and what it held. */
export interface RefusedBatch {
  readonly at: string;
  /** The server's error code, when it sent one. */
  readonly code: string | null;
  readonly message: string;
  readonly samples: number;
  readonly events: number;
}

/**
 * Deliveries held: the server refuses every batch alike (it does not read the protocol version
 * this agent writes, or does not take its host key), so the queue waits, whole, for a server
 * that takes them (nothing dropped but what the outbox's bound drops).
 */
export interface HeldDelivery {
  /** The first refusal of this hold. */
  readonly since: string;
  /** The newest. */
  readonly at: string;
  readonly code: string | null;
  readonly message: string;
}

/** How the agent's deliveries went, as `locus agent status` shows them (kept with the queue). */
export interface DeliveryStatus {
  /** When the server last stored a batch; null before the first (or since the state was wiped). */
  readonly lastDeliveredAt: string | null;
  readonly lastRefusal: RefusedBatch | null;
  /** Held since the server refused every batch (refusesEveryBatch); null once a batch is stored. */
  readonly held: HeldDelivery | null;
}

const LAST_DELIVERED = 'delivery:last-delivered';
const LAST_REFUSAL = 'delivery:last-refusal';
const HELD = 'delivery:held';

/** The queue's file could not be opened: its path and SQLite's or the system's reason. */
export class OutboxError extends Error {
  readonly path: string;
  constructor(path: string, cause: unknown) {
    super(`cannot open the queue ${path}: ${(cause as Error).message}`, { cause });
    this.path = path;
  }
}

export interface OutboxBatch {
  readonly batchId: string;
  /** When the batch was formed: it is the batch's `sentAt`, so that every send of it is identical. */
  readonly batchedAt: number;
  readonly samples: readonly SampleWire[];
  readonly events: readonly EventWire[];
}

/**
 * The agent's durable queue (SQLite, WAL, synchronous=FULL): everything is written here before
 * it is sent, sent in batches with a stable id, and deleted only when the server acknowledges
 * the batch. Bounded: past `maxItems` the oldest samples go first; events go only when nothing
 * but events is left, and `dropped` counts them so that nothing is lost silently.
 */
export class Outbox {
  /**
   * Every read and write as prepared statements on SQLite's connection, without a query
   * builder: a long-running daemon writes the queue and the state every 10 s, and Kysely's
   * building and compiling of each query cost more CPU than SQLite's work (bench:agent), and
   * loading it cost the daemon resident memory.
   */
  readonly #db: DirectSqliteFile;
  readonly #maxItems: number;
  #dropped = { samples: 0, events: 0 };

  private constructor(db: DirectSqliteFile, maxItems: number) {
    this.#db = db;
    this.#maxItems = maxItems;
  }

  /** Throws OutboxError naming the file when it cannot be opened as the queue (not a database, unreadable). */
  static async open(path: string, maxItems = 100_000): Promise<Outbox> {
    let db: DirectSqliteFile;
    try {
      db = openDirectSqlite(path, 'full');
    } catch (error) {
      throw new OutboxError(path, error);
    }
    try {
      db.exec(SCHEMA);
    } catch (error) {
      db.close();
      throw new OutboxError(path, error);
    }
    return new Outbox(db, maxItems);
  }

  /** Items dropped to stay within the bound since the outbox was opened. */
  get dropped(): { readonly samples: number; readonly events: number } {
    return { ...this.#dropped };
  }

  /**
   * Queues events and a sample and records the agent's state, in one transaction: after a crash
   * either all of it is there or none, so nothing is sent twice nor lost.
   */
  async commit(items: { readonly events: readonly EventWire[]; readonly sample?: SampleWire; readonly state: Readonly<Record<string, string>> }, at: number): Promise<void> {
    const insert = this.#db.statement(INSERT_ITEM);
    const putState = this.#db.statement(SET_STATE);
    await this.#db.transaction(() => {
      for (const e of items.events) insert([EVENT, JSON.stringify(e), at]);
      if (items.sample) insert([SAMPLE, JSON.stringify(items.sample), at]);
      for (const [key, value] of Object.entries(items.state)) putState([key, value]);
    });
    await this.#enforceBound();
  }

  async state(key: string): Promise<string | undefined> {
    const read = this.#db.rows<{ value: string }>(GET_STATE);
    return this.#db.transaction(() => read([key])[0]?.value);
  }

  async addSample(sample: SampleWire, at: number): Promise<void> {
    await this.#add(SAMPLE, sample, at);
  }

  async addEvent(event: EventWire, at: number): Promise<void> {
    await this.#add(EVENT, event, at);
  }

  async #add(priority: number, body: unknown, at: number): Promise<void> {
    const insert = this.#db.statement(INSERT_ITEM);
    await this.#db.transaction(() => insert([priority, JSON.stringify(body), at]));
    await this.#enforceBound();
  }

  async #enforceBound(): Promise<void> {
    // Whether a row lies past the bound: a scan as long as count(*)'s, but it stops there.
    if (!this.#db.exists('select 1 from outbox limit 1 offset ?')([this.#maxItems])) return;
    const count = this.#db.rows<{ n: number }>('select count(*) as n from outbox');
    // The oldest `excess` items of a priority, dropped.
    const drop = this.#db.statement('delete from outbox where seq in (select seq from outbox where priority = ? order by seq limit ?)');
    const dropped = await this.#db.transaction(() => {
      let excess = Number(count([])[0]!.n) - this.#maxItems;
      const gone = { samples: 0, events: 0 };
      for (const [priority, key] of [[SAMPLE, 'samples'], [EVENT, 'events']] as const) {
        if (excess <= 0) break;
        gone[key] = drop([priority, excess]);
        excess -= gone[key];
      }
      return gone;
    });
    this.#dropped.samples += dropped.samples;
    this.#dropped.events += dropped.events;
  }

  async size(): Promise<{ samples: number; events: number }> {
    const counts = this.#db.rows<{ priority: number; n: number }>('select priority, count(*) as n from outbox group by priority');
    const rows = await this.#db.transaction(() => counts([]));
    const of = (p: number) => Number(rows.find((r) => r.priority === p)?.n ?? 0);
    return { samples: of(SAMPLE), events: of(EVENT) };
  }

  /**
   * The batch to send next: a batch already sent but not acknowledged (same id, same items),
   * else up to `limit` new items, events first, under a new id. Undefined when empty.
   */
  async nextBatch(limit: number, newId: () => string, now: number, maxBytes = DEFAULT_BATCH_BYTES): Promise<OutboxBatch | undefined> {
    const pending = this.#db.rows<{ batch_id: string }>('select batch_id from outbox where batch_id is not null order by seq limit 1');
    const unbatched = this.#db.rows<{ seq: number; bytes: number }>('select seq, length(cast(body as blob)) as bytes from outbox where batch_id is null order by priority, seq limit ?');
    const mark = this.#db.statement('update outbox set batch_id = ?, batched_at = ? where seq = ?');
    const itemsOf = this.#db.rows<{ priority: number; body: string; batched_at: number }>('select priority, body, batched_at from outbox where batch_id = ? order by priority, seq');
    // One transaction: a batch is formed whole, and read as it was formed.
    const items = await this.#db.transaction(() => {
      let batchId = pending([])[0]?.batch_id;
      if (batchId === undefined) {
        const rows = unbatched([limit]);
        if (rows.length === 0) return undefined;
        // Within the byte budget (the server's body limit), but always at least one item.
        let bytes = 0;
        const taken = rows.filter((r, i) => (bytes += Number(r.bytes)) <= maxBytes || i === 0);
        batchId = newId();
        for (const r of taken) mark([batchId, now, r.seq]);
      }
      return { batchId, rows: itemsOf([batchId]) };
    });
    if (!items) return undefined;
    return {
      batchId: items.batchId,
      batchedAt: items.rows[0]?.batched_at ?? now,
      samples: items.rows.filter((i) => i.priority === SAMPLE).map((i) => JSON.parse(i.body) as SampleWire),
      events: items.rows.filter((i) => i.priority === EVENT).map((i) => JSON.parse(i.body) as EventWire),
    };
  }

  /** The server refused the batch unread (too large): its items go back to be batched anew. */
  async unbatch(batchId: string): Promise<void> {
    const unmark = this.#db.statement('update outbox set batch_id = null, batched_at = null where batch_id = ?');
    await this.#db.transaction(() => unmark([batchId]));
  }

  /** The server has stored the batch: forget its items, note when (at, given), and end a hold. */
  async acknowledge(batchId: string, at?: Date): Promise<void> {
    const forget = this.#db.statement(FORGET_BATCH);
    const putState = this.#db.statement(SET_STATE);
    const unhold = this.#db.statement('delete from agent_state where key = ?');
    await this.#db.transaction(() => {
      forget([batchId]);
      if (at) putState([LAST_DELIVERED, at.toISOString()]);
      unhold([HELD]);
    });
  }

  /** The server refused the batch as it would every batch (refusesEveryBatch): the batch stays, and the hold is kept (since its first refusal). */
  async hold(refusal: Pick<HeldDelivery, 'at' | 'code' | 'message'>): Promise<HeldDelivery> {
    const read = this.#db.rows<{ value: string }>(GET_STATE);
    const putState = this.#db.statement(SET_STATE);
    return this.#db.transaction(() => {
      const before = read([HELD])[0]?.value;
      const held: HeldDelivery = { since: before === undefined ? refusal.at : (JSON.parse(before) as HeldDelivery).since, ...refusal };
      putState([HELD, JSON.stringify(held)]);
      return held;
    });
  }

  /** The server refused the batch for good: forget its items, and keep why (the newest refusal). */
  async dropRefused(batch: OutboxBatch, refusal: Pick<RefusedBatch, 'at' | 'code' | 'message'>): Promise<void> {
    const kept: RefusedBatch = { ...refusal, samples: batch.samples.length, events: batch.events.length };
    const forget = this.#db.statement(FORGET_BATCH);
    const putState = this.#db.statement(SET_STATE);
    await this.#db.transaction(() => {
      forget([batch.batchId]);
      putState([LAST_REFUSAL, JSON.stringify(kept)]);
    });
  }

  async deliveryStatus(): Promise<DeliveryStatus> {
    const refusal = await this.state(LAST_REFUSAL);
    const held = await this.state(HELD);
    return { lastDeliveredAt: (await this.state(LAST_DELIVERED)) ?? null, lastRefusal: refusal === undefined ? null : (JSON.parse(refusal) as RefusedBatch), held: held === undefined ? null : (JSON.parse(held) as HeldDelivery) };
  }

  async wipe(): Promise<void> {
    const empty = [this.#db.statement('delete from outbox'), this.#db.statement('delete from agent_state')];
    await this.#db.transaction(() => empty.forEach((run) => run([])));
    // Outside a transaction: the freed pages go back to the file system.
    this.#db.exec('vacuum');
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}

/** The agent's state: one key's value, and a key set to a value. */
const GET_STATE = 'select value from agent_state where key = ?';
const SET_STATE = 'insert into agent_state (key, value) values (?, ?) on conflict (key) do update set value = excluded.value';
/** An item queued (priority, body, created at). */
const INSERT_ITEM = 'insert into outbox (priority, body, created_at) values (?, ?, ?)';
/** A batch's items, forgotten (acknowledged or refused for good). */
const FORGET_BATCH = 'delete from outbox where batch_id = ?';

import { randomUUID } from 'node:crypto';
import { listenPostgres, type PostgresChannel } from '@locus/storage';

/**
 * What changed in an organization, as this server process saw it happen, and, on PostgreSQL, as
 * its replicas did: the dashboard hears of it over `GET /api/v1/changes` (server-sent events)
 * and reloads what it shows at once rather than at its next poll. Only kinds, never data: a
 * listener reads the API as its token allows.
 */
export const CHANGE_KINDS = ['alerts', 'verdicts', 'nodes', 'events'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

type Listener = (kind: ChangeKind) => void;

/** In-process publish and subscribe of changes by organization. */
export class ChangeFeed {
  readonly #listeners = new Map<string, Set<Listener>>();
  #relay: ((orgId: string, kind: ChangeKind) => void) | undefined;

  /** Hears every change of the org until the returned function is called. */
  subscribe(orgId: string, listener: Listener): () => void {
    let set = this.#listeners.get(orgId);
    if (!set) this.#listeners.set(orgId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(orgId);
    };
  }

  /** A change made here: told to this process's listeners, and to the replicas' through the relay. */
  publish(orgId: string, kind: ChangeKind): void {
    this.deliver(orgId, kind);
    this.#relay?.(orgId, kind);
  }

  /** A change told to this process's listeners only (one a replica made). */
  deliver(orgId: string, kind: ChangeKind): void {
    for (const listener of this.#listeners.get(orgId) ?? []) listener(kind);
  }

  /** Passes every change published here on (ChangeRelay). */
  relayTo(relay: (orgId: string, kind: ChangeKind) => void): void {
    this.#relay = relay;
  }
}

/** The NOTIFY channel between replicas. */
const CHANNEL = 'locus_changes';
/** Changes made within this long are sent in one NOTIFY (as streams tell them: CHANGE_COALESCE_MS). */
const RELAY_EVERY_MS = 250;
/** A NOTIFY payload must stay under 8,000 bytes. */
const PAYLOAD_BYTES = 7_000;

/**
 * A server's changes (each `[org, kind]` as JSON) as NOTIFY payloads of at most `maxBytes` bytes
 * each, `{"from": <server>, "changes": [...]}`: as few as fit, every change in one of them.
 */
export function relayPayloads(from: string, changes: readonly string[], maxBytes = PAYLOAD_BYTES): string[] {
  const payloads: string[] = [];
  const head = `{"from":${JSON.stringify(from)},"changes":[`;
  const payload = (items: string[]) => `${head}${items.join(',')}]}`;
  // A payload's bytes: the head, each change and a comma, the closing brackets.
  const empty = Buffer.byteLength(head) + 2;
  let batch: string[] = [];
  let bytes = empty;
  for (const change of changes) {
    const size = Buffer.byteLength(change) + 1;
    if (batch.length > 0 && bytes + size > maxBytes) {
      payloads.push(payload(batch));
      batch = [];
      bytes = empty;
    }
    batch.push(change);
    bytes += size;
  }
  if (batch.length > 0) payloads.push(payload(batch));
  return payloads;
}

/**
 * Carries changes between replicas of one PostgreSQL database (LISTEN/NOTIFY), so that a
 * dashboard streaming from one server hears of what another did: each server sends what was
 * published on it, at most every 250 ms, as `{"from": <this server>, "changes": [[org, kind], …]}`,
 * and delivers what others sent. Only on a PostgreSQL server: the other databases serve one process.
 */
export class ChangeRelay {
  readonly #channel: PostgresChannel;
  readonly #from = randomUUID();
  #pending = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;

  private constructor(feed: ChangeFeed, channel: PostgresChannel, report: (message: string) => void) {
    this.#channel = channel;
    feed.relayTo((orgId, kind) => {
      this.#pending.add(JSON.stringify([orgId, kind]));
      this.#timer ??= setTimeout(() => (this.#sending = this.#send(report)), RELAY_EVERY_MS);
    });
  }

  /** Relays the feed's changes through this database, if it is a PostgreSQL server's; undefined otherwise. */
  static start(feed: ChangeFeed, db: object, report: (message: string) => void): ChangeRelay | undefined {
    let relay: ChangeRelay | undefined;
    const channel = listenPostgres(db, CHANNEL, (payload) => relay && ChangeRelay.#deliver(relay, feed, payload), report);
    if (channel) relay = new ChangeRelay(feed, channel, report);
    return relay;
  }

  /** Settles once this server listens to the others. */
  get listening(): Promise<void> {
    return this.#channel.listening;
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#sending;
    await this.#channel.close();
  }

  async #send(report: (message: string) => void): Promise<void> {
    this.#timer = undefined;
    const changes = [...this.#pending];
    this.#pending = new Set();
    // Lost, the replicas' dashboards see these changes at their next poll.
    await this.#channel.notify(relayPayloads(this.#from, changes)).catch((error: unknown) => report(`telling replicas of changes failed (${(error as Error).message})`));
  }

  /** Delivers what another server sent (nothing of its own, nothing malformed). */
  static #deliver(relay: ChangeRelay, feed: ChangeFeed, payload: string): void {
    let message: { from?: unknown; changes?: unknown };
    try {
      message = JSON.parse(payload) as typeof message;
    } catch {
      return;
    }
    if (message.from === relay.#from || !Array.isArray(message.changes)) return;
    for (const change of message.changes as unknown[]) {
      if (!Array.isArray(change) || typeof change[0] !== 'string' || !(CHANGE_KINDS as readonly unknown[]).includes(change[1])) continue;
      feed.deliver(change[0], change[1] as ChangeKind);
    }
  }
}

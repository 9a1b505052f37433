import { heldRetryMs, LANDMARK_RETRY_MAX_MS, landmarkUserAgent, type SignedMeasurement } from '@locus/protocol';
import type { Spool } from './spool.js';
import { LANDMARK_VERSION } from './version.js';

/** Measurements the server refused one by one, for one reason (its error code); `message` is the first one's. */
export interface RefusalReason {
  readonly code: string;
  readonly message: string;
  readonly count: number;
}

/**
 * Why delivery holds everything queued, dropping nothing, and tries again about every
 * backoff.maxMs: `version`, the server does not read the protocol version of the measurements (a
 * landmark newer than its server); `refused`, the server (or a proxy before it) refuses every
 * request alike (401, 403, 404, 405, a 413 of one measurement, a 400 not its own refusal of the
 * batch: a wrong --server, a proxy's rule); `unregistered`, the server refuses them one by one as
 * of a landmark it does not know, not yet registered. Each ends when the operator acts. (A 407
 * never reaches it: fetch does no proxy authentication and fails as if the server were away, which
 * is retried.)
 */
export type HoldCause = 'version' | 'refused' | 'unregistered';

export type DeliveryEvent =
  | { readonly kind: 'delivered'; readonly count: number }
  /** The server took the batch (200) but refused `count` of its `of` measurements, which it will refuse again. */
  | { readonly kind: 'refused'; readonly count: number; readonly of: number; readonly reasons: readonly RefusalReason[] }
  | { readonly kind: 'retrying'; readonly count: number; readonly inMs: number; readonly why: string }
  /** The server refuses every delivery, or this landmark (HoldCause): nothing is dropped, the `queued` wait, and are tried again in `inMs`. */
  | { readonly kind: 'held'; readonly cause: HoldCause; readonly queued: number; readonly inMs: number; readonly why: string }
  /** The server refused a batch of `count` whole, as malformed or too large: its measurements go again in batches of at most `size`, nothing dropped. */
  | { readonly kind: 'split'; readonly count: number; readonly size: number; readonly why: string }
  /** The server's schema refused `count` measurements sent alone (400 LOCUS_ERR_VALIDATION): it would refuse them again, so they were dropped. */
  | { readonly kind: 'rejected'; readonly count: number; readonly status: number; readonly body: string }
  | { readonly kind: 'dropped'; readonly count: number; readonly why: string }
  /** Stopping with `count` undelivered, kept in the spool for the next start. */
  | { readonly kind: 'kept'; readonly count: number }
  /** Starting with `count` an earlier run kept in the spool. */
  | { readonly kind: 'restored'; readonly count: number };

export interface DeliveryOptions {
  /** The server's base URL; measurements go to POST {server}/api/v1/measurements. */
  readonly server: string;
  readonly token?: string;
  readonly batchSize?: number;
  /** Measurements kept while the server is away; beyond it the oldest are dropped, and said so. */
  readonly maxQueue?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** A request unanswered for this long is given up and retried (fetch alone waits 5 minutes for headers). */
  readonly requestTimeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly random?: () => number;
  readonly onEvent?: (event: DeliveryEvent) => void;
  /** Keeps what is queued across restarts (openSpool); without one, what is queued at a stop is lost, and said so. */
  readonly spool?: Spool;
}

/** One measurement of a batch the server refused in an answer that took the batch (200). */
interface Refusal {
  /** Its place in the batch, when the answer gives one. */
  readonly index: number | undefined;
  readonly code: string;
  readonly message: string;
}

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * The measurements the server's answer to a delivery says it refused, or none when the answer
 * does not say (the server stores what it accepts and refuses the rest one by one: an
 * unregistered landmark, another place than the registered one, a clock off).
 */
function refusals(text: string): Refusal[] {
  const rejected = (parsed(text) as { rejected?: unknown } | null | undefined)?.rejected;
  if (!Array.isArray(rejected)) return [];
  return (rejected as { index?: unknown; code?: unknown; message?: unknown }[]).map((r) => ({
    index: Number.isInteger(r?.index) ? (r.index as number) : undefined,
    code: typeof r?.code === 'string' ? r.code : 'unknown',
    message: typeof r?.message === 'string' ? r.message.slice(0, 500) : '',
  }));
}

/** Refusals by code, the first one's message for each. */
function byCode(refused: readonly Refusal[]): RefusalReason[] {
  const reasons = new Map<string, RefusalReason>();
  for (const { code, message } of refused) {
    const seen = reasons.get(code);
    reasons.set(code, { code, message: seen?.message ?? message, count: (seen?.count ?? 0) + 1 });
  }
  return [...reasons.values()];
}

/**
 * Whether the server refused a measurement as of a landmark it does not know, which registering
 * the landmark ends: held, not dropped. A revoked landmark (also LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK)
 * is never registered again (its id is taken for good), so its refusals are final; should the
 * server's message change, they are held, which loses nothing.
 */
const awaitsRegistration = (r: Refusal): boolean => r.code === 'LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK' && !/\bwas revoked\b/.test(r.message);

/** A Locus error answer's code and its message, "CODE: message", or undefined for any other body (a proxy's page, say). */
function locusError(text: string): { code: string; said: string } | undefined {
  const { code, message } = (parsed(text) ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !code.startsWith('LOCUS_ERR_')) return undefined;
  return { code, said: `${code}: ${typeof message === 'string' ? message.slice(0, 500) : ''}` };
}

/** Why a request failed: fetch's own message is "fetch failed", the cause (refused, no such host, a certificate) is under it. */
function failure(error: unknown): string {
  const { message, cause } = error as Error & { cause?: { message?: unknown } };
  if (cause?.message === 'bad port') return `${message}: bad port (fetch refuses the ports browsers block, such as 6000 and 6665-6669: serve the Locus server on another)`;
  return typeof cause?.message === 'string' && cause.message !== '' ? `${message}: ${cause.message}` : message;
}

/** How often a stopping landmark tries again: a server restarting with it may be back within seconds. */
const DRAIN_RETRY_MS = 500;

export interface Delivery {
  enqueue(signed: SignedMeasurement): void;
  pending(): number;
  /** Tries to send everything queued now; resolves when the queue is empty or a retry is scheduled. */
  flush(): Promise<void>;
  /**
   * For a stop: tries to send everything queued, again every DRAIN_RETRY_MS whatever the backoff
   * says, until the queue is empty or `withinMs` have passed.
   */
  drain(withinMs: number): Promise<void>;
  /**
   * Stops: a request on the wire is cut short. With a spool, everything queued (that request's
   * measurements too) is kept for the next start; without, it is dropped, and said so.
   */
  close(): void;
}

/**
 * Sends signed measurements to the server in batches: retries with capped exponential
 * backoff and full jitter on network errors, 408, 429 and 5xx; holds everything, trying again
 * about every backoff.maxMs, while the server refuses every request alike or this landmark
 * (HoldCause); sends a batch the server refuses whole as malformed or too large again in halves,
 * down to one measurement, and drops only a measurement its schema refuses alone; says which
 * measurements of a batch it took the server refused one by one. Nothing is dropped silently.
 */
export function startDelivery(options: DeliveryOptions): Delivery {
  const batchSize = options.batchSize ?? 100;
  const maxQueue = options.maxQueue ?? 100_000;
  const backoff = options.backoff ?? { initialMs: 1_000, maxMs: LANDMARK_RETRY_MAX_MS };
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const doFetch = options.fetch ?? fetch;
  const random = options.random ?? Math.random;
  const emit = options.onEvent ?? (() => {});
  const url = `${options.server.replace(/\/+$/, '')}/api/v1/measurements`;
  const queue: SignedMeasurement[] = [];
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> | undefined;
  let closed = false;
  // Measurements of the request on the wire, which close() cuts short: reported with its outcome.
  let inFlight = 0;
  const stopping = new AbortController();
  const spool = options.spool;
  // Measurements a request carries at most: halved when the server refuses a batch whole as
  // malformed, to find the measurement its schema refuses, and doubled again with each batch it
  // takes, up to `ceiling`: batchSize, less once the server (or a proxy) found a batch too large.
  let ceiling = batchSize;
  let limit = batchSize;
  /**
   * Takes `count` measurements off the head of the queue (sent, refused or dropped), and off the
   * spool, and puts `keep` (held) back at the head. The spool may keep lines of measurements that
   * left the queue, which the server counts once if they come again; never fewer than the queue.
   */
  const settle = (count: number, keep: readonly SignedMeasurement[] = []): void => {
    const removed = queue.splice(0, count, ...keep).length - keep.length;
    if (removed > 0) spool?.settled(queue, removed);
  };

  const retryLater = (count: number, why: string): void => {
    if (closed) {
      // No retry after close: kept in the spool (close() said so), or lost, and said so.
      if (spool) return;
      queue.splice(0, count);
      return emit({ kind: 'dropped', count, why: `landmark stopping before the server took them (${why}); any it stored count once` });
    }
    const inMs = Math.round(Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt++) * random());
    emit({ kind: 'retrying', count, inMs, why });
    flushIn(inMs);
  };

  /** The server refuses every delivery alike, or this landmark (HoldCause): all waits, tried again now and then, until it takes them. */
  const holdLater = (count: number, cause: HoldCause, why: string): void => {
    if (closed) return retryLater(count, why);
    const inMs = heldRetryMs(backoff.maxMs, random);
    emit({ kind: 'held', cause, queued: queue.length, inMs, why });
    flushIn(inMs);
  };

  const flushIn = (inMs: number): void => {
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, inMs);
  };

  const sendOnce = async (): Promise<boolean> => {
    const batch = queue.slice(0, limit);
    inFlight = batch.length;
    try {
      return await send(batch);
    } finally {
      inFlight = 0;
    }
  };

  /** One request with the batch at the head of the queue; whether to go on with the next. */
  const send = async (batch: readonly SignedMeasurement[]): Promise<boolean> => {
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': landmarkUserAgent(LANDMARK_VERSION), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
        body: JSON.stringify({ measurements: batch }),
        signal: AbortSignal.any([AbortSignal.timeout(requestTimeoutMs), stopping.signal]),
      });
    } catch (error) {
      retryLater(batch.length, failure(error));
      return false;
    }
    const text = await res.text().catch(() => '');
    if (res.ok) {
      attempt = 0;
      limit = Math.min(ceiling, limit * 2);
      // Only here, in an answer that took the batch, are measurements refused one by one (the
      // server's measurement route): each for good, but for a landmark not registered yet.
      const all = refusals(text);
      const waiting = new Set(all.filter(awaitsRegistration).flatMap((r) => (r.index !== undefined && r.index < batch.length ? [r.index] : [])));
      const kept = batch.filter((_, i) => waiting.has(i));
      settle(batch.length, kept);
      const taken = batch.length - kept.length;
      const reasons = byCode(all.filter((r) => r.index === undefined || !waiting.has(r.index)));
      const refused = Math.min(taken, reasons.reduce((n, r) => n + r.count, 0));
      if (refused < taken) emit({ kind: 'delivered', count: taken - refused });
      if (refused > 0) emit({ kind: 'refused', count: refused, of: batch.length, reasons });
      if (kept.length === 0) return true;
      const unknown = all.find(awaitsRegistration)!;
      holdLater(kept.length, 'unregistered', `${unknown.code}: ${unknown.message}`);
      return false;
    }
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      retryLater(batch.length, `HTTP ${res.status}`);
      return false;
    }
    const error = locusError(text);
    if (error?.code === 'LOCUS_ERR_PROTO_VERSION') {
      holdLater(batch.length, 'version', error.said);
      return false;
    }
    const why = `HTTP ${res.status} ${text.slice(0, 500)}`.trim();
    // The server's schema refused the batch (400 LOCUS_ERR_VALIDATION), or its size (413): one
    // measurement may spoil a batch, or the batch be over a proxy's limit. Halve it, dropping
    // nothing, until the measurement the schema refuses alone is found.
    const malformed = res.status === 400 && error?.code === 'LOCUS_ERR_VALIDATION';
    if ((malformed || res.status === 413) && batch.length > 1) {
      limit = Math.ceil(batch.length / 2);
      if (!malformed) ceiling = limit;
      emit({ kind: 'split', count: batch.length, size: limit, why });
      return true;
    }
    if (malformed) {
      // Refused alone by the server's own schema: it would refuse it again whatever is done, and
      // holding it would block every measurement behind it. The one measurement the landmark drops, said so.
      settle(1);
      emit({ kind: 'rejected', count: 1, status: res.status, body: text.slice(0, 500) });
      return true;
    }
    // Any other refusal (401, 403, 404, 405, 413 of one measurement; a 400 that is not the
    // server's schema refusal, such as a proxy's "plain HTTP sent to the HTTPS port") is of the
    // request, not of these measurements, and every request would get it: a wrong --server, a
    // proxy's rule, the server's body limit. Dropping would lose good measurements, one batch a
    // try: hold everything until the operator puts it right.
    holdLater(batch.length, 'refused', why);
    return false;
  };

  const flush = (): Promise<void> => {
    if (sending) return sending;
    clearTimeout(timer);
    timer = undefined;
    sending = (async () => {
      while (!closed && queue.length > 0 && (await sendOnce()));
    })().finally(() => (sending = undefined));
    return sending;
  };

  /** Past maxQueue the oldest go, and are said to. */
  const trim = (): void => {
    if (queue.length <= maxQueue) return;
    const excess = queue.length - maxQueue;
    settle(excess);
    emit({ kind: 'dropped', count: excess, why: `queue over ${maxQueue}; the oldest were dropped` });
  };

  const restored = spool?.takeRestored() ?? [];
  if (restored.length > 0) {
    // One at a time: spread into push, a long list would overflow the stack.
    for (const signed of restored) queue.push(signed);
    emit({ kind: 'restored', count: restored.length });
    trim();
    void flush();
  }

  return {
    enqueue(signed) {
      if (closed) return;
      queue.push(signed);
      spool?.append(signed);
      trim();
      if (!timer && !sending) void flush();
    },
    pending: () => queue.length,
    flush,
    async drain(withinMs) {
      const end = performance.now() + withinMs;
      // Resolves when `work` does or after `ms`, at the latest at the deadline; leaves no timer behind.
      const atMost = async (ms: number, work?: Promise<void>) => {
        let wait: NodeJS.Timeout | undefined;
        await Promise.race([work ?? new Promise(() => {}), new Promise<void>((resolve) => (wait = setTimeout(resolve, Math.max(0, Math.min(ms, end - performance.now())))))]);
        clearTimeout(wait);
      };
      while (!closed && queue.length > 0 && performance.now() < end) {
        await atMost(Infinity, flush());
        if (queue.length > 0) await atMost(DRAIN_RETRY_MS);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      if (spool) {
        // Whether the server took a request cut short is not known: it counts a measurement once if it comes again.
        if (queue.length > 0) emit({ kind: 'kept', count: queue.length });
        spool.close(queue);
        queue.length = 0;
      } else {
        // A request on the wire is cut short, and its measurements reported dropped with why when it ends.
        const waiting = queue.splice(inFlight).length;
        if (waiting > 0) emit({ kind: 'dropped', count: waiting, why: 'landmark stopping with measurements undelivered' });
      }
      stopping.abort(new Error('the landmark is stopping'));
    },
  };
}

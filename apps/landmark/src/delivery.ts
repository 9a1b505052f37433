import { heldRetryMs, LANDMARK_RETRY_MAX_MS, landmarkUserAgent, type SignedMeasurement } from '@locus/protocol';
import type { Spool } from './spool.js';
import { LANDMARK_VERSION } from './version.js';

/** Measurements the server refused one by one, for one reason (its error code); `message` is the first one's. */
export interface RefusalReason {
  readonly code: string;
  readonly message: string;
  readonly count: number;
}

export type DeliveryEvent =
  | { readonly kind: 'delivered'; readonly count: number }
  /** The server took the batch (200) but refused `count` of its `of` measurements, which it will refuse again. */
  | { readonly kind: 'refused'; readonly count: number; readonly of: number; readonly reasons: readonly RefusalReason[] }
  | { readonly kind: 'retrying'; readonly count: number; readonly inMs: number; readonly why: string }
  /**
   * The server does not read the protocol version of the landmark's measurements (a landmark
   * newer than its server): nothing is dropped, the `queued` wait, and are tried again in `inMs`.
   */
  | { readonly kind: 'held'; readonly queued: number; readonly inMs: number; readonly why: string }
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

/**
 * The measurements the server's answer to a delivery says it refused, by code, or none when the
 * answer does not say (the server stores what it accepts and refuses the rest one by one: an
 * unregistered landmark, another place than the registered one, a clock off).
 */
function refusals(text: string): RefusalReason[] {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return [];
  }
  const rejected = (answer as { rejected?: unknown } | null)?.rejected;
  if (!Array.isArray(rejected)) return [];
  const byCode = new Map<string, RefusalReason>();
  for (const r of rejected as { code?: unknown; message?: unknown }[]) {
    const code = typeof r?.code === 'string' ? r.code : 'unknown';
    const seen = byCode.get(code);
    byCode.set(code, { code, message: seen?.message ?? (typeof r?.message === 'string' ? r.message.slice(0, 500) : ''), count: (seen?.count ?? 0) + 1 });
  }
  return [...byCode.values()];
}

/** The server's message when its answer refuses the protocol version of what was sent (LOCUS_ERR_PROTO_VERSION). */
function versionRefusal(text: string): string | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { code, message } = (answer ?? {}) as { code?: unknown; message?: unknown };
  return code === 'LOCUS_ERR_PROTO_VERSION' ? `${code}: ${typeof message === 'string' ? message.slice(0, 500) : ''}` : undefined;
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
 * backoff and full jitter on network errors, 429 and 5xx; holds everything, trying again about
 * every backoff.maxMs, while the server does not read the measurements' protocol version;
 * drops a batch the server refuses with another 4xx (it would refuse it again), and says which
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
  /** Takes `count` measurements off the head of the queue (sent, refused or dropped), and off the spool. */
  const settle = (count: number): void => {
    const removed = queue.splice(0, count).length;
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

  /** The server does not read this landmark's protocol version: all waits, tried again now and then (until one that does comes). */
  const holdLater = (count: number, why: string): void => {
    if (closed) return retryLater(count, why);
    const inMs = heldRetryMs(backoff.maxMs, random);
    emit({ kind: 'held', queued: queue.length, inMs, why });
    flushIn(inMs);
  };

  const flushIn = (inMs: number): void => {
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, inMs);
  };

  const sendOnce = async (): Promise<boolean> => {
    const batch = queue.slice(0, batchSize);
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
    if (res.ok) {
      settle(batch.length);
      attempt = 0;
      const reasons = refusals(await res.text().catch(() => ''));
      const refused = Math.min(batch.length, reasons.reduce((n, r) => n + r.count, 0));
      if (refused < batch.length) emit({ kind: 'delivered', count: batch.length - refused });
      if (refused > 0) emit({ kind: 'refused', count: refused, of: batch.length, reasons });
      return true;
    }
    const text = await res.text().catch(() => '');
    if (res.status === 429 || res.status >= 500) {
      retryLater(batch.length, `HTTP ${res.status}`);
      return false;
    }
    const version = versionRefusal(text);
    if (version !== undefined) {
      holdLater(batch.length, version);
      return false;
    }
    settle(batch.length);
    emit({ kind: 'rejected', count: batch.length, status: res.status, body: text.slice(0, 500) });
    return true;
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

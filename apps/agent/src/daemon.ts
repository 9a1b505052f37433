import { randomUUID } from 'node:crypto';
import { AGENT_RETRY_MAX_MS, heldRetryMs, type EventWire, type SigningKey } from '@locus/protocol';
import type { Responder } from '@locus/responder';
import { AuditLog } from './audit.js';
import { ingestAt, ServerError, type Poster } from './client.js';
import { collect } from './collect.js';
import { ALL_COMPONENTS } from './components/all.js';
import type { Health } from './components/component.js';
import { RATE_WINDOW_S } from './components/limits.js';
import { PassHistory } from './history.js';
import { hostInventory, hostInventoryReader } from './host.js';
import { agentFiles, lockStateDir, type Enrollment } from './identity.js';
import { DEFAULT_BATCH_BYTES, Outbox } from './outbox.js';
import { scan } from './report.js';
import { healthChanges, newXidEvents, signedBatch, toInventoryWire, toMetricsWire } from './wire.js';
import type { AgentMetrics } from './metrics.js';
import { startMetricsServer, type MetricsListen, type MetricsServer } from './metrics-server.js';
import type { CollectOptions } from './collect.js';
import type { HostSnapshot } from './snapshot.js';
import type { ScanReport } from './report.js';

/** The smallest byte budget a batch is cut down to after the server refuses one as too large. */
const MIN_BATCH_BYTES = 16 * 1024;

export interface AgentOptions {
  readonly stateDir: string;
  readonly enrollment: Enrollment;
  readonly key: SigningKey;
  /** A fleet spec to simulate instead of reading the driver. */
  readonly simulate?: string | undefined;
  /** The NVML library to load instead of libnvidia-ml.so.1. */
  readonly nvmlLibrary?: string | undefined;
  /** The host's name to report (inventory, metrics' Hostname label); empty or absent: the OS's. */
  readonly hostname?: string | undefined;
  readonly intervalMs: number;
  /**
   * Samples queued per send: queued samples go to the server every this many intervals
   * (default: sendEveryDefault), and at once when a pass queues an event.
   */
  readonly sendEvery?: number | undefined;
  /** Serve GET /metrics (Prometheus) there; no listener at all when absent. */
  readonly metrics?: MetricsListen | undefined;
  /** Landmark timing endpoints to keep a connection to (answering their challenges). */
  readonly landmarks?: readonly string[];
  readonly batchSize?: number;
  readonly maxQueue?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly now?: () => Date;
  readonly fetch?: Poster;
  readonly random?: () => number;
  readonly log?: (line: string) => void;
}

export interface RunningAgent {
  /** One collection pass: sample, health changes, new Xids and inventory changes into the outbox. */
  tick(): Promise<void>;
  /** Sends what is queued until it is empty or the server is unreachable. */
  flush(): Promise<void>;
  readonly outbox: Outbox;
  /** Where GET /metrics is served, when it is. */
  readonly metricsUrl: string | undefined;
  stop(): Promise<void>;
}

export interface Queuer {
  /** Collects once and queues what changed: inventory, new Xids, health changes, and the sample; with how many events it queued. */
  tick(at: Date): Promise<{ readonly snapshot: HostSnapshot; readonly report: ScanReport; readonly events: number }>;
}

/** The longest a queued sample waits for its send, by default (the server calls a node silent after 5 minutes). */
export const MAX_SEND_WAIT_MS = 30_000;

/**
 * Samples per send by default: 3 (every 30 s at the default 10-s interval, a third of the
 * requests, signatures and transactions of a send per sample, for both ends), fewer where that
 * would hold a sample longer than MAX_SEND_WAIT_MS, and at least 1.
 */
export const sendEveryDefault = (intervalMs: number): number => Math.max(1, Math.min(3, Math.floor(MAX_SEND_WAIT_MS / intervalMs)));

/** What the queuer keeps in the outbox's agent_state: health states, Xid lines seen, the last inventory sent. */
const STATE_KEYS = ['health', 'xids', 'inventory'] as const;
type StateKey = (typeof STATE_KEYS)[number];

/** Xid lines remembered so that a restart does not report them again; older ones are forgotten. */
const XIDS_REMEMBERED = 2000;

/**
 * The collecting half of the agent. What it already queued (health states, Xids, inventory) is
 * kept in the outbox's database and written in the same transaction as the queue, so that a
 * restart, even after kill -9, neither repeats nor loses an event.
 */
export function createQueuer(o: {
  readonly outbox: Outbox;
  readonly stateDir: string;
  readonly simulate?: string | undefined;
  readonly nvmlLibrary?: string | undefined;
  readonly hostname?: string | undefined;
  readonly sources?: CollectOptions['sources'];
  readonly log?: (line: string) => void;
}): Queuer {
  const history = new PassHistory(RATE_WINDOW_S);
  const readHost = hostInventoryReader({ hostname: o.hostname });
  // The state as stored: `texts` holds what the outbox has, so that a pass writes only what changed.
  let loaded: { health: Map<string, Health>; xids: Set<string>; texts: Record<StateKey, string> } | undefined;
  let lastDropped = { samples: 0, events: 0 };
  // How the last pass read the host (NVML missing, the kernel log unreadable): each note is
  // logged when it first shows, and once when it no longer holds, not every pass.
  let lastNotes = new Set<string>();
  const load = async () => {
    if (loaded) return loaded;
    const [health, xids, inventory] = await Promise.all(STATE_KEYS.map(async (key) => (await o.outbox.state(key)) ?? ''));
    loaded = {
      health: new Map(JSON.parse(health || '[]') as [string, Health][]),
      xids: new Set(JSON.parse(xids || '[]') as string[]),
      texts: { health: health!, xids: xids!, inventory: inventory! },
    };
    return loaded;
  };
  return {
    async tick(at) {
      const iso = at.toISOString();
      const { snapshot, notes } = await collect({ simulate: o.simulate, stateDir: o.stateDir, now: at, nvmlLibrary: o.nvmlLibrary, ...(o.sources ? { sources: o.sources } : {}) });
      const noted = new Set(notes);
      for (const note of noted) if (!lastNotes.has(note)) o.log?.(`collection: ${note}`);
      for (const note of lastNotes) if (!noted.has(note)) o.log?.(`collection: no longer so: ${note}`);
      lastNotes = noted;
      const report = scan(snapshot, ALL_COMPONENTS, history.baseline(at));
      history.remember(snapshot);
      const memory = await load();
      const health = new Map(memory.health);
      const xids = new Set(memory.xids);
      const events: EventWire[] = [];
      const inventory = toInventoryWire(readHost(at), snapshot);
      const inventoryText = JSON.stringify(inventory);
      if (inventoryText !== memory.texts.inventory) events.push({ kind: 'inventory', id: randomUUID(), at: iso, inventory });
      events.push(...newXidEvents(xids, snapshot, iso), ...healthChanges(health, report, iso));
      const keptXids = [...xids].slice(-XIDS_REMEMBERED);
      const texts: Record<StateKey, string> = { health: JSON.stringify([...health]), xids: JSON.stringify(keptXids), inventory: inventoryText };
      const changed = Object.fromEntries(STATE_KEYS.filter((key) => texts[key] !== memory.texts[key]).map((key) => [key, texts[key]]));
      await o.outbox.commit({ events, sample: { at: iso, gpus: snapshot.gpus.map(toMetricsWire) }, state: changed }, at.getTime());
      loaded = { health, xids: new Set(keptXids), texts };
      const dropped = o.outbox.dropped;
      if (dropped.samples !== lastDropped.samples || dropped.events !== lastDropped.events) {
        o.log?.(`outbox full: dropped ${dropped.samples - lastDropped.samples} sample(s) and ${dropped.events - lastDropped.events} event(s), oldest first`);
        lastDropped = dropped;
      }
      return { snapshot, report, events: events.length };
    },
  };
}

/**
 * What a refusal says the server refuses, when it is every batch this agent sends and not this
 * one batch: its protocol version, or its host key (401: no enrolled node has it there).
 * Undefined for a refusal of one batch.
 */
export function refusesEveryBatch(e: ServerError): string | undefined {
  if (e.code === 'LOCUS_ERR_PROTO_VERSION') return "this agent's protocol version";
  if (e.status === 401) return "this agent's host key";
  return undefined;
}

/**
 * The agent daemon: every interval, collect and queue (the outbox is written before anything
 * is sent), then send in batches; back off with jitter while the server is away. It takes no
 * instructions; the only thing it answers is a landmark's timing challenge. Its one possible
 * listener is the optional GET /metrics, off unless `metrics` is given.
 */
export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const now = o.now ?? (() => new Date());
  const log = o.log ?? (() => {});
  const random = o.random ?? Math.random;
  const backoff = o.backoff ?? { initialMs: 1_000, maxMs: AGENT_RETRY_MAX_MS };
  const files = agentFiles(o.stateDir);
  // Loaded only when asked for, before anything opens: a daemon without metrics or landmarks
  // holds neither Prometheus's client nor the responder's WebSocket library (bench:agent).
  const metricsModule = o.metrics ? await import('./metrics.js') : undefined;
  const responderModule = o.landmarks?.length ? await import('@locus/responder') : undefined;
  // Throws AgentRunningError while another agent runs here; released by stop, or with the process.
  const lock = lockStateDir(o.stateDir);
  let outbox: Outbox;
  try {
    outbox = await Outbox.open(files.outbox, o.maxQueue);
  } catch (error) {
    lock.release();
    throw error;
  }
  const audit = new AuditLog(files.audit);
  const queuer = createQueuer({ outbox, stateDir: o.stateDir, simulate: o.simulate, nvmlLibrary: o.nvmlLibrary, hostname: o.hostname, log });
  let metrics: AgentMetrics | undefined;
  let metricsServer: MetricsServer | undefined;
  if (o.metrics && metricsModule) {
    metrics = metricsModule.createAgentMetrics({ hostname: hostInventory({ hostname: o.hostname }).hostname, outbox });
    try {
      metricsServer = await startMetricsServer(metrics.registry, o.metrics);
    } catch (error) {
      await outbox.close();
      lock.release();
      throw error;
    }
  }
  let attempt = 0;
  // The server refuses this agent's protocol version: the queue waits for the retry timer.
  let held = false;
  let batchBytes = DEFAULT_BATCH_BYTES;
  let retryTimer: NodeJS.Timeout | undefined;
  let tickTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let stopped = false;
  // Passes run one at a time (the timer's and tick()'s), each from what the last one stored.
  let passing: Promise<unknown> = Promise.resolve();
  /** One collection pass; how many events it queued. */
  const collectOnce = (): Promise<number> => {
    const pass = passing.then(async () => {
      const at = now();
      try {
        const { snapshot, report, events } = await queuer.tick(at);
        metrics?.collected(snapshot, report, now());
        return events;
      } catch (error) {
        metrics?.collectFailed();
        throw error;
      }
    });
    passing = pass.catch(() => {});
    return pass;
  };
  const sendEvery = o.sendEvery ?? sendEveryDefault(o.intervalMs);
  // Passes since the last send; the first pass is sent at once.
  let unsent = sendEvery - 1;

  const sendAll = async (): Promise<void> => {
    for (;;) {
      if (stopped) return;
      const batch = await outbox.nextBatch(o.batchSize ?? 500, randomUUID, now().getTime(), batchBytes);
      if (!batch) return;
      const payload = signedBatch(batch, o.key);
      audit.append(now(), 'ingest', payload);
      try {
        const res = await ingestAt(o.enrollment.server, payload, o.fetch);
        await outbox.acknowledge(batch.batchId, now());
        metrics?.sent(now());
        attempt = 0;
        if (held) {
          held = false;
          metrics?.held(false);
          log(`the server takes this agent's batches again; sending the ${JSON.stringify(await outbox.size())} queued`);
        }
        if (res.duplicate) log(`batch ${batch.batchId} was already stored; acknowledged`);
      } catch (error) {
        const e = error instanceof ServerError ? error : new ServerError((error as Error).message);
        metrics?.sendFailed();
        if (e.status === 413 && batch.samples.length + batch.events.length > 1) {
          // The server's body limit is below the batch: the same items again, in smaller batches.
          await outbox.unbatch(batch.batchId);
          batchBytes = Math.max(MIN_BATCH_BYTES, Math.floor(batchBytes / 2));
          log(`server refused batch ${batch.batchId} as too large; sending its items in batches of at most ${batchBytes} bytes`);
          continue;
        }
        const refusesAgent = refusesEveryBatch(e);
        if (refusesAgent) {
          // Every batch would be refused alike: the server does not read the protocol version this
          // agent writes (an agent newer than its server; the server's upgrade ends it), or it does
          // not take this host key (a node unenrolled by an admin, a server whose database was
          // replaced: an operator ends it, enrolling the host again). Drop nothing: hold the queue (this
          // batch first, unchanged) and try again now and then; the outbox's bound still applies
          // (oldest samples first).
          const hold = await outbox.hold({ at: now().toISOString(), code: e.code ?? null, message: e.message });
          metrics?.held(true);
          const wait = heldRetryMs(backoff.maxMs, random);
          if (!held) log(`server refuses ${refusesAgent} (${e.message}); holding the ${JSON.stringify(await outbox.size())} queued, nothing dropped, trying again every ${Math.round(backoff.maxMs / 2000)} to ${Math.round(backoff.maxMs / 1000)} s (held since ${hold.since})`);
          held = true;
          clearTimeout(retryTimer);
          retryTimer = setTimeout(() => void flush(), wait);
          return;
        }
        if (!e.transient) {
          // The server will refuse it again: drop this one batch, loudly, rather than block the queue.
          await outbox.dropRefused(batch, { at: now().toISOString(), code: e.code ?? null, message: e.message });
          metrics?.refused();
          log(`server refused batch ${batch.batchId} (${batch.samples.length} samples, ${batch.events.length} events) and it was dropped: ${e.message}`);
          continue;
        }
        const wait = e.retryAfterMs ?? Math.round(Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt++) * random());
        log(`cannot deliver (${e.message}); ${JSON.stringify(await outbox.size())} queued; retrying in ${wait} ms`);
        clearTimeout(retryTimer);
        retryTimer = setTimeout(() => void flush(), wait);
        return;
      }
    }
  };

  const flush = (): Promise<void> => {
    flushing ??= sendAll().finally(() => (flushing = undefined));
    return flushing;
  };

  // The first pass at once (an operator starting the agent sees its first batch, not an interval's silence), then one an interval.
  const loop = (delayMs: number): void => {
    if (stopped) return;
    tickTimer = setTimeout(async () => {
      try {
        const events = await collectOnce();
        // An event (an Xid, a health change, new inventory) goes at once; samples every sendEvery passes.
        if ((++unsent >= sendEvery || events > 0) && (!retryTimer || attempt === 0) && !held) {
          unsent = 0;
          await flush();
        }
      } catch (error) {
        log(`collection failed: ${(error as Error).message}`);
      }
      loop(o.intervalMs);
    }, delayMs);
  };

  const responders: Responder[] = responderModule
    ? (o.landmarks ?? []).map((url) =>
        responderModule.startResponder({
          url,
          key: o.key,
          software: 'locus-agent',
          onEvent: (e) => {
            if (e.kind === 'connected') log(`connected to landmark ${e.landmark.id} (${url})`);
            if (e.kind === 'refused') log(`landmark ${url} refused: ${e.code} ${e.message}`);
            // A wrong URL or a landmark down would otherwise leave no trace: this host is then not measured.
            if (e.kind === 'disconnected') log(`landmark ${url} ${e.why ? `unreachable (${e.why})` : 'closed the connection'}; trying again in ${e.retryInMs} ms`);
          },
        }),
      )
    : [];
  loop(0);

  return {
    tick: async () => {
      await collectOnce();
    },
    flush,
    outbox,
    metricsUrl: metricsServer?.url,
    stop: async () => {
      stopped = true;
      await metricsServer?.close();
      clearTimeout(tickTimer);
      clearTimeout(retryTimer);
      await Promise.all(responders.map((r) => r.close()));
      await flushing?.catch(() => {});
      await outbox.close();
      lock.release();
    },
  };
}

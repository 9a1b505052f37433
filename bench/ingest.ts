/**
 * Ingest benchmark: GPU samples through the real HTTP path (signed batches, the server's own
 * validation, signature check, idempotency and storage with rollups), against a raw
 * better-sqlite3 insert loop of the same rows, timed in turns with it (SLICES); the same path on
 * PostgreSQL when its server binaries are installed, against a raw `pg` loop (one prepared insert
 * per batch) on the same cluster; and a simulated fleet of 10,000 hosts ×
 * 8 GPUs, each sending a batch every 30 s, held or not with its latency percentiles, on SQLite
 * and (when installed) on PostgreSQL.
 *
 * The server (startServer, background loop included) runs in a child process, the load
 * generator on the main thread: two event loops, sharing whatever cores the machine has. Beside
 * each SQLite shape, a decoder thread's work for a batch (text into columns, schema, signature)
 * and its Ed25519 check alone, timed on one thread, against the raw loop's time for the batch's
 * rows: the check, which the protocol asks of every batch whatever its size, the raw loop has not.
 *
 *   npm run bench:ingest [-- --quick] [--samples N] [--clients N] [--fleet-nodes N]
 *                        [--fleet-seconds S] [--enroll http|seed] [--no-postgres] [--fleet-gpus N]
 *                        [--instants N,N] [--decoder-threads N] [--cpu-prof DIR]
 *                        [--server-node-flags=FLAGS] [--no-writer-thread]
 *
 * --fleet-gpus N runs only the simulated fleet, with N/8 hosts (the fleet-size table of
 * `npm run bench`). For looking into the server: --instants picks the throughput batch shapes
 * (samples per batch, of 8 GPUs each; default 3,60), --decoder-threads overrides the server's
 * default, --cpu-prof writes V8 CPU profiles of the server processes (every thread) to DIR, and
 * --server-node-flags=FLAGS starts the server processes with Node or V8 options besides those
 * `locus server start` starts with on this machine (one-threaded GC on 2 cores or fewer), and
 * --no-writer-thread stores agents' samples on SQLite from the server's own thread rather than
 * from the writer's thread that `locus server start` runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { GPU_SAMPLE_COLUMNS, GpuSampleRepo, NodeRepo, OrgRepo, SQLITE_SERVER_PRAGMAS, gpuSampleRow, migrateToLatest, openStorage, postgresArray, postgresColumnType, type NodeSeries } from '@locus/storage';
import { postgresAvailable, startCluster } from '../test/support/postgres-cluster.js';
import { parseExposition } from '../test/support/prometheus.js';
import { HttpClient, closedLoop, openLoop, quantile, type Scheduled, type ThroughputRun } from './ingest-client.js';
import { GPUS_PER_NODE, SAMPLE_INTERVAL_MS, batchBody, enrollBody, rareEvent, samplesOf, seededRandom, simNode, type SimNode } from './ingest-load.js';
import type { SeedNode, ServerRequest } from './ingest-server.js';
import { serverV8Flags } from '../apps/cli/src/relaunch.js';
import { figure, hostsForGpus, printFigures, type FigureValue, type Figures } from './figures.js';
import { scanCanonicalBatch, signedPartOf, verifyBytes } from '@locus/protocol';
import { decodeBatchSync, type DecodedBatch } from '../apps/server/src/ingest/decode.js';
import { LIBSODIUM_MAX_BYTES, ed25519Check, type Ed25519Check } from '../apps/server/src/ingest/ed25519.js';

const USAGE = 'usage: npm run bench:ingest [-- --quick] [--samples N] [--clients N] [--fleet-nodes N] [--fleet-seconds S] [--enroll http|seed] [--no-postgres] [--fleet-gpus N] [--instants N,N] [--decoder-threads N] [--cpu-prof DIR] [--server-node-flags=FLAGS] [--no-writer-thread]';
const { values } = (() => {
  try {
    return parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    samples: { type: 'string' },
    clients: { type: 'string', default: '8' },
    'fleet-nodes': { type: 'string', default: '10000' },
    'fleet-seconds': { type: 'string' },
    enroll: { type: 'string' },
    'no-postgres': { type: 'boolean', default: false },
    'fleet-gpus': { type: 'string' },
    instants: { type: 'string', default: '3,60' },
    'decoder-threads': { type: 'string' },
    'cpu-prof': { type: 'string' },
    'server-node-flags': { type: 'string', default: '' },
    'no-writer-thread': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
  } catch (error) {
    console.error(`bench:ingest: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
})();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const fleetOnly = hostsForGpus(values['fleet-gpus'], GPUS_PER_NODE);
const quick = values.quick;
const samplesPerRun = Number(values.samples ?? (quick ? 60_000 : 400_000));
const clients = Number(values.clients);
const fleetNodes = fleetOnly ?? Number(values['fleet-nodes']);
const fleetSeconds = Number(values['fleet-seconds'] ?? (quick ? 15 : 60));
const enrollMode = values.enroll ?? (quick ? 'seed' : 'http');
/** Throughput batch shapes: samples per batch (a 30-s batch, and an agent catching up 10 minutes). */
const BATCH_INSTANTS = values.instants.split(',').map(Number);
/** Batches sent, untimed, before the first timed shape (see throughput). */
const WARMUP_BATCHES = 2_000;
const decoderThreads = values['decoder-threads'] === undefined ? undefined : Number(values['decoder-threads']);
/**
 * Node or V8 options for the server processes: those `locus server start` starts with on this
 * machine (one-threaded GC on 2 cores or fewer, as LOCUS_SINGLE_THREADED_GC says), then any given.
 */
const serverNodeFlags = [...serverV8Flags(process.env), ...values['server-node-flags'].split(' ').filter((flag) => flag !== '')];
if (
  ![samplesPerRun, clients, fleetNodes, fleetSeconds, ...BATCH_INSTANTS].every((n) => Number.isInteger(n) && n > 0) ||
  !['http', 'seed'].includes(enrollMode) ||
  (decoderThreads !== undefined && !(Number.isInteger(decoderThreads) && decoderThreads >= 0))
) {
  console.error(USAGE);
  process.exit(2);
}
/** Throughput hosts, each enrolled through the route. */
const THROUGHPUT_HOSTS = 32;
const FLEET_PERIOD_MS = 30_000;
const FLEET_INSTANTS = 3;
/**
 * Batches sent in the fleet's first second, untimed (their latency is printed). A server just
 * started answered its first second of batches slowest: on PostgreSQL a p99 of 150 to 370 ms
 * before it read the enrolled nodes, their addresses and series at its start, 60 to 118 ms before
 * it readied its connections, 18 to 53 ms before it warmed its decoder threads up, 10 to 15 ms
 * now; on SQLite 25 to 40 ms before the warm-up, 13 to 14 now. The throughput runs warm the
 * server likewise (WARMUP_BATCHES).
 */
const FLEET_WARMUP_BATCHES = 300;
/** One batch in this many carries an Xid or a health change. */
const EVENT_EVERY = 1_000;
const ADMIN_TOKEN = `locus_bench_${randomUUID()}`;
/** SQLite as Locus opens any file, then with the server's own settings on top (the first reference uses those too). */
const SQLITE_BASE = ['journal_mode = WAL', 'synchronous = NORMAL'];
const SQLITE_PRAGMAS = [...SQLITE_BASE, ...SQLITE_SERVER_PRAGMAS];
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

interface Server {
  readonly url: string;
  readonly database: string;
  readonly decoderThreads: string;
  /** Whether agents' samples are written from the SQLite writer's thread ('true') or the server's own. */
  readonly writerThread: string;
  readonly client: HttpClient;
  request(message: ServerRequest, reply: string): Promise<Record<string, string>>;
  /** CPU time the server process has used so far, in milliseconds: all its threads, and its main thread (NaN without /proc). */
  cpuMs(): Promise<{ readonly all: number; readonly main: number }>;
}

/**
 * Starts the real server in a child process on this database, runs `body`, stops it. (A worker
 * thread loading TypeScript through tsx's loader now and then never started: a full run hung.)
 */
async function withServer<T>(where: { databaseUrl?: string; dataDir?: string }, body: (server: Server) => Promise<T>): Promise<T> {
  const child = fork(fileURLToPath(new URL('./ingest-server.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', ...serverNodeFlags, ...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [])],
    env: { ...process.env, LOCUS_BENCH_SERVER: JSON.stringify({ adminToken: ADMIN_TOKEN, decoderThreads, writerThread: !values['no-writer-thread'], ...where }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`the server process ended (${signal ?? `exit ${code}`})`))));
  exited.catch(() => undefined);
  const next = (kind: string) =>
    Promise.race([
      new Promise<Record<string, string>>((resolve) => {
        const listener = (m: Record<string, string>) => {
          if (m.kind !== kind) return;
          child.off('message', listener);
          resolve(m);
        };
        child.on('message', listener);
      }),
      exited,
    ]);
  const ready = await next('ready');
  const client = new HttpClient(ready.url!, 64);
  const server: Server = { url: ready.url!, database: ready.database!, decoderThreads: ready.decoderThreads!, writerThread: ready.writerThread!, client, request: async (message, reply) => (child.send(message), await next(reply)), cpuMs: async () => {
      const cpu = await server.request({ kind: 'cpu' }, 'cpu');
      return { all: Number(cpu.micros) / 1000, main: Number(cpu.mainMicros) / 1000 };
    },
  };
  try {
    return await body(server);
  } finally {
    client.close();
    // A child that has exited has an exit code, or a signal when one ended it.
    const running = () => child.exitCode === null && child.signalCode === null;
    if (running()) {
      await server.request({ kind: 'stop' }, 'stopped');
      await new Promise((resolve) => (running() ? child.once('exit', resolve) : resolve(undefined)));
    }
    if (child.signalCode !== null) console.log(`  (the server process ended by ${child.signalCode})`);
  }
}

/** Enrolls hosts through the real route (a token for all of them, 16 enrollments at a time); returns their node ids. */
async function enrollOverHttp(server: Server, nodes: readonly SimNode[]): Promise<string[]> {
  const made = await server.client.post('/api/v1/enrollment-tokens', JSON.stringify({ uses: nodes.length, expiresInS: 3600 }), { authorization: `Bearer ${ADMIN_TOKEN}` });
  if (made.status !== 201) throw new Error(`enrollment token: ${made.status} ${made.body}`);
  const { token } = JSON.parse(made.body) as { token: string };
  const ids: string[] = new Array(nodes.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < nodes.length) {
        const i = next++;
        const a = await server.client.post('/api/v1/agents/enroll', JSON.stringify(enrollBody(nodes[i]!, token, new Date())));
        if (a.status !== 201) throw new Error(`enroll ${nodes[i]!.name}: ${a.status} ${a.body}`);
        ids[i] = (JSON.parse(a.body) as { nodeId: string }).nodeId;
      }
    }),
  );
  return ids;
}

interface Batch {
  readonly node: number;
  readonly firstAt: number;
  readonly instants: number;
}

/** Batches of `instants` samples × 8 GPUs, round robin over the hosts, each host's in time order. */
function throughputBatches(hosts: number, instants: number, totalSamples: number, startAt: number): Batch[] {
  const count = Math.ceil(totalSamples / (instants * GPUS_PER_NODE));
  return Array.from({ length: count }, (_, b) => ({ node: b % hosts, firstAt: startAt + Math.floor(b / hosts) * instants * SAMPLE_INTERVAL_MS, instants }));
}

/**
 * A raw reference: a database of its own, migrated to Locus's schema with the same nodes and GPU
 * series, into which `store` inserts rows and says how many milliseconds that took.
 */
interface RawReference {
  /** Waits until the database's own background work is done (called before each slice of the HTTP path and of the reference). */
  settle(): Promise<void>;
  /** The rows of batches as the server would store them in this database (built before any timing). */
  rowsOf(batches: readonly Batch[]): unknown[][][];
  store(rows: readonly unknown[][][]): Promise<number>;
  close(): Promise<void>;
}

/**
 * Migrates the database at `url` and makes the throughput hosts' nodes and GPU series in it; gives
 * back what builds the rows of batches as the server would store them there.
 */
async function rawDatabase(url: string, nodes: readonly SimNode[], nodeIds: readonly string[]): Promise<(batches: readonly Batch[]) => unknown[][][]> {
  const storage = await openStorage(url);
  const series: NodeSeries[] = [];
  try {
    await migrateToLatest(storage);
    await new OrgRepo(storage.db).create({ id: 'bench', name: 'bench', created_at: 0 });
    const repo = new GpuSampleRepo(storage.db);
    for (const [i, node] of nodes.entries()) {
      await new NodeRepo(storage.db).create({ id: nodeIds[i]!, org_id: 'bench', name: node.name, host_key: node.key.publicKey, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
      series.push(await repo.seriesFor(nodeIds[i]!, node.gpus.map((g) => g.uuid)));
    }
  } finally {
    await storage.close();
  }
  return (batches) => batches.map((b) => samplesOf(nodes[b.node]!, b.firstAt, b.instants).flatMap((s) => s.gpus.map((g) => gpuSampleRow(series[b.node]!.nodeKey, series[b.node]!.ids.get(g.uuid)!, Date.parse(s.at), g))));
}

/** Milliseconds `store` takes for the batches' rows (a synchronous store is not awaited: no tick per batch). */
async function timedRows(rows: readonly unknown[][][], store: (batch: unknown[][]) => unknown): Promise<number> {
  const t0 = performance.now();
  for (const batch of rows) {
    const done = store(batch);
    if (done instanceof Promise) await done;
  }
  return performance.now() - t0;
}

/** The raw SQLite reference: the same rows, one prepared single-row insert, one transaction per batch, the same table, with `pragmas`. */
async function rawSqlite(nodes: readonly SimNode[], nodeIds: readonly string[], pragmas: readonly string[]): Promise<RawReference> {
  const dir = mkdtempSync(join(tmpdir(), 'locus-bench-raw-'));
  const path = join(dir, 'raw.db');
  const rowsOf = await rawDatabase(`sqlite:${path}`, nodes, nodeIds);
  const db = new SQLite(path);
  for (const pragma of pragmas) db.pragma(pragma);
  const insert = db.prepare(`insert into gpu_samples (${GPU_SAMPLE_COLUMNS.join(', ')}) values (${GPU_SAMPLE_COLUMNS.map(() => '?').join(', ')})`);
  const store = db.transaction((batch: unknown[][]) => {
    for (const row of batch) insert.run(row);
  });
  return {
    // SQLite has no work of its own in the background: the raw loop checkpoints on its own thread.
    settle: async () => {},
    rowsOf,
    store: (rows) => timedRows(rows, store),
    async close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The raw PostgreSQL reference, in a database of its own on the same cluster: the same rows, one
 * prepared insert per batch from an array per column (`unnest`; its own transaction: one round
 * trip), the same table. One statement per batch, as the server writes there: over a socket a
 * statement per row would measure round trips, not the database. Column arrays rather than a
 * multi-row VALUES list: measured here, the faster of the two at 480 rows, and the same at 24.
 */
async function rawPostgres(clusterUrl: string, nodes: readonly SimNode[], nodeIds: readonly string[]): Promise<RawReference> {
  const database = await ownDatabase(clusterUrl, 'locus_raw');
  const rowsOf = await rawDatabase(database.url, nodes, nodeIds);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const text = `insert into gpu_samples (${GPU_SAMPLE_COLUMNS.join(', ')}) select * from unnest(${GPU_SAMPLE_COLUMNS.map((c, i) => `$${i + 1}::${postgresColumnType(c)}[]`).join(', ')})`;
  return {
    settle: () => settled(client),
    rowsOf,
    store(rows) {
      return timedRows(rows, (batch) => client.query({ name: 'raw', text, values: GPU_SAMPLE_COLUMNS.map((_, c) => postgresArray(batch.map((row) => row[c]))) }));
    },
    async close() {
      await client.end();
      await database.drop();
    },
  };
}

/**
 * A checkpoint, then waits (up to 5 s) until no other backend of the cluster is at work
 * (autovacuum): so that neither the HTTP path nor the raw loop pays in its slice for the other's
 * writes (quick runs without the checkpoint: the raw loop 73,000–77,000 samples/s at 480 samples
 * a batch, with it about 100,000).
 */
async function settled(client: pg.Client): Promise<void> {
  await client.query('checkpoint');
  const deadline = performance.now() + 5_000;
  while (performance.now() < deadline) {
    const { rows } = await client.query<{ busy: string }>("select count(*) as busy from pg_stat_activity where pid <> pg_backend_pid() and (backend_type = 'autovacuum worker' or state = 'active')");
    if (Number(rows[0]!.busy) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A database of its own on the cluster: its URL, and what drops it. */
async function ownDatabase(clusterUrl: string, prefix: string): Promise<{ readonly url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  const name = `${prefix}_${randomUUID().slice(0, 8)}`;
  await admin.query(`create database ${name}`);
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** A database of its own on the cluster (its URL given to `body`), dropped afterwards. */
async function withDatabase<T>(clusterUrl: string, prefix: string, body: (url: string) => Promise<T>): Promise<T> {
  const database = await ownDatabase(clusterUrl, prefix);
  try {
    return await body(database.url);
  } finally {
    await database.drop();
  }
}

/**
 * Slices each shape's batches are sent in. After each slice, every raw reference stores the same
 * slice's rows, on a database of its own that has grown as the server's has (the warm-up's rows,
 * then every slice before): the HTTP path and its references are timed in turns seconds apart,
 * not minutes, on a shared machine whose speed changes within minutes (one raw loop ran from
 * 236,000 to 408,000 samples/s at 480 samples a batch within an hour).
 */
const SLICES = quick ? 3 : 6;

/** A raw reference's rate over a shape's batches, stored in the same slices as the HTTP path's. */
interface ReferenceRun {
  readonly samplesPerS: number;
  /** Each slice's ratio: the HTTP path's rate in the slice over the reference's. */
  readonly sliceRatios: readonly number[];
}

interface SizeResult {
  readonly instants: number;
  /** The HTTP path over all the shape's slices. */
  readonly run: ThroughputRun;
  /** Each raw reference's, in the order given to throughput. */
  readonly references: readonly ReferenceRun[];
  /** CPU time per batch sent (milliseconds): the server process (all its threads), its main thread, and this process (the load generator, its time in the slices only). */
  readonly cpuMsPerBatch: { readonly server: number; readonly serverMain: number; readonly loadGenerator: number };
  /** Some of the shape's request bodies, for decodeCost. */
  readonly someBodies: readonly Buffer[];
}

/** How the decoder threads check signatures (the server's own choice, made the same way). */
const DECODER_CHECK = ed25519Check();

/** Bodies decodeCost times, of each shape. */
const DECODE_SAMPLE = 400;

/**
 * Milliseconds a batch, on this process's one thread once the server has stopped: the whole of a
 * decoder thread's work (decodeBatchSync: the text scanned into columns, the envelope checked by
 * its schema, the signature checked), and the Ed25519 check alone (over the signed part, as the
 * decoder checks it: ed25519Check, libsodium where it loads), and by node:crypto (OpenSSL) for
 * comparison. Each the least of 3 passes over the bodies.
 */
async function decodeCost(bodies: readonly Buffer[]): Promise<{ decodeMs: number; checkMs: number; opensslCheckMs: number; checkedBy: string }> {
  const parts = bodies.map((body) => {
    const scanned = scanCanonicalBatch(body);
    const envelope = scanned?.envelope as { hostKey: string; signature: string } | undefined;
    const part = envelope && signedPartOf(body, envelope);
    if (!envelope || !part) throw new Error('a benchmark batch is not in the agents\' canonical layout');
    return { part, hostKey: envelope.hostKey, signature: envelope.signature };
  });
  const leastOf3 = (pass: () => void) => {
    let least = Infinity;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      pass();
      least = Math.min(least, (performance.now() - t) / bodies.length);
    }
    return least;
  };
  // decodeBatchSync does all its work before it returns (its signature check is synchronous);
  // what it decoded is checked after the timing.
  let decoded: Promise<DecodedBatch>[] = [];
  const decodeMs = leastOf3(() => {
    decoded = bodies.map(decodeBatchSync);
  });
  if (!(await Promise.all(decoded)).every((d) => d.kind === 'decoded' && d.signed)) throw new Error('a benchmark batch did not decode');
  const checkBy = (verify: Ed25519Check) =>
    leastOf3(() => {
      for (const { part, hostKey, signature } of parts) if (!verify('ingest', part, hostKey, signature)) throw new Error("a benchmark batch's signature did not verify");
    });
  // What the decoder's check is for these bodies: libsodium leaves those over LIBSODIUM_MAX_BYTES to node:crypto.
  const checkedBy = DECODER_CHECK.backend === 'libsodium' && parts.every(({ part }) => part.byteLength > LIBSODIUM_MAX_BYTES) ? `node:crypto, over ${LIBSODIUM_MAX_BYTES / 1024} KiB` : DECODER_CHECK.backend;
  return { decodeMs, checkMs: checkBy(DECODER_CHECK.verify), opensslCheckMs: checkBy(verifyBytes), checkedBy };
}

/** Waits (up to 5 s) until the server uses less than a tenth of a core over a tenth of a second. */
async function quiet(server: Server): Promise<void> {
  const deadline = performance.now() + 5_000;
  let before = (await server.cpuMs()).all;
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = (await server.cpuMs()).all;
    if (now - before < 10) return;
    before = now;
  }
}

/** The runs of a shape's slices as one: their counts summed, their rate over their time together, their latencies together. */
function together(runs: readonly ThroughputRun[], samplesPerBatch: number): ThroughputRun {
  const sum = (pick: (run: ThroughputRun) => number) => runs.reduce((total, run) => total + pick(run), 0);
  const seconds = sum((run) => run.seconds);
  const latenciesMs = runs.flatMap((run) => run.latenciesMs);
  const firstFailure = runs.find((run) => run.firstFailure)?.firstFailure;
  return {
    stored: sum((run) => run.stored),
    refused: sum((run) => run.refused),
    failed: sum((run) => run.failed),
    ...(firstFailure ? { firstFailure } : {}),
    samplesPerS: (latenciesMs.length * samplesPerBatch) / seconds,
    seconds,
    p50Ms: quantile(latenciesMs, 0.5),
    p99Ms: quantile(latenciesMs, 0.99),
    latenciesMs,
  };
}

/**
 * Enrolls the throughput hosts, makes the raw references on their node ids, then sends each
 * batch shape's batches from `clients` loops, slice by slice (SLICES), each reference storing the
 * slice's rows after it.
 */
async function throughput(server: Server, nodes: readonly SimNode[], label: string, references: readonly ((nodeIds: readonly string[]) => Promise<RawReference>)[]): Promise<SizeResult[]> {
  const nodeIds = await enrollOverHttp(server, nodes);
  console.log(`${label}: the server decodes batches on ${server.decoderThreads} worker thread(s) and writes them ${server.writerThread === 'true' ? 'from the writer\'s thread' : server.database.startsWith('sqlite:') ? 'on its own thread' : 'on its connection pool'}`);
  // Made one by one inside the try: a reference that fails to open leaves those before it closed.
  const refs: RawReference[] = [];
  try {
    for (const make of references) refs.push(await make(nodeIds));
    const results: SizeResult[] = [];
    let startAt = Date.parse('2026-11-29T00:00:00.000Z');
    // Untimed first: the server's hot code compiled and its caches filled before any shape is
    // timed, so that a short run (--quick) measures the server warm, as a long one mostly does;
    // the references store the same rows, untimed.
    const smallest = Math.min(...BATCH_INSTANTS);
    const warmup = throughputBatches(nodes.length, smallest, WARMUP_BATCHES * smallest * GPUS_PER_NODE, startAt);
    startAt = warmup.at(-1)!.firstAt + smallest * SAMPLE_INTERVAL_MS;
    const warmRun = await closedLoop(server.client, warmup.map((b) => batchBody(nodes[b.node]!, samplesOf(nodes[b.node]!, b.firstAt, b.instants))), smallest * GPUS_PER_NODE, clients, 30);
    if (warmRun.failed > 0) throw new Error(`${label}: ${warmRun.failed} warm-up batches failed, first: ${warmRun.firstFailure}`);
    for (const ref of refs) await ref.store(ref.rowsOf(warmup));
    for (const instants of BATCH_INSTANTS) {
      const samplesPerBatch = instants * GPUS_PER_NODE;
      const batches = throughputBatches(nodes.length, instants, samplesPerRun, startAt);
      startAt = batches.at(-1)!.firstAt + instants * SAMPLE_INTERVAL_MS;
      const bodies = batches.map((b) => batchBody(nodes[b.node]!, samplesOf(nodes[b.node]!, b.firstAt, b.instants)));
      // The references' rows too, before the first slice: not made (and collected) during the HTTP path's slices.
      const rows = refs.map((ref) => ref.rowsOf(batches));
      const runs: ThroughputRun[] = [];
      const rawMs: number[][] = refs.map(() => []);
      const sliceSamples: number[] = [];
      const cpu = { server: 0, serverMain: 0, loadGenerator: 0 };
      const size = Math.ceil(batches.length / SLICES);
      for (let from = 0; from < batches.length; from += size) {
        const to = Math.min(batches.length, from + size);
        for (const ref of refs) await ref.settle();
        const serverBefore = await server.cpuMs();
        const ownBefore = process.cpuUsage();
        const run = await closedLoop(server.client, bodies.slice(from, to), samplesPerBatch, clients, (quick ? 20 : 60) / SLICES);
        const own = process.cpuUsage(ownBefore);
        const serverAfter = await server.cpuMs();
        if (run.failed > 0) throw new Error(`${label}: ${run.failed} batches failed, first: ${run.firstFailure}`);
        cpu.server += serverAfter.all - serverBefore.all;
        cpu.serverMain += serverAfter.main - serverBefore.main;
        cpu.loadGenerator += (own.user + own.system) / 1000;
        runs.push(run);
        sliceSamples.push((to - from) * samplesPerBatch);
        // The server's work after its answers (SQLite's checkpoint of the slice, on a thread of its own) done first: the raw loop has the machine to itself, as the HTTP path had.
        await quiet(server);
        for (const [i, ref] of refs.entries()) {
          await ref.settle();
          rawMs[i]!.push(await ref.store(rows[i]!.slice(from, to)));
        }
      }
      const run = together(runs, samplesPerBatch);
      const sent = run.stored + run.refused + run.failed;
      const totalSamples = sliceSamples.reduce((a, b) => a + b, 0);
      results.push({
        instants,
        run,
        references: rawMs.map((ms) => ({
          samplesPerS: (totalSamples * 1000) / ms.reduce((a, b) => a + b, 0),
          sliceRatios: runs.map((slice, k) => slice.samplesPerS / ((sliceSamples[k]! * 1000) / ms[k]!)),
        })),
        cpuMsPerBatch: { server: cpu.server / sent, serverMain: cpu.serverMain / sent, loadGenerator: cpu.loadGenerator / sent },
        someBodies: bodies.slice(0, DECODE_SAMPLE),
      });
    }
    return results;
  } finally {
    for (const ref of refs) await ref.close();
  }
}

if (fleetOnly !== undefined) {
  printFigures(await fleet());
  process.exit(0);
}
const figures: Record<string, FigureValue> = {};
const shapeKey = (instants: number) => `batch${instants * GPUS_PER_NODE}Samples`;
const batchLabel = (instants: number) => `${instants} × ${GPUS_PER_NODE} = ${instants * GPUS_PER_NODE}`.padEnd(14);
/** A raw reference's rate and the HTTP path's ratio to it, as the tables print them. */
const referenceCell = (samplesPerS: number, raw: number) => `${fmt(raw).padStart(9)} samples/s, ratio ${(samplesPerS / raw).toFixed(2)}`;
/** The least and greatest of a reference's slice ratios, as the tables print them. */
const sliceSpread = (ref: ReferenceRun) => `its ${ref.sliceRatios.length} slices' ratios ${Math.min(...ref.sliceRatios).toFixed(2)} to ${Math.max(...ref.sliceRatios).toFixed(2)}`;
/** How the tables' raw figures were measured. */
const REFERENCES_SAID = `each raw figure: the same rows, stored after each of the HTTP path's ${SLICES} slices, on a database of its own that grows as the server's does; a ratio: the HTTP path's rate over all its slices over the raw loop's over the same slices`;

console.log(`ingest benchmark${quick ? ' (--quick)' : ''}: ${cpus().length} CPU core(s), shared by the server (a child process${serverNodeFlags.length > 0 ? ` started with ${serverNodeFlags.join(' ')}` : ''}) and the load generator`);
console.log(`throughput: ${fmt(samplesPerRun)} GPU samples per batch shape, ${clients} keep-alive clients, ${THROUGHPUT_HOSTS} hosts × ${GPUS_PER_NODE} GPUs enrolled through the route; batches signed before timing, which starts after ${fmt(WARMUP_BATCHES)} untimed batches of the smallest shape\n`);

const hosts = Array.from({ length: THROUGHPUT_HOSTS }, (_, i) => simNode(i));
const sqliteDir = mkdtempSync(join(tmpdir(), 'locus-bench-'));
try {
  const sqlite = await withServer({ dataDir: sqliteDir }, (server) => throughput(server, hosts, 'SQLite', [(nodeIds) => rawSqlite(hosts, nodeIds, SQLITE_PRAGMAS), (nodeIds) => rawSqlite(hosts, nodeIds, SQLITE_BASE)]));
  console.log(`SQLite, the server's settings (${SQLITE_PRAGMAS.join(', ')})`);
  console.log('                          Locus HTTP path          raw better-sqlite3 loop: same settings      SQLite defaults (WAL, NORMAL)');
  for (const r of sqlite) {
    const [same, defaults] = r.references.map((ref) => ref.samplesPerS) as [number, number];
    const decoding = await decodeCost(r.someBodies);
    // The raw loop's time for a batch's rows (a ratio of 0.5 on 2 cores leaves a batch at most four times that of CPU in all, the load generator's included).
    const rawMsPerBatch = (1000 * r.instants * GPUS_PER_NODE) / same;
    figures[`sqlite.${shapeKey(r.instants)}`] = {
      samplesPerS: figure(r.run.samplesPerS, 'samples/s', { label: 'raw better-sqlite3 loop, same settings', value: same }),
      samplesPerSVsDefaults: figure(r.run.samplesPerS, 'samples/s', { label: 'raw loop, SQLite defaults', value: defaults }),
      p50Ms: figure(r.run.p50Ms, 'ms'),
      p99Ms: figure(r.run.p99Ms, 'ms'),
      serverCpuMsPerBatch: figure(r.cpuMsPerBatch.server, 'ms'),
      serverMainThreadCpuMsPerBatch: figure(r.cpuMsPerBatch.serverMain, 'ms'),
      loadGeneratorCpuMsPerBatch: figure(r.cpuMsPerBatch.loadGenerator, 'ms'),
      decodeMsPerBatch: figure(decoding.decodeMs, 'ms', { label: "raw loop, same settings: a batch's rows", value: rawMsPerBatch }),
      signatureCheckMsPerBatch: figure(decoding.checkMs, 'ms', { label: "raw loop, same settings: a batch's rows", value: rawMsPerBatch }),
      signatureCheckMsPerBatchOpenSsl: figure(decoding.opensslCheckMs, 'ms', { label: `the decoder's check (${decoding.checkedBy})`, value: decoding.checkMs }),
    };
    console.log(`  batch ${batchLabel(r.instants)}  ${fmt(r.run.samplesPerS).padStart(9)} samples/s      ${referenceCell(r.run.samplesPerS, same)}       ${referenceCell(r.run.samplesPerS, defaults)}`);
    console.log(`                          latency p50 ${r.run.p50Ms.toFixed(1)} ms, p99 ${r.run.p99Ms.toFixed(1)} ms; CPU per batch: server ${r.cpuMsPerBatch.server.toFixed(3)} ms (its main thread ${r.cpuMsPerBatch.serverMain.toFixed(3)} ms), load generator ${r.cpuMsPerBatch.loadGenerator.toFixed(3)} ms`);
    console.log(`                          ${sliceSpread(r.references[0]!)}`);
    console.log(`                          on one thread, a batch's decoding ${decoding.decodeMs.toFixed(3)} ms, of which its Ed25519 check ${decoding.checkMs.toFixed(3)} ms (${decoding.checkedBy}; node:crypto's ${decoding.opensslCheckMs.toFixed(3)} ms); the raw loop's rows ${rawMsPerBatch.toFixed(3)} ms`);
  }
  console.log(`  (the HTTP path also parses, validates and checks the Ed25519 signature of every batch, stores its id and folds its samples into the 5-minute rollups; the raw loop inserts ready-made sample rows only; ${REFERENCES_SAID})\n`);
} finally {
  rmSync(sqliteDir, { recursive: true, force: true });
}

if (values['no-postgres']) console.log('PostgreSQL: skipped (--no-postgres)\n');
else if (!postgresAvailable()) console.log('PostgreSQL: skipped, no server binaries (install postgresql, or set LOCUS_PG_BIN to the directory of initdb and pg_ctl)\n');
else {
  const cluster = await startCluster();
  try {
    const postgres = await withServer({ databaseUrl: cluster.url }, (server) => throughput(server, hosts, 'PostgreSQL', [(nodeIds) => rawPostgres(cluster.url, hosts, nodeIds)]));
    console.log('PostgreSQL 15 (throwaway cluster, fsync off)');
    console.log('                          Locus HTTP path          raw pg loop (a prepared insert per batch)    latency p50 / p99');
    for (const r of postgres) {
      const raw = r.references[0]!.samplesPerS;
      const sqlite = figures[`sqlite.${shapeKey(r.instants)}`] as { samplesPerS: { value: number } };
      figures[`postgres.${shapeKey(r.instants)}`] = {
        samplesPerS: figure(r.run.samplesPerS, 'samples/s', { label: 'raw pg loop, a prepared insert per batch', value: raw }),
        samplesPerSVsSqlite: figure(r.run.samplesPerS, 'samples/s', { label: 'the same path on SQLite', value: sqlite.samplesPerS.value }),
        p99Ms: figure(r.run.p99Ms, 'ms'),
      };
      console.log(`  batch ${batchLabel(r.instants)}   ${fmt(r.run.samplesPerS).padStart(9)} samples/s        ${referenceCell(r.run.samplesPerS, raw)}             ${r.run.p50Ms.toFixed(1)} / ${r.run.p99Ms.toFixed(1)} ms`);
      console.log(`                          ${sliceSpread(r.references[0]!)}`);
    }
    console.log(`  (${REFERENCES_SAID})\n`);
    // The same fleet as on SQLite (below), on a database of its own.
    figures.fleetPostgres = await withDatabase(cluster.url, 'locus_fleet', (databaseUrl) => fleet({ databaseUrl }));
    console.log('');
  } finally {
    cluster.stop();
  }
}

figures.fleet = await fleet();
printFigures(figures);

/** How many runs of a background task (alert-sweep, silence-check) the server has made, and their seconds in all, from its /metrics. */
async function backgroundRuns(url: string, task: string): Promise<{ runs: number; seconds: number }> {
  const { series } = parseExposition(await (await fetch(`${url}/metrics`)).text());
  const value = (suffix: string) => series.get(`locus_background_task_seconds_${suffix}`)?.find((s) => s.label.task === task)?.value ?? 0;
  return { runs: value('count'), seconds: value('sum') };
}

/** Runs of a background task during `work`, and their mean time (NaN for none). */
async function runsDuring<T>(url: string, task: string, work: () => Promise<T>): Promise<{ result: T; runs: number; meanMs: number }> {
  const before = await backgroundRuns(url, task);
  const result = await work();
  const after = await backgroundRuns(url, task);
  const runs = after.runs - before.runs;
  return { result, runs, meanMs: runs > 0 ? ((after.seconds - before.seconds) / runs) * 1000 : Number.NaN };
}

/**
 * 10,000 hosts × 8 GPUs, each sending 3 samples every 30 s (what an agent sends by default: a
 * sample every 10 s, sent every third), spread evenly over the period; on SQLite in a data
 * directory of its own, or on the PostgreSQL database given.
 */
async function fleet(postgres?: { readonly databaseUrl: string }): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'locus-bench-fleet-'));
  const database = postgres ? 'PostgreSQL' : 'SQLite';
  try {
    const nodes = Array.from({ length: fleetNodes }, (_, i) => simNode(i));
    const where = postgres ?? { dataDir: dir };
    let t = performance.now();
    // Seeded hosts are stored by one server, and the fleet then runs on a server started over
    // them, as after a restart; hosts enrolled over HTTP enroll with the server that runs them.
    if (enrollMode !== 'http') {
      const seeds: SeedNode[] = nodes.map((n) => ({ id: randomUUID(), name: n.name, hostKey: n.key.publicKey, gpus: n.gpus }));
      await withServer(where, (server) => server.request({ kind: 'seed', nodes: seeds }, 'seeded'));
    }
    return await withServer(where, async (server) => {
      if (enrollMode === 'http') await enrollOverHttp(server, nodes);
      const enrolled = (performance.now() - t) / 1000;
      t = performance.now();
      const random = seededRandom(42);
      const schedule: Scheduled[] = [];
      const wallStart = Date.parse(new Date().toISOString());
      let events = 0;
      for (let round = 0; round * FLEET_PERIOD_MS < fleetSeconds * 1000; round++) {
        for (const node of nodes) {
          const atMs = round * FLEET_PERIOD_MS + (node.index * FLEET_PERIOD_MS) / nodes.length;
          if (atMs >= fleetSeconds * 1000) break;
          const firstAt = wallStart + atMs - (FLEET_INSTANTS - 1) * SAMPLE_INTERVAL_MS;
          const pick = random();
          const extra = pick < 1 / EVENT_EVERY ? [rareEvent(node, wallStart + atMs, pick * EVENT_EVERY)] : [];
          events += extra.length;
          schedule.push({ atMs, body: batchBody(node, samplesOf(node, firstAt, FLEET_INSTANTS), extra) });
        }
      }
      schedule.sort((a, b) => a.atMs - b.atMs);
      const signed = (performance.now() - t) / 1000;
      const targetPerS = nodes.length / (FLEET_PERIOD_MS / 1000);
      console.log(`fleet: ${fmt(nodes.length)} hosts × ${GPUS_PER_NODE} GPUs, a batch of ${FLEET_INSTANTS} samples each every ${FLEET_PERIOD_MS / 1000} s (${fmt(targetPerS)} batches/s, ${fmt(targetPerS * FLEET_INSTANTS * GPUS_PER_NODE)} GPU samples/s), for ${fleetSeconds} s on ${database}`);
      console.log(`  hosts ${enrollMode === 'http' ? 'enrolled through the enroll route, 16 at a time' : 'seeded through the repositories (as the enroll route stores them), not over HTTP, by a server that then stopped; the fleet runs on one started over them (as after a restart)'} in ${enrolled.toFixed(1)} s; ${fmt(schedule.length)} batches (${events} with an Xid or health event) signed before timing in ${signed.toFixed(1)} s`);
      // A freshly started server on PostgreSQL takes its first second or two slowly; the fleet is
      // timed from its second second (the first is reported): see FLEET_WARMUP_BATCHES.
      const warmup: Scheduled[] = Array.from({ length: FLEET_WARMUP_BATCHES }, (_, k) => {
        const node = nodes[k % Math.min(32, nodes.length)]!;
        return { atMs: (k * 1000) / FLEET_WARMUP_BATCHES, body: batchBody(node, samplesOf(node, wallStart - 3600_000 - k * FLEET_PERIOD_MS, FLEET_INSTANTS), []) };
      });
      const warm = await openLoop(server.client, warmup);
      console.log(`  first second, untimed: ${fmt(warm.stored)} batches of ${Math.min(32, nodes.length)} hosts (samples an hour old and more), ingest latency p50 ${quantile(warm.latenciesMs, 0.5).toFixed(1)} ms, p99 ${quantile(warm.latenciesMs, 0.99).toFixed(1)} ms`);
      const checks = await runsDuring(server.url, 'silence-check', () => runsDuring(server.url, 'alert-sweep', () => openLoop(server.client, schedule)));
      const { result: run, runs: sweepRuns, meanMs: sweepMeanMs } = checks.result;
      const heldPerS = run.stored / (schedule.at(-1)!.atMs / 1000 || 1);
      const p99 = quantile(run.latenciesMs, 0.99);
      const held = run.stored === schedule.length && run.refused === 0 && run.failed === 0 && p99 < 100;
      console.log(`  stored ${fmt(run.stored)} of ${fmt(schedule.length)} batches (${fmt(heldPerS, 1)} batches/s against ${fmt(targetPerS, 1)} asked); refused (429) ${run.refused}, failed ${run.failed}${run.firstFailure ? ` (${run.firstFailure})` : ''}`);
      console.log(`  ingest latency p50 ${quantile(run.latenciesMs, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${quantile(run.latenciesMs, 1).toFixed(1)} ms; sends behind schedule p99 ${quantile(run.lateMs, 0.99).toFixed(1)} ms`);
      const each = (runs: number, meanMs: number) => `${runs}${runs > 0 ? `, ${meanMs.toFixed(0)} ms each on average` : ''}`;
      console.log(`  during the run, alert sweeps over every host: ${each(sweepRuns, sweepMeanMs)}; silence checks (the runs between): ${each(checks.runs, checks.meanMs)} (locus_background_task_seconds)`);
      console.log(`  ${held ? 'HELD' : 'NOT HELD'}: every batch stored at the asked rate with p99 < 100 ms ${held ? 'yes' : 'no'}`);
      const fleetFigures: Figures = {
        hosts: nodes.length,
        gpus: nodes.length * GPUS_PER_NODE,
        seconds: fleetSeconds,
        storedPerS: figure(heldPerS, 'batches/s', { label: 'asked', value: targetPerS }),
        refused: run.refused,
        failed: run.failed,
        p50Ms: figure(quantile(run.latenciesMs, 0.5), 'ms'),
        p99Ms: figure(p99, 'ms', { label: 'goal', value: 100 }),
        alertSweepMs: figure(sweepMeanMs, 'ms'),
        silenceCheckMs: figure(checks.meanMs, 'ms'),
        held,
      };
      console.log(`  (all on the same ${cpus().length} core(s): the load generator, the server with its 15-s background loop (a full alert sweep first and every 5 min, silence checks between; retention), and ${postgres ? 'PostgreSQL' : "SQLite's checkpointer thread"}; 64 keep-alive connections stand in for one per agent)`);
      return fleetFigures;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Measurement intake benchmark: landmarks' signed measurements delivered to the real server
 * (startServer on SQLite, its HTTP route, signature gate, storage and the verdicts they call
 * for, background loop running), each host with 6 hours of history in the window as a host
 * measured every minute by every landmark has; against a raw loop of the same work without the
 * server (verify each signature, insert each row with one prepared better-sqlite3 statement),
 * measured in the same run.
 *
 *   npm run bench:measurements [-- --quick] [--hosts N] [--rounds N] [--history-hours H] [--no-postgres]
 *
 * The same on PostgreSQL when its server binaries are installed (a throwaway cluster), against
 * a raw `pg` loop (one prepared insert a measurement) on the same cluster.
 *
 * --quick: 200 hosts, 3 rounds; else 1,000 hosts, 5 rounds. A round is every landmark (8)
 * measuring every host once, delivered as landmarks deliver (batches of 100, one client a
 * landmark). Figures:
 * - judgeMs: judging one node (Verification.verdict: the database's summary of its window, the
 *   geo verdict, notes, expiry, the writes), against building its proof from the signed bodies
 *   (what a verdict read before) on the same nodes.
 * - loopJudgeMs: judging every host again as the server's loop judges due nodes
 *   (Verification.refreshExpired: on PostgreSQL JUDGING_AT_ONCE at a time), wall time a node;
 *   on PostgreSQL against the same loop judging one at a time (alternating, the mean of two runs each).
 * - intake: measurements/s delivered with the default verdict interval (a node measured again
 *   within 60 s of its last judgement is judged at its end, by the loop), and intakeJudgingEach
 *   with an interval of 0 (every delivery judges the nodes it measured, as before), each against
 *   the raw loop.
 * - fleetHostsPerProcess: hosts (8 landmarks, one measurement each a minute) whose measurements
 *   one server process takes, from the figures above: with the interval, each host costs 8
 *   intakes and one judgement a minute; judging each delivery, 8 intakes that judge.
 * - compaction: every measurement stored compacted as the retention loop does once the window
 *   has left it (each landmark's least per host and 10-minute bucket kept): measurements
 *   deleted/s against the intake rate, the share kept, (SQLite) bytes of pages in use before and
 *   after, and the share of a core compaction takes at 10,000 hosts.
 * The history rows are inserted straight into the database, each host's with one real signed
 * body per landmark reused (same size as real rows; verdicts read the columns, not the bodies).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHash, randomUUID } from 'node:crypto';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { sql } from 'kysely';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { boundsAt } from '@locus/geo';
import { timedBoundsFromMeasurements } from '@locus/proof';
import { verifyMeasurementSignature, type SignedMeasurement } from '@locus/protocol';
import { DEFAULT_ORG, DEFAULT_SERVER_CONFIG, startServer, systemClock, type RunningServer, type ServerConfig } from '@locus/server';
import { NodeRepo, SQLITE_SERVER_PRAGMAS, summarizeMeasurements, type NodeRecord } from '@locus/storage';
import { landmarkAt, signedMeasurement, type TestLandmark } from '../test/support/measurements.js';
import { JUDGING_AT_ONCE, Verification, verdictNotes } from '../apps/server/src/verification.js';
import { reposOf } from '../apps/server/src/repos.js';
import { TelemetryRetention } from '../apps/server/src/retention.js';
import { postgresAvailable, startCluster } from '../test/support/postgres-cluster.js';
import { figure, printFigures, type FigureValue, type Figures } from './figures.js';

const USAGE = 'usage: npm run bench:measurements [-- --quick] [--hosts N] [--rounds N] [--history-hours H] [--no-postgres]';
const { values } = (() => {
  try {
    return parseArgs({ options: { quick: { type: 'boolean', default: false }, hosts: { type: 'string' }, rounds: { type: 'string' }, 'history-hours': { type: 'string', default: '6' }, 'no-postgres': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
})();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const whole = (name: string, text: string, min: number, max: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} wants a whole number from ${min} to ${max}; got ${text}\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const hostCount = whole('hosts', values.hosts ?? (values.quick ? '200' : '1000'), 1, 100_000);
const rounds = whole('rounds', values.rounds ?? (values.quick ? '3' : '5'), 1, 100);
const historyHours = whole('history-hours', values['history-hours'], 0, 6);
const BATCH = 100;
const MINUTE = 60_000;

const LANDMARKS: readonly TestLandmark[] = [
  landmarkAt('fra-1', 'DE', 50.1109, 8.6821),
  landmarkAt('ams-1', 'NL', 52.3676, 4.9041),
  landmarkAt('par-1', 'FR', 48.8566, 2.3522),
  landmarkAt('lon-1', 'GB', 51.5074, -0.1278),
  landmarkAt('waw-1', 'PL', 52.2297, 21.0122),
  landmarkAt('mad-1', 'ES', 40.4168, -3.7038),
  landmarkAt('sto-1', 'SE', 59.3293, 18.0686),
  landmarkAt('sin-1', 'SG', 1.3521, 103.8198),
];
/** Hosts around Frankfurt, a few km apart. */
const placeOf = (i: number) => ({ lat: 50.05 + (i % 40) * 0.004, lon: 8.55 + Math.floor(i / 40) * 0.0005 });
const log = (line: string) => console.error(line);

interface Host {
  readonly key: string;
  readonly node: NodeRecord;
}

const adminToken = `locus_${randomUUID()}`;
const world = naturalEarthWorld();

/** The figures of one database: SQLite in a temporary directory, or the PostgreSQL at `databaseUrl`. */
async function bench(databaseUrl: string | undefined): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'locus-bench-measurements-'));
  const start = (config: ServerConfig) => startServer({ host: '127.0.0.1', port: 0, databaseUrl, dataDir, adminToken, world, config, decoderThreads: 0, logger: { level: 'error' } });
  try {
    let server = await start(DEFAULT_SERVER_CONFIG);
    log(`bench:measurements: ${hostCount} hosts × ${LANDMARKS.length} landmarks, ${historyHours} h of history, ${rounds} round(s) a run (${server.storage.description})`);
    // Registered without a socket: the history and judging below keep this process's event loop
    // from turning for minutes at a fleet's size, so a keep-alive connection left idle here would
    // be closed by the server's timeout only as the first delivery reused it (ECONNRESET).
    for (const l of LANDMARKS) {
      const res = await server.app.inject({ method: 'POST', url: '/api/v1/landmarks', headers: { authorization: `Bearer ${adminToken}` }, payload: l.info });
      if (res.statusCode !== 201) throw new Error(`registering ${l.info.id}: ${res.statusCode} ${res.body}`);
    }
    const hosts = await seed(server);
    const historyRows = await preload(server, hosts);
    const judge = await judging(server, hosts);
    log(`judging a node: ${judge.summaryMs.toFixed(2)} ms from the summary, ${judge.bodiesMs.toFixed(2)} ms building its proof from the signed bodies`);
    const loop = await loopJudging(server, hosts);
    log(`judging every host again as the loop does: ${loop.atOnceMs.toFixed(2)} ms a node` + (loop.oneMs === undefined ? '' : ` ${JUDGING_AT_ONCE} at a time, ${loop.oneMs.toFixed(2)} ms one at a time`));
    const raw = databaseUrl === undefined ? rawSqlite(hosts) : await rawPostgres(databaseUrl, hosts);
    const rawLabel = `raw verify + insert loop (${databaseUrl === undefined ? 'better-sqlite3' : 'pg'})`;
    log(`${rawLabel}: ${Math.round(raw)} measurements/s`);
    const intake = await deliver(server, hosts);
    log(`delivered with the ${DEFAULT_SERVER_CONFIG.verdictIntervalMs / 1000}-s verdict interval: ${Math.round(intake.rate)} measurements/s, ${intake.judged} node(s) judged during delivery`);
    await server.close();
    server = await start({ ...DEFAULT_SERVER_CONFIG, verdictIntervalMs: 0 });
    const each = await deliver(server, hosts);
    log(`delivered judging each delivery: ${Math.round(each.rate)} measurements/s, ${each.judged} node(s) judged during delivery`);
    const compacted = await compaction(server);
    log(
      `compaction, once the window has left them: ${compacted.before} measurements to ${compacted.after} (${((100 * compacted.after) / compacted.before).toFixed(1)}%), ${Math.round(compacted.rate)} deleted/s` +
        (compacted.bytesBefore === null ? '' : `; ${(compacted.bytesBefore / 1e6).toFixed(0)} MB of database pages in use to ${(compacted.bytesAfter! / 1e6).toFixed(0)} MB`),
    );
    await server.close();
    const perMinuteS = LANDMARKS.length / intake.rate + (MINUTE / DEFAULT_SERVER_CONFIG.verdictIntervalMs) * (judge.summaryMs / 1000);
    return {
      historyRows,
      judgeMs: figure(judge.summaryMs, 'ms', { label: 'its proof built from the signed bodies', value: judge.bodiesMs }),
      loopJudgeMs: loop.oneMs === undefined ? figure(loop.atOnceMs, 'ms') : figure(loop.atOnceMs, 'ms', { label: 'the loop judging one node at a time', value: loop.oneMs }),
      intake: figure(intake.rate, 'measurements/s', { label: rawLabel, value: raw }),
      intakeJudgingEach: figure(each.rate, 'measurements/s', { label: rawLabel, value: raw }),
      fleetHostsPerProcess: {
        verdictInterval: Math.floor(60 / perMinuteS),
        judgingEachDelivery: Math.floor((60 * each.rate) / LANDMARKS.length),
      },
      compaction: {
        rate: figure(compacted.rate, 'measurements deleted/s', { label: 'measurement intake, 60-s interval', value: intake.rate }),
        keptShare: compacted.after / compacted.before,
        bytesInUseBefore: compacted.bytesBefore,
        bytesInUseAfter: compacted.bytesAfter,
        // 10,000 hosts measured by 8 landmarks a minute: the share of a core compaction takes.
        coreShareAt10kHosts: ((10_000 * LANDMARKS.length) / 60) * (1 - compacted.after / compacted.before) / compacted.rate,
      },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const figures: { [name: string]: FigureValue } = { hosts: hostCount, landmarks: LANDMARKS.length, sqlite: await bench(undefined) };
if (values['no-postgres']) log('PostgreSQL: skipped (--no-postgres)');
else if (!postgresAvailable()) log('PostgreSQL: skipped, no server binaries (install postgresql, or set LOCUS_PG_BIN to the directory of initdb and pg_ctl)');
else {
  const cluster = await startCluster();
  try {
    figures.postgres = await bench(cluster.url);
  } finally {
    cluster.stop();
  }
}
printFigures(figures);

/** Enrolls the hosts as the enroll route stores nodes (keys only: no agent runs here). */
async function seed(server: RunningServer): Promise<Host[]> {
  const now = systemClock.now().getTime();
  const hosts: Host[] = [];
  for (let i = 0; i < hostCount; i += 500) {
    await server.storage.db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(hostCount, i + 500); j++) {
        const node: NodeRecord = { id: randomUUID(), org_id: DEFAULT_ORG, name: `gpu-${String(j).padStart(5, '0')}`, host_key: createHash('sha256').update(`host-${j}`).digest('base64url'), claimed_country: 'DE', created_at: now, last_measured_at: null, unenrolled_at: null, zone_id: null, last_refusal_at: null, last_refusal_code: null, last_refusal_message: null, agent_version: null };
        await new NodeRepo(trx).create(node);
        hosts.push({ key: node.host_key, node });
      }
    });
  }
  return hosts;
}

/** Each host's window: every landmark's measurement each minute for the history hours, up to a minute ago. */
async function preload(server: RunningServer, hosts: readonly Host[]): Promise<number> {
  const started = performance.now();
  const now = systemClock.now().getTime();
  const minutes = historyHours * 60;
  let rows = 0;
  let chunk: { nonces_hash: string; landmark_id: string; host_key: string; min_rtt_ms: number; measured_at: number; received_at: number; body: string }[] = [];
  const flush = async () => {
    if (chunk.length) await server.storage.db.insertInto('measurements').values(chunk).execute();
    rows += chunk.length;
    chunk = [];
  };
  for (const [i, host] of hosts.entries()) {
    for (const l of LANDMARKS) {
      const signed = signedMeasurement(l, host.key, placeOf(i), new Date(now - MINUTE));
      const body = JSON.stringify(signed);
      for (let m = 1; m <= minutes; m++) {
        // RTTs vary a little from minute to minute, as measured ones do.
        chunk.push({ nonces_hash: `${signed.measurement.noncesHash}.${m}`, landmark_id: l.info.id, host_key: host.key, min_rtt_ms: signed.measurement.minRttMs + ((m * 7919) % 97) / 100, measured_at: now - m * MINUTE, received_at: now - m * MINUTE, body });
        if (chunk.length === 1_000) await flush();
      }
    }
    if (i % 100 === 99) log(`history: ${i + 1} of ${hosts.length} hosts (${rows} rows, ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  await flush();
  // Summed up per landmark and bucket, as the server does for what it stores.
  await summarizeMeasurements(server.storage.db, (historyHours + 1) * 60 * MINUTE);
  // What autovacuum does to a table that grew by this much (PostgreSQL 13 and later count
  // inserts): statistics for the planner, and the visibility map an index-only scan needs.
  if (server.storage.dialect === 'postgres') await sql`vacuum analyze measurements, measurement_buckets`.execute(server.storage.db);
  return rows;
}

/** Milliseconds to judge a node (the server's path), and to build its proof and notes from the bodies (the path before), each over every host. */
async function judging(server: RunningServer, hosts: readonly Host[]): Promise<{ summaryMs: number; bodiesMs: number }> {
  const verification = server.app.verification;
  // One pass each way first: both read the same pages, warm either way.
  for (const h of hosts.slice(0, 20)) {
    await verification.verdict(h.node);
    await verification.proof(h.node);
  }
  let t = performance.now();
  for (const h of hosts) await verification.verdict(h.node);
  const summaryMs = (performance.now() - t) / hosts.length;
  t = performance.now();
  for (const h of hosts) {
    const proof = await verification.proof(h.node);
    const timed = timedBoundsFromMeasurements(proof.landmarks, proof.measurements);
    verdictNotes(timed, boundsAt(timed, Date.parse(proof.createdAt)), proof.verdict.empty === true);
  }
  const bodiesMs = (performance.now() - t) / hosts.length;
  return { summaryMs, bodiesMs };
}

/**
 * Wall milliseconds a node when every host is due at once and the loop judges them
 * (refreshExpired), as the server does; on PostgreSQL also one at a time, the two alternating.
 */
async function loopJudging(server: RunningServer, hosts: readonly Host[]): Promise<{ atOnceMs: number; oneMs: number | undefined }> {
  const repos = reposOf(server.storage);
  // Every host judged: by this call, or a page of them by the server's own loop if its run came meanwhile.
  const judgeAll = async (verification: Verification) => {
    const since = systemClock.now().getTime();
    await repos.verdicts.expireAll(since);
    const judgedSince = async () => Number((await server.storage.db.selectFrom('node_judgements').select((eb) => eb.fn.countAll().as('n')).where('judged_at', '>=', since).executeTakeFirstOrThrow()).n);
    const t = performance.now();
    await verification.refreshExpired(10 * MINUTE);
    while ((await judgedSince()) < hosts.length) {
      if (performance.now() - t > 10 * MINUTE) throw new Error('the loop did not judge every host within 10 minutes');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return (performance.now() - t) / hosts.length;
  };
  if (server.storage.inProcess) return { atOnceMs: await judgeAll(server.app.verification), oneMs: undefined };
  const oneAtATime = new Verification(repos, world, DEFAULT_SERVER_CONFIG, systemClock, undefined, 1);
  const one: number[] = [];
  const atOnce: number[] = [];
  for (let run = 0; run < 2; run++) {
    one.push(await judgeAll(oneAtATime));
    atOnce.push(await judgeAll(server.app.verification));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { atOnceMs: mean(atOnce), oneMs: mean(one) };
}

/**
 * Compacts every measurement stored (the history and the rounds delivered) as the retention
 * loop does once the window has left them: a server's TelemetryRetention on a clock 6 h 30 min
 * ahead. How many measurements there were and are, deleted/s, and (SQLite) bytes of database
 * pages in use before and after (freed pages are reused, not given back to the file system).
 */
async function compaction(server: RunningServer): Promise<{ before: number; after: number; rate: number; bytesBefore: number | null; bytesAfter: number | null }> {
  const db = server.storage.db;
  const count = async () => Number((await db.selectFrom('measurements').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const inUse = async () => {
    if (server.storage.dialect !== 'sqlite') return null;
    const [pages] = (await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows;
    const [free] = (await sql<{ freelist_count: number }>`pragma freelist_count`.execute(db)).rows;
    const [size] = (await sql<{ page_size: number }>`pragma page_size`.execute(db)).rows;
    return (pages!.page_count - free!.freelist_count) * size!.page_size;
  };
  const before = await count();
  const bytesBefore = await inUse();
  const ahead = DEFAULT_SERVER_CONFIG.measurementMaxAgeMs + 30 * MINUTE;
  const retention = new TelemetryRetention(reposOf(server.storage), { now: () => new Date(systemClock.now().getTime() + ahead) }, DEFAULT_SERVER_CONFIG);
  const started = performance.now();
  let deleted = 0;
  for (let run = 0; run < 1_000; run++) {
    const done = await retention.run(60_000);
    deleted += done.compacted;
    if (done.compacted === 0) break;
  }
  const rate = deleted / ((performance.now() - started) / 1000);
  const after = await count();
  if (after !== before - deleted) throw new Error(`compaction: ${before} - ${deleted} deleted, yet ${after} left`);
  return { before, after, rate, bytesBefore, bytesAfter: await inUse() };
}

/** Every landmark measuring every host once, signed now, in each landmark's delivery order. */
function round(hosts: readonly Host[]): SignedMeasurement[][] {
  const when = new Date();
  return LANDMARKS.map((l) => hosts.map((h, i) => signedMeasurement(l, h.key, placeOf(i), when, Math.random() * 0.5)));
}

/** Measurements a second a landmark's work takes without a server on SQLite: check each signature, insert each row. */
function rawSqlite(hosts: readonly Host[]): number {
  const measurements = round(hosts).flat();
  const dir = mkdtempSync(join(tmpdir(), 'locus-bench-raw-'));
  try {
    const db = new SQLite(join(dir, 'raw.db'));
    for (const pragma of SQLITE_SERVER_PRAGMAS) db.pragma(pragma);
    db.exec('create table measurements (nonces_hash text primary key, landmark_id text not null, host_key text not null, min_rtt_ms real not null, measured_at integer not null, received_at integer not null, body text not null)');
    db.exec('create index measurements_host_time on measurements (host_key, measured_at)');
    db.exec('create index measurements_time on measurements (measured_at)');
    const insert = db.prepare('insert into measurements values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing');
    const keys = new Map(LANDMARKS.map((l) => [l.info.id, l.info.publicKey]));
    const started = performance.now();
    for (let i = 0; i < measurements.length; i += BATCH) {
      // A batch a transaction, as the server's route stores one delivery.
      db.transaction(() => {
        for (const signed of measurements.slice(i, i + BATCH)) {
          const m = signed.measurement;
          if (!verifyMeasurementSignature(signed, keys.get(m.landmarkId)!)) throw new Error('a signature does not verify');
          insert.run(m.noncesHash, m.landmarkId, m.hostKey, m.minRttMs, Date.parse(m.measuredAt), systemClock.now().getTime(), JSON.stringify(signed));
        }
      })();
    }
    const rate = measurements.length / ((performance.now() - started) / 1000);
    db.close();
    return rate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same on PostgreSQL: one prepared insert a measurement, a batch a transaction, into a table like the server's. */
async function rawPostgres(databaseUrl: string, hosts: readonly Host[]): Promise<number> {
  const measurements = round(hosts).flat();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('create table raw_measurements (nonces_hash text primary key, landmark_id text not null, host_key text not null, min_rtt_ms double precision not null, measured_at bigint not null, received_at bigint not null, body text not null)');
    await client.query('create index raw_measurements_host on raw_measurements (host_key, measured_at, landmark_id, min_rtt_ms)');
    await client.query('create index raw_measurements_time on raw_measurements (measured_at)');
    const keys = new Map(LANDMARKS.map((l) => [l.info.id, l.info.publicKey]));
    const started = performance.now();
    for (let i = 0; i < measurements.length; i += BATCH) {
      await client.query('begin');
      for (const signed of measurements.slice(i, i + BATCH)) {
        const m = signed.measurement;
        if (!verifyMeasurementSignature(signed, keys.get(m.landmarkId)!)) throw new Error('a signature does not verify');
        await client.query({ name: 'raw-insert', text: 'insert into raw_measurements values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing', values: [m.noncesHash, m.landmarkId, m.hostKey, m.minRttMs, Date.parse(m.measuredAt), systemClock.now().getTime(), JSON.stringify(signed)] });
      }
      await client.query('commit');
    }
    const rate = measurements.length / ((performance.now() - started) / 1000);
    await client.query('drop table raw_measurements');
    return rate;
  } finally {
    await client.end();
  }
}

/** Delivers `rounds` rounds, one client a landmark sending its batches in turn; measurements/s, and how many nodes were judged meanwhile. */
async function deliver(server: RunningServer, hosts: readonly Host[]): Promise<{ rate: number; judged: number }> {
  const bodies = Array.from({ length: rounds }, () => round(hosts).map((ms) => Array.from({ length: Math.ceil(ms.length / BATCH) }, (_, b) => JSON.stringify({ measurements: ms.slice(b * BATCH, (b + 1) * BATCH) }))));
  const since = systemClock.now().getTime();
  const started = performance.now();
  let accepted = 0;
  for (const byLandmark of bodies) {
    await Promise.all(
      byLandmark.map(async (batches) => {
        for (const body of batches) {
          const res = await fetch(`${server.url}/api/v1/measurements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          const outcome = (await res.json()) as { accepted?: number; rejected?: unknown[] };
          if (res.status !== 200 || outcome.rejected?.length) throw new Error(`delivery: ${res.status} ${JSON.stringify(outcome).slice(0, 300)}`);
          accepted += outcome.accepted ?? 0;
        }
      }),
    );
  }
  const rate = accepted / ((performance.now() - started) / 1000);
  const judged = await server.storage.db.selectFrom('node_judgements').select((eb) => eb.fn.countAll<number>().as('n')).where('judged_at', '>=', since).executeTakeFirst();
  return { rate, judged: Number(judged?.n ?? 0) };
}

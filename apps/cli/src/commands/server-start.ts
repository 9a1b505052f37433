import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { DEFAULT_SERVER_CONFIG, LIBSODIUM_MAX_BYTES, parseCidr, startServer, type ServerConfig } from '@locus/server';
import { DEFAULT_POSTGRES_POOL } from '@locus/storage';
import { listenFailure, usageError } from '../errors.js';
import { dashboardDir, decoderWorker, sqliteWriterWorker } from '../paths.js';
import type { Io } from '../io.js';
import { GC_ENV, SINGLE_THREADED_GC } from '../relaunch.js';
import { untilStopped } from '../signals.js';
import { parseCommandArgs } from './args.js';
import { integerOption, numberOption, portOption } from './options.js';
import { adminTokenOf, DATABASE_HELP, databaseChoice, databaseFailure, LOG_LEVEL_HELP, serverLogger } from './server-options.js';

const NAME = 'locus server start';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export const HELP = `Usage: ${NAME} [--port 8080] [--host 0.0.0.0] [--data-dir DIR] [--database-url URL]
                          [--database-pool ${DEFAULT_POSTGRES_POOL}] [--raw-retention-days 7] [--rollup-retention-days 400]
                          [--measurement-retention-days 30] [--keep-every-measurement]
                          [--delivery-retention-days 30]
                          [--trust-proxy LIST] [--webhook-allow LIST]
                          [--decoder-threads N] [--silent-after-minutes 5] [--landmark-silent-after-minutes 15]
                          [--alert-sweep-minutes 5]
                          [--verdict-interval-seconds ${DEFAULT_SERVER_CONFIG.verdictIntervalMs / 1000}]

Runs the Locus fleet server: landmarks deliver signed measurements to it, it keeps each
node's location verdict and history, and serves proofs, the API (/api/v1) and its OpenAPI
description (/openapi.json, browsable at /docs). Migrates the database first.

Options:
  --host ADDR          address to listen on (default 0.0.0.0)
  --port PORT          port (default $PORT, else 8080)
${DATABASE_HELP}
  --database-pool N    PostgreSQL connections this server holds open (default ${DEFAULT_POSTGRES_POOL}, 2 to 100);
                       each replica holds these and one more, which listens for the others'
                       changes: size max_connections for them all
  --raw-retention-days N
                       keep raw GPU samples this many days (default ${DEFAULT_SERVER_CONFIG.rawRetentionMs / DAY_MS})
  --rollup-retention-days N
                       keep 5-minute rollups this many days (default ${DEFAULT_SERVER_CONFIG.rollupRetentionMs / DAY_MS}; at least the raw days)
  --measurement-retention-days N
                       keep landmarks' signed measurements (the evidence behind verdicts and
                       proofs), and verdict history, this many days (default ${DEFAULT_SERVER_CONFIG.measurementRetentionMs / DAY_MS}; each
                       node's newest verdict is kept); verdicts use the last 6 hours'
  --keep-every-measurement
                       do not compact measurements past those 6 hours (by default only each
                       landmark's least per host and 10 minutes is kept, and what every
                       judgement rests on, so its proof can be rebuilt): about ten times the
                       storage
  --delivery-retention-days N
                       keep finished webhook deliveries (delivered or failed) in the delivery
                       log this many days (default ${DEFAULT_SERVER_CONFIG.deliveryRetentionMs / DAY_MS}); pending ones stay until they finish
  --trust-proxy LIST   comma-separated addresses or CIDR ranges of reverse proxies whose
                       X-Forwarded-For to believe, so that each node's recorded address is
                       its agent's (default: $LOCUS_TRUST_PROXY, else none)
  --webhook-allow LIST comma-separated addresses or CIDR ranges that are not public but that
                       webhooks of organizations other than the default (the operator's) may
                       reach, e.g. an internal relay (default: $LOCUS_WEBHOOK_ALLOW, else none:
                       public addresses only; the default organization reaches any)
  --silent-after-minutes N
                       raise node-silent for an agent that has delivered no batch for this
                       long (default ${DEFAULT_SERVER_CONFIG.silentAfterMs / MINUTE_MS}; agents send every 30 s), counted after
                       a break of every server from when one came back
  --landmark-silent-after-minutes N
                       raise landmark-silent (in the default organization) for a landmark none
                       of whose measurements has been stored for this long (default ${DEFAULT_SERVER_CONFIG.landmarkSilentAfterMs / MINUTE_MS};
                       landmarks measure every host each minute), or none ever while others
                       deliver; counted after a break of every server from when one came back
  --alert-sweep-minutes N
                       re-evaluate every node's alerts against all its facts this often
                       (default ${DEFAULT_SERVER_CONFIG.alertSweepEveryMs / MINUTE_MS}); every 15 s between, only silence is checked
  --verdict-interval-seconds N
                       judge a node measured again within this long of its last judgement at
                       the end of it rather than at once (default ${DEFAULT_SERVER_CONFIG.verdictIntervalMs / 1000}, 0 to 3600; 0: at each
                       delivery): with every landmark measuring every host each minute, each
                       node is judged about once an interval, not once a measurement; what new
                       measurements show waits at most this long and a loop run (15 s)
  --decoder-threads N  worker threads that parse, check and verify agents' batches while the
                       server's own thread (on a SQLite file, a writer thread of its own)
                       writes them; 0 decodes on the server's thread
                       (default: one per core, at most 4, none on one core; the start logs
                       how many)
  -h, --help           show this help

Environment:
  LOCUS_ADMIN_TOKEN    owner token of the default organization, for automation (at least
                       16 characters). Without it, the first start makes one and prints it once.
  LOCUS_DATABASE_URL   as --database-url
  LOCUS_TRUST_PROXY    as --trust-proxy
  LOCUS_WEBHOOK_ALLOW  as --webhook-allow
${LOG_LEVEL_HELP}
  ${GC_ENV}
                       auto (default), on or off: collect garbage on one thread rather than
                       with V8's helper threads. auto: on with 2 cores or fewer, where the
                       helpers compete with ingest for the cores. The V8 flag can only be set
                       at start, so locus then runs the server in a child process that has it
                       (and logs its pid), passing signals on and its exit code back.

Stops cleanly on SIGINT or SIGTERM: answers the requests it has, then closes every connection.
`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, {
    host: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    'database-pool': { type: 'string' },
    'raw-retention-days': { type: 'string' },
    'rollup-retention-days': { type: 'string' },
    'measurement-retention-days': { type: 'string' },
    'keep-every-measurement': { type: 'boolean' },
    'delivery-retention-days': { type: 'string' },
    'trust-proxy': { type: 'string' },
    'webhook-allow': { type: 'string' },
    'decoder-threads': { type: 'string' },
    'silent-after-minutes': { type: 'string' },
    'landmark-silent-after-minutes': { type: 'string' },
    'alert-sweep-minutes': { type: 'string' },
    'verdict-interval-seconds': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const port = portOption(NAME, v.port, io.env, '8080');
  const db = databaseChoice(NAME, io, v);
  const databasePool = v['database-pool'] === undefined ? undefined : integerOption(NAME, 'database-pool', v['database-pool'], 2, 100, 'connections');
  if (databasePool !== undefined && !/^postgres(ql)?:\/\//.test(db.databaseUrl ?? '')) throw usageError(`${NAME}: --database-pool is for a PostgreSQL database (--database-url postgres://…); SQLite and PGlite have no pool`);
  const config = serverConfig(v, io.env);
  const adminToken = adminTokenOf(NAME, io);
  const logger = serverLogger(NAME, io);
  const decoderThreads = v['decoder-threads'] === undefined ? undefined : integerOption(NAME, 'decoder-threads', v['decoder-threads'], 0, 64, 'threads');
  let server;
  try {
    server = await startServer({ host: v.host ?? '0.0.0.0', port, ...db, databasePool, adminToken, logger, config, world: naturalEarthWorld(), dashboardDir: dashboardDir(io), decoderWorker: decoderWorker(), decoderThreads, sqliteWriterWorker: sqliteWriterWorker() });
  } catch (error) {
    // Only an error of listen() itself is about the address: an EACCES on a database file is not.
    throw listenFailure(NAME, v.host ?? '0.0.0.0', port, error) ?? databaseFailure(NAME, db, error);
  }
  const log = (line: string) => io.stderr(`${new Date().toISOString()} ${line}\n`);
  // Signals taken before it says it listens: a supervisor (or a test) that stops it on that line
  // must not find SIGTERM's default action (the process killed, no clean stop) still in place.
  const stopped = untilStopped(log, async (signal) => {
    log(`${signal}: stopping`);
    await server.close();
  });
  log(`Locus server listening on ${server.url} (database ${server.storage.description}); dashboard at ${server.url}/, API docs at ${server.url}/docs`);
  const warmUp = server.decoderWarmUp ? ` (warmed up on ${server.decoderWarmUp.signed} of ${server.decoderWarmUp.batches} made-up batches in ${(server.decoderWarmUp.ms / 1000).toFixed(1)} s)` : '';
  const checks = server.signatureChecks.map((check) => (check === 'libsodium' ? `libsodium (node:crypto over ${LIBSODIUM_MAX_BYTES / 1024} KiB)` : server.decoderThreads > 0 ? 'node:crypto (sodium-native did not load)' : check));
  const check = checks.length > 0 ? checks.join(' and ') : 'a check its threads have not named yet';
  log(`agents' batches are decoded on ${server.decoderThreads > 0 ? `${server.decoderThreads} worker thread(s)${warmUp}` : "the server's own thread"}, their signatures checked by ${check}${server.sqliteWriterThread ? "; their samples are written to SQLite on a thread of their own" : ''}`);
  if (process.execArgv.includes(SINGLE_THREADED_GC)) log(`garbage is collected on one thread (${SINGLE_THREADED_GC}, process ${process.pid}; ${GC_ENV}=off for V8's helper threads)`);
  if (server.generatedToken) {
    io.stdout(`admin token (shown once; keep it, or set LOCUS_ADMIN_TOKEN): ${server.generatedToken}\n`);
  }
  await stopped;
  return 0;
}

/** The server's settings from the command line, past the defaults. */
export function serverConfig(
  v: { 'raw-retention-days'?: string | undefined; 'rollup-retention-days'?: string | undefined; 'measurement-retention-days'?: string | undefined; 'keep-every-measurement'?: boolean | undefined; 'delivery-retention-days'?: string | undefined; 'trust-proxy'?: string | undefined; 'webhook-allow'?: string | undefined; 'silent-after-minutes'?: string | undefined; 'landmark-silent-after-minutes'?: string | undefined; 'alert-sweep-minutes'?: string | undefined; 'verdict-interval-seconds'?: string | undefined },
  env: { readonly LOCUS_TRUST_PROXY?: string | undefined; readonly LOCUS_WEBHOOK_ALLOW?: string | undefined },
): ServerConfig {
  const days = (name: string, text: string | undefined, fallbackMs: number) => (text === undefined ? fallbackMs : Math.round(numberOption(NAME, name, text, 1, 36_500, 'days') * DAY_MS));
  const rawRetentionMs = days('raw-retention-days', v['raw-retention-days'], DEFAULT_SERVER_CONFIG.rawRetentionMs);
  const rollupRetentionMs = days('rollup-retention-days', v['rollup-retention-days'], Math.max(DEFAULT_SERVER_CONFIG.rollupRetentionMs, rawRetentionMs));
  const measurementRetentionMs = days('measurement-retention-days', v['measurement-retention-days'], DEFAULT_SERVER_CONFIG.measurementRetentionMs);
  const deliveryRetentionMs = days('delivery-retention-days', v['delivery-retention-days'], DEFAULT_SERVER_CONFIG.deliveryRetentionMs);
  const minutes = (name: string, text: string | undefined, fallbackMs: number) => (text === undefined ? fallbackMs : Math.round(numberOption(NAME, name, text, 1, 1_440, 'minutes') * MINUTE_MS));
  const silentAfterMs = minutes('silent-after-minutes', v['silent-after-minutes'], DEFAULT_SERVER_CONFIG.silentAfterMs);
  const landmarkSilentAfterMs = minutes('landmark-silent-after-minutes', v['landmark-silent-after-minutes'], DEFAULT_SERVER_CONFIG.landmarkSilentAfterMs);
  const alertSweepEveryMs = minutes('alert-sweep-minutes', v['alert-sweep-minutes'], DEFAULT_SERVER_CONFIG.alertSweepEveryMs);
  const verdictIntervalMs = v['verdict-interval-seconds'] === undefined ? DEFAULT_SERVER_CONFIG.verdictIntervalMs : integerOption(NAME, 'verdict-interval-seconds', v['verdict-interval-seconds'], 0, 3_600, 'seconds') * 1000;
  if (rollupRetentionMs < rawRetentionMs) throw usageError(`${NAME}: --rollup-retention-days must be at least --raw-retention-days (rollups answer the ranges raw samples no longer cover)`);
  const trustProxy = cidrList('trust-proxy', v['trust-proxy'] ?? env.LOCUS_TRUST_PROXY);
  const webhookAllow = cidrList('webhook-allow', v['webhook-allow'] ?? env.LOCUS_WEBHOOK_ALLOW);
  const measurementCompaction = !v['keep-every-measurement'];
  return Object.freeze({ ...DEFAULT_SERVER_CONFIG, rawRetentionMs, rollupRetentionMs, measurementRetentionMs, measurementCompaction, deliveryRetentionMs, silentAfterMs, landmarkSilentAfterMs, alertSweepEveryMs, verdictIntervalMs, trustProxy, webhookAllow });
}

/** A comma-separated list of addresses and CIDR ranges, each checked (a usage error names the option). */
function cidrList(option: string, text: string | undefined): readonly string[] {
  const entries = (text ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
  for (const entry of entries) if (!parseCidr(entry)) throw usageError(`${NAME}: --${option}: "${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)`);
  return Object.freeze(entries);
}

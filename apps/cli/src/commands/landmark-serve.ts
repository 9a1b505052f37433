import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { isCountryCode } from '@locus/geo';
import { isLoopback, parseListen, startMetricsServer, type MetricsListen, type MetricsServer } from '@locus/agent/metrics-server';
import { FILES_BESIDES_HOSTS, SPOOL_MAX_AGE_MS, SpoolError, createLandmarkMetrics, openFileLimit, openSpool, startDelivery, startLandmarkServer, DEFAULT_MEASURE_CONFIG, LANDMARK_VERSION, type Delivery, type DeliveryEvent, type HoldCause, type SpoolOpened } from '@locus/landmark';
import { forbiddenNameCharacter, LandmarkId, LandmarkInfo, type SignedMeasurement } from '@locus/protocol';
import { lockFile, type FileLock } from '@locus/storage/sqlite-file';
import { CliError, listenFailure, usageError } from '../errors.js';
import type { Io } from '../io.js';
import { untilStopped } from '../signals.js';
import { readSecret } from './agent-common.js';
import { parseCommandArgs } from './args.js';
import { keyOption } from './landmark-options.js';
import { HTTP, countryOption, integerOption, numberOption, portOption, requireOption, urlOption } from './options.js';

const NAME = 'locus landmark serve';

export const HELP = `Usage: ${NAME} --id ID --lat DEG --lon DEG --country CC --key FILE [options]

Runs a landmark. GPU hosts keep an outbound WebSocket to it; every so often it sends each
host fresh random challenges, times the answers on its own monotonic clock, keeps the
minimum RTT over the rounds and signs the measurement. Hosts are never asked for a time.

Identity and place:
  --id ID          landmark id (letters, digits, ".", "_", "-")
  --name NAME      display name, at most 200 characters (default: the id)
  --lat DEG        audited latitude, WGS84 degrees
  --lon DEG        audited longitude, WGS84 degrees
  --country CC     ISO 3166-1 alpha-2 code of the country it stands in
  --key FILE       key file from \`locus landmark keygen\` (mode 0600)

Network:
  --host ADDR      address to listen on (default 0.0.0.0)
  --port PORT      port (default 7443; 0 picks a free one)
  --server URL     deliver signed measurements to this Locus server (POST /api/v1/measurements)
  --token-file F   a bearer token sent with each delivery, for a reverse proxy before
                   --server that asks for one (the server itself checks the landmark's
                   signatures, not a token); read from a file ("-" for standard input),
                   which others should not read (a warning says so)
  --spool FILE     keep measurements not yet delivered in FILE (created if absent), and
                   send those an earlier run kept there, up to 6 h old, at start; one
                   landmark per spool (it holds FILE.lock while it runs)

Monitoring:
  --metrics ADDR:PORT  serve Prometheus metrics at GET /metrics (hosts connected, measurements
                   and their minimum RTTs, host problems by code, deliveries by result, the
                   queue); ":PORT" listens on 127.0.0.1

Measuring:
  --rounds N       challenge rounds per measurement (default ${DEFAULT_MEASURE_CONFIG.rounds})
  --every-s S      measure each host every S seconds, ±20% (default ${DEFAULT_MEASURE_CONFIG.measureEveryMs / 1000})

  -h, --help       show this help

Output: each signed measurement as one JSON line on stdout; a log on stderr.
Stops cleanly on SIGINT or SIGTERM, first trying for up to 5 s to deliver what is
queued (again every half second); what is still queued then is kept in --spool for
the next start, or without one lost, and logged.
`;

/** "51 s", "0.4 s": a wait as a person reads it. */
const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;

/** What holds delivery, and what ends the hold (the server's own message is given too). */
const HELD: Readonly<Record<HoldCause, { readonly what: string; readonly fix: string }>> = {
  version: { what: "server does not read this landmark's protocol version", fix: 'upgrade the server' },
  refused: { what: 'server refuses every delivery', fix: 'check --server, and any proxy before the server' },
  unregistered: { what: 'server does not know this landmark', fix: 'register it with the server (POST /api/v1/landmarks with its id, place and public key: docs/deploy.md, Landmarks)' },
};

/** The log line of a delivery event. */
export function deliveryLine(e: DeliveryEvent): string {
  switch (e.kind) {
    case 'delivered':
      return `delivered ${e.count} measurement(s)`;
    case 'retrying':
      return `server unreachable (${e.why}); ${e.count} queued, retry in ${seconds(e.inMs)}`;
    case 'held':
      return `${HELD[e.cause].what} (${e.why}); holding ${e.queued} measurement(s), nothing dropped, retry in ${seconds(e.inMs)}: ${HELD[e.cause].fix}`;
    case 'split':
      return `server refused a batch of ${e.count} measurement(s) whole (${e.why}); sending them again in batches of at most ${e.size}, nothing dropped`;
    case 'rejected':
      return `server refused ${e.count} measurement(s) sent alone as malformed, which it would refuse again: dropped (HTTP ${e.status} ${e.body})`;
    case 'refused':
      return `server refused ${e.count} of ${e.of} measurement(s): ${e.reasons.map((r) => `${r.count} × ${r.code}: ${r.message}`).join('; ')}`;
    case 'dropped':
      return `dropped ${e.count} measurement(s): ${e.why}`;
    case 'kept':
      return `kept ${e.count} undelivered measurement(s) in the spool for the next start`;
    case 'restored':
      return `sending ${e.count} measurement(s) an earlier run kept in the spool`;
  }
}

/** Serves the metrics, or says why it cannot (exit 1). */
async function serveMetrics(registry: Parameters<typeof startMetricsServer>[0], at: MetricsListen): Promise<MetricsServer> {
  try {
    return await startMetricsServer(registry, at, 'this landmark');
  } catch (error) {
    throw new CliError('LOCUS_ERR_LISTEN', `${NAME}: cannot serve metrics on ${at.host}:${at.port}: ${(error as Error).message}`, 'Pick another port with --metrics ADDR:PORT, or run without --metrics.');
  }
}

/**
 * Opens --spool, saying what of an earlier run's it leaves out; its problems as coded errors.
 * One landmark per spool: it holds FILE.lock (a kernel record lock, gone with its process) while
 * it runs, for two would rewrite each other's measurements away.
 */
function spoolOption(path: string, log: (line: string) => void): SpoolOpened & { readonly lock: FileLock } {
  const hint = 'Give --spool a file this user may read and write, in a directory it may write.';
  let lock: FileLock | undefined;
  try {
    // Its folder is not made: a --spool in a folder that is not there is a mistake, said as such.
    statSync(dirname(path));
  } catch (error) {
    throw new CliError('LOCUS_ERR_OUTPUT', `${NAME}: cannot write the spool ${path}: ${(error as Error).message}`, hint);
  }
  try {
    lock = lockFile(`${path}.lock`);
  } catch (error) {
    throw new CliError('LOCUS_ERR_OUTPUT', `${NAME}: cannot lock the spool ${path} (${path}.lock): ${(error as Error).message}`, hint);
  }
  if (!lock) throw usageError(`${NAME}: another landmark uses the spool ${path} (it holds ${path}.lock)`, 'Give each landmark a --spool of its own, or stop the other first.');
  let opened: SpoolOpened;
  try {
    opened = openSpool(path, { maxAgeMs: SPOOL_MAX_AGE_MS, now: new Date().getTime(), onProblem: (message) => log(`warning: ${message}`) });
  } catch (error) {
    lock.release();
    if (!(error instanceof SpoolError)) throw error;
    throw new CliError(error.reading ? 'LOCUS_ERR_INPUT_FILE' : 'LOCUS_ERR_OUTPUT', `${NAME}: ${error.message}`, hint);
  }
  if (opened.unreadable > 0) log(`warning: ${opened.unreadable} line(s) of the spool ${path} were not signed measurements and were left out`);
  if (opened.stale > 0) log(`${opened.stale} measurement(s) in the spool ${path} were over 6 h old, which the server refuses, and were left out`);
  return { ...opened, lock };
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, {
    id: { type: 'string' },
    name: { type: 'string' },
    lat: { type: 'string' },
    lon: { type: 'string' },
    country: { type: 'string' },
    key: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    server: { type: 'string' },
    'token-file': { type: 'string' },
    spool: { type: 'string' },
    metrics: { type: 'string' },
    rounds: { type: 'string' },
    'every-s': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const id = requireOption(NAME, 'id', v.id, 'ID');
  if (!LandmarkId.safeParse(id).success) throw usageError(`${NAME}: --id "${id}" must be 1-64 letters, digits, ".", "_" or "-"`);
  const name = v.name ?? id;
  // Hosts ignore a welcome that does not match the protocol's schema, and the server would not register it.
  const maxName = LandmarkInfo.shape.name.maxLength ?? Infinity;
  if (name.length > maxName) throw usageError(`${NAME}: --name must be at most ${maxName} characters, got ${name.length}`);
  const forbidden = forbiddenNameCharacter(name);
  if (forbidden) throw usageError(`${NAME}: --name holds ${forbidden}, a control character, which a name may not hold (the server would not register it)`);
  const country = countryOption(NAME, requireOption(NAME, 'country', v.country, 'CC'), 'country', isCountryCode);
  const lat = numberOption(NAME, 'lat', v.lat, -90, 90, 'degrees');
  const lon = numberOption(NAME, 'lon', v.lon, -180, 180, 'degrees');
  const port = portOption(NAME, v.port, {}, '7443');
  const rounds = integerOption(NAME, 'rounds', v.rounds ?? String(DEFAULT_MEASURE_CONFIG.rounds), 1, 1000, 'rounds');
  const everyS = numberOption(NAME, 'every-s', v['every-s'] ?? String(DEFAULT_MEASURE_CONFIG.measureEveryMs / 1000), 1, 86_400, 'seconds');
  if (v.server !== undefined) urlOption(NAME, 'server', v.server, HTTP, 'https://locus.example');
  // Without --server nothing is delivered, so a token given for it would go unused, silently.
  if (v['token-file'] !== undefined && v.server === undefined) throw usageError(`${NAME}: --token-file is the token for --server, which is not given; give both, or neither to only print measurements`);
  // Without --server nothing is queued, so there would be nothing to keep.
  if (v.spool !== undefined && v.server === undefined) throw usageError(`${NAME}: --spool keeps measurements for --server, which is not given; give both, or neither to only print measurements`);
  const metricsAt = v.metrics === undefined ? undefined : parseListen(v.metrics);
  if (v.metrics !== undefined && !metricsAt) throw usageError(`${NAME}: --metrics must be ADDR:PORT, e.g. 127.0.0.1:9402 or [::1]:9402, got "${v.metrics}"`);
  const key = keyOption(NAME, v.key);
  // An empty file would send no token, and every delivery would be refused (401) while it runs.
  const token = v['token-file'] === undefined ? undefined : readSecret(NAME, v['token-file']);
  const tokenMode = v['token-file'] === undefined || v['token-file'] === '-' ? undefined : statSync(v['token-file']).mode & 0o777;

  const info: LandmarkInfo = { id, name, country, lat, lon, publicKey: key.publicKey };
  const log = (line: string) => io.stderr(`${new Date().toISOString()} ${line}\n`);
  if (tokenMode !== undefined && (tokenMode & 0o077) !== 0) {
    log(`warning: the token file ${v['token-file']} may be read by other users (mode ${tokenMode.toString(8).padStart(4, '0')}): chmod 600 ${v['token-file']}`);
  }
  // The server is not known until it listens; the gauge reads it then.
  let connected = (): number => 0;
  // Delivery starts once everything listens: a landmark that cannot listen (another one running
  // there, say) leaves no loop running, and does not take over a --spool that one may be using.
  let delivery: Delivery | undefined;
  // Measurements signed before delivery starts (a host measured meanwhile), handed to it then.
  const early: SignedMeasurement[] = [];
  const metrics = metricsAt ? createLandmarkMetrics(info, { hosts: () => connected(), ...(v.server ? { queued: () => delivery?.pending() ?? early.length } : {}), now: () => new Date().getTime() }) : undefined;
  const server = await startLandmarkServer({
    info,
    key: key.privateKey,
    host: v.host ?? '0.0.0.0',
    port,
    config: { rounds, measureEveryMs: everyS * 1000 },
    onMeasurement: (signed, { calibration }) => {
      io.stdout(`${JSON.stringify(signed)}\n`);
      metrics?.measured(signed);
      // Of a landmark calibrating against this one: answered to it, and no node's, so not delivered.
      if (calibration) log(`host ${signed.measurement.hostKey}: a landmark calibrating against this one: measured and answered, not delivered`);
      else if (delivery) delivery.enqueue(signed);
      else if (v.server) early.push(signed);
    },
    onProblem: (code, message, hostKey) => {
      metrics?.problem(code);
      log(`host ${hostKey ?? '(no hello)'}: ${code}: ${message}`);
    },
  }).catch((error: Error) => {
    throw listenFailure(NAME, v.host ?? '0.0.0.0', port, error, '--port') ?? new CliError('LOCUS_ERR_LISTEN', `${NAME}: cannot listen on ${v.host ?? '0.0.0.0'}:${port}: ${error.message}`);
  });
  connected = () => server.hosts().length;
  let metricsServer: MetricsServer | undefined;
  let spooled: ReturnType<typeof spoolOption> | undefined;
  try {
    if (metrics && metricsAt) metricsServer = await serveMetrics(metrics.registry, metricsAt);
    if (v.spool !== undefined) spooled = spoolOption(v.spool, log);
  } catch (error) {
    // Stops what listens, so that the command ends with its error rather than serve on.
    await metricsServer?.close();
    await server.close();
    throw error;
  }
  if (v.server) {
    delivery = startDelivery({
      server: v.server,
      ...(token ? { token } : {}),
      ...(spooled ? { spool: spooled.spool } : {}),
      onEvent: (e) => {
        metrics?.delivery(e);
        log(deliveryLine(e));
      },
    });
    for (const signed of early.splice(0)) delivery.enqueue(signed);
  }
  // Signals taken before it says it listens (SIGTERM's default action would kill it uncleanly).
  const stopped = untilStopped(log, async (signal) => {
    log(`${signal}: stopping`);
    await server.close();
    await metricsServer?.close();
    if (delivery) {
      await delivery.drain(5_000);
      delivery.close();
    }
    spooled?.lock.release();
  });
  log(`landmark ${id} (${country}, ${lat}, ${lon}) listening on ${server.url}; public key ${key.publicKey}; locus landmark ${LANDMARK_VERSION}`);
  if (metricsServer && metricsAt) {
    log(`metrics at ${metricsServer.url}${isLoopback(metricsAt.host) ? '' : ' (reachable from other hosts: bind 127.0.0.1 unless a scraper elsewhere needs it)'}`);
  }
  // Past its open-file limit the kernel refuses connections and Node says nothing: say it once here.
  const files = openFileLimit();
  const hosts = DEFAULT_MEASURE_CONFIG.maxConnections;
  if (files !== undefined && files < hosts + FILES_BESIDES_HOSTS) {
    log(`warning: this process may open ${files} files; hosts past about ${Math.max(0, files - FILES_BESIDES_HOSTS)} will be refused by the kernel, unlogged, short of the landmark's ${hosts}. Raise the limit: ulimit -n, or LimitNOFILE= in its unit.`);
  }
  await stopped;
  return 0;
}

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { World } from '@locus/geo';
import { migrateToLatest, openStorage, writerThreadOf, type Storage } from '@locus/storage';
import { buildApp } from './app.js';
import { hashToken, newToken } from './auth.js';
import { systemClock, type Clock } from './clock.js';
import { DEFAULT_ORG, DEFAULT_SERVER_CONFIG, type ServerConfig } from './config.js';
import { IN_THREAD_SIGNATURE_CHECKS, workerDecoder } from './ingest/decoder.js';
import type { SignatureCheckBackend } from './ingest/ed25519.js';
import { warmUpDecoder, type DecoderWarmUp } from './ingest/warm-up.js';
import { reposOf } from './repos.js';

export interface StartOptions {
  readonly host: string;
  readonly port: number;
  /** A database spec (sqlite:…, pglite:…, postgres://…); default SQLite in dataDir. */
  readonly databaseUrl?: string | undefined;
  /** Connections a PostgreSQL database's pool holds open (default DEFAULT_POSTGRES_POOL). */
  readonly databasePool?: number | undefined;
  readonly dataDir: string;
  /** Bootstrap owner token for the default org; when absent, one is made on first start. */
  readonly adminToken?: string | undefined;
  readonly world: World;
  readonly config?: ServerConfig;
  readonly clock?: Clock;
  readonly logger?: boolean | object;
  /** Built dashboard assets to serve at `/`. */
  readonly dashboardDir?: string | undefined;
  /**
   * The bundled ingest decoder (apps/cli/dist/decoder-worker.js): agents' batches are then
   * parsed, checked and verified on worker threads. Without it, on the server's own thread.
   */
  readonly decoderWorker?: URL | undefined;
  /** Decoder threads with decoderWorker; default: defaultDecoderThreads. */
  readonly decoderThreads?: number | undefined;
  /**
   * The bundled SQLite ingest writer (apps/cli/dist/sqlite-writer-worker.js): on a SQLite file,
   * agents' samples are then stored on a thread of their own (see openSqlite). Without it, on the
   * server's own thread.
   */
  readonly sqliteWriterWorker?: URL | undefined;
}

/**
 * Decoder threads by default: one per core, at most 4; none on a single core. As many as the
 * cores rather than one fewer (the server's thread also serves and writes), so that a batch
 * never queues for a busy decoder while a core is idle; a thread that has nothing to decode
 * sleeps. On 2 cores, quick bench:ingest runs with two threads were never slower than with one,
 * and had a lower p99.
 */
export const defaultDecoderThreads = (): number => {
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(4, cores);
};

export interface RunningServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly storage: Storage;
  /** A token generated on this start (first start without LOCUS_ADMIN_TOKEN), shown once. */
  readonly generatedToken: string | undefined;
  /** Worker threads decoding agents' batches at start (0: the server's own thread). */
  readonly decoderThreads: number;
  /** Whether agents' samples are stored on the SQLite writer's thread (sqliteWriterWorker on a SQLite file), not the server's own. */
  readonly sqliteWriterThread: boolean;
  /** The decoder threads' warm-up before the server listened (warmUpDecoder); undefined without threads, or if it failed (logged). */
  readonly decoderWarmUp: DecoderWarmUp | undefined;
  /** What checks batches' signatures, as the decoder threads said when they started: libsodium where sodium-native loads (ed25519Check), else node:crypto; one of each if they differ. */
  readonly signatureChecks: readonly SignatureCheckBackend[];
  close(): Promise<void>;
}

export const databaseSpec = (options: Pick<StartOptions, 'databaseUrl' | 'dataDir'>): string => options.databaseUrl ?? `sqlite:${join(options.dataDir, 'locus.db')}`;

/** Opens and migrates the database, makes sure the default org and an owner token exist. */
export async function prepareStorage(options: Pick<StartOptions, 'databaseUrl' | 'databasePool' | 'dataDir' | 'adminToken' | 'sqliteWriterWorker'>, clock: Clock): Promise<{ storage: Storage; generatedToken: string | undefined }> {
  const storage = await openStorage(databaseSpec(options), { poolSize: options.databasePool, sqliteWriter: options.sqliteWriterWorker });
  try {
    await migrateToLatest(storage);
    const repos = reposOf(storage);
    const now = clock.now().getTime();
    await repos.orgs.ensure({ id: DEFAULT_ORG, name: 'Default organization', created_at: now });
    let generatedToken: string | undefined;
    if (options.adminToken) {
      await repos.tokens.ensure({ id: randomUUID(), org_id: DEFAULT_ORG, name: 'LOCUS_ADMIN_TOKEN', role: 'owner', hash: hashToken(options.adminToken), created_at: now, last_used_at: null, expires_at: null });
    } else if ((await repos.tokens.countForOrg(DEFAULT_ORG)) === 0) {
      generatedToken = newToken();
      await repos.tokens.create({ id: randomUUID(), org_id: DEFAULT_ORG, name: 'first start', role: 'owner', hash: hashToken(generatedToken), created_at: now, last_used_at: null, expires_at: null });
    }
    return { storage, generatedToken };
  } catch (error) {
    await storage.close();
    throw error;
  }
}

/**
 * Fails as the server's listen() would (a port in use or below 1024 without privileges, an
 * address not this machine's, a host name that resolves to none), by listening on the address
 * and closing at once: so that a start that cannot listen says so before it makes a data dir
 * or a database, or migrates one. Port 0 (any free port) always can. What takes the port in
 * the moment between is still told by the listen() itself.
 */
export async function checkListenable(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ host, port }, () => resolve());
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  await checkListenable(options.host, options.port);
  const { storage, generatedToken } = await prepareStorage(options, clock);
  const threads = options.decoderThreads ?? defaultDecoderThreads();
  let warn = (_message: string): void => {};
  const decoder = options.decoderWorker && threads > 0 ? workerDecoder(options.decoderWorker, threads, (message) => warn(message)) : undefined;
  const app = await buildApp({ storage, world: options.world, config: options.config ?? DEFAULT_SERVER_CONFIG, clock, logger: options.logger ?? false, dashboardDir: options.dashboardDir, backgroundEveryMs: 15_000, decoder });
  warn = (message) => app.log.warn(message);
  storage.reportConnectionErrors?.(warn);
  let url: string;
  let decoderWarmUp: DecoderWarmUp | undefined;
  try {
    if (decoder) {
      decoderWarmUp = await warmUpDecoder(decoder).catch((error: Error) => {
        warn(`ingest: warming the decoder threads up failed (${error.message}); their first batches will be slower`);
        return undefined;
      });
    }
    url = await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    await storage.close();
    throw error;
  }
  return {
    url,
    app,
    storage,
    generatedToken,
    decoderThreads: decoder?.threads ?? 0,
    sqliteWriterThread: writerThreadOf(storage.db)?.running ?? false,
    decoderWarmUp,
    signatureChecks: decoder?.signatureChecks ?? IN_THREAD_SIGNATURE_CHECKS,
    close: async () => {
      await app.close();
      await storage.close();
    },
  };
}

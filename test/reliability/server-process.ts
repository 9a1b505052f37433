/**
 * The real server in a process of its own, for the suites that kill it (SIGKILL) or starve it:
 * `node --import tsx test/reliability/server-process.ts` with LOCUS_DATA_DIR or
 * LOCUS_DATABASE_URL, LOCUS_PORT and LOCUS_ADMIN_TOKEN; optional LOCUS_INGEST_MAX_IN_FLIGHT, and
 * LOCUS_DECODER_WORKER (the URL of a bundled decoder worker: batches decoded on worker threads) and
 * LOCUS_SQLITE_WRITER_WORKER (of the bundled SQLite writer: samples stored on its thread).
 * Prints `ready <url>` once it listens.
 */
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { DEFAULT_SERVER_CONFIG, startServer } from '@locus/server';

const env = process.env;
const maxInFlight = env.LOCUS_INGEST_MAX_IN_FLIGHT ? Number(env.LOCUS_INGEST_MAX_IN_FLIGHT) : DEFAULT_SERVER_CONFIG.ingestMaxInFlight;
const server = await startServer({
  host: '127.0.0.1',
  port: Number(env.LOCUS_PORT ?? 0),
  dataDir: env.LOCUS_DATA_DIR ?? '.',
  databaseUrl: env.LOCUS_DATABASE_URL,
  adminToken: env.LOCUS_ADMIN_TOKEN,
  world: naturalEarthWorld(),
  config: { ...DEFAULT_SERVER_CONFIG, ingestMaxInFlight: maxInFlight },
  decoderWorker: env.LOCUS_DECODER_WORKER ? new URL(env.LOCUS_DECODER_WORKER) : undefined,
  // At least one decoder thread even on a one-core machine, so that the suites cover them.
  decoderThreads: env.LOCUS_DECODER_WORKER ? 2 : 0,
  sqliteWriterWorker: env.LOCUS_SQLITE_WRITER_WORKER ? new URL(env.LOCUS_SQLITE_WRITER_WORKER) : undefined,
});
process.stdout.write(`ready ${server.url}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

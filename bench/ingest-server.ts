/**
 * Child process of bench/ingest.ts: the real server (startServer: migrations, Fastify, the
 * background loop of alert sweeps and retention) in a process of its own, as it runs in
 * production, so that the load generator does not run on the server's event loop. Its settings
 * come in LOCUS_BENCH_SERVER (JSON); requests and replies go over the IPC channel. Batches are
 * decoded on worker threads (the decoder bundled from the sources, as npm run build bundles it),
 * and on SQLite their samples written from the writer's thread (bundled likewise) unless the bench
 * says otherwise (--no-writer-thread).
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { DEFAULT_ORG, defaultDecoderThreads, startServer, systemClock } from '@locus/server';
import { buildDecoderWorker, buildSqliteWriterWorker } from '../test/support/worker-bundle.js';
import { GpuSampleRepo, NodeRepo, TelemetryRepo } from '@locus/storage';
import { hostInventory } from './ingest-load.js';

export interface SeedNode {
  readonly id: string;
  readonly name: string;
  readonly hostKey: string;
  readonly gpus: readonly { readonly uuid: string; readonly serial: string }[];
}
export type ServerRequest = { readonly kind: 'seed'; readonly nodes: readonly SeedNode[] } | { readonly kind: 'cpu' } | { readonly kind: 'stop' };

const { databaseUrl, dataDir, adminToken, decoderThreads, writerThread } = JSON.parse(process.env.LOCUS_BENCH_SERVER ?? '{}') as { databaseUrl?: string; dataDir?: string; adminToken: string; decoderThreads?: number; writerThread?: boolean };
const reply = (message: object) => process.send!(message);
// The ingest decoder on worker threads, as `locus server start` runs it from its bundle.
const decoder = await buildDecoderWorker();
// On SQLite, samples written from the writer's thread, as `locus server start` runs it from its bundle.
const writer = writerThread === false ? undefined : await buildSqliteWriterWorker();
const server = await startServer({ host: '127.0.0.1', port: 0, databaseUrl, dataDir: dataDir ?? tmpdir(), adminToken, world: naturalEarthWorld(), decoderWorker: decoder.url, decoderThreads, sqliteWriterWorker: writer?.url });
reply({ kind: 'ready', url: server.url, database: server.storage.description, decoderThreads: String(decoderThreads ?? defaultDecoderThreads()), writerThread: String(server.sqliteWriterThread) });

/**
 * CPU time of this process's main thread (the event loop that serves requests, and writes to
 * SQLite without the writer's thread), from /proc (utime + stime, in clock ticks of 10 ms); NaN where there is no /proc.
 */
function mainThreadMicros(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from the state on: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}

process.on('message', (request: ServerRequest) => {
  void (async () => {
    if (request.kind === 'stop') {
      await server.close();
      decoder.remove();
      writer?.remove();
      reply({ kind: 'stopped' });
      process.disconnect();
      return;
    }
    if (request.kind === 'cpu') {
      // CPU time of the whole process (its worker threads and SQLite's included), and of its main thread alone, in microseconds.
      const { user, system } = process.cpuUsage();
      reply({ kind: 'cpu', micros: String(user + system), mainMicros: String(mainThreadMicros()) });
      return;
    }
    // What the enroll route stores for a node (its address that of the load generator), written
    // through the repositories, 200 nodes a transaction; then, as the route does after its
    // transaction, its GPUs' series.
    const now = systemClock.now().getTime();
    const samples = new GpuSampleRepo(server.storage.db);
    for (let i = 0; i < request.nodes.length; i += 200) {
      const some = request.nodes.slice(i, i + 200);
      await server.storage.db.transaction().execute(async (trx) => {
        for (const n of some) {
          await new NodeRepo(trx).create({ id: n.id, org_id: DEFAULT_ORG, name: n.name, host_key: n.hostKey, claimed_country: 'DE', created_at: now, last_measured_at: null, unenrolled_at: null, zone_id: null });
          const inventory = hostInventory(n.gpus);
          await new TelemetryRepo(trx).setInventory(n.id, inventory, now);
          await new TelemetryRepo(trx).seeGpus(n.id, inventory.gpus.map((g) => ({ uuid: g.uuid, serial: g.serial, name: g.name, pci_bus_id: g.pciBusId })), now);
          await new TelemetryRepo(trx).setAddress(n.id, '127.0.0.1', now);
        }
      });
      for (const n of some) await samples.seriesFor(n.id, n.gpus.map((g) => g.uuid));
    }
    reply({ kind: 'seeded', count: request.nodes.length });
  })();
});

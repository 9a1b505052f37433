import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverV8Flags } from '../../apps/cli/src/relaunch.js';
import { buildDecoderWorker, buildSqliteWriterWorker, type BundledWorker } from '../support/worker-bundle.js';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it wrote to stderr. */
  readonly stderr: () => string;
  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  kill(): Promise<void>;
  /** SIGTERM, and wait for it to close the database. */
  stop(): Promise<void>;
}

/** A worker bundled once for this test file's servers, removed when it ends. */
const bundledOnce = (build: () => Promise<BundledWorker>): (() => Promise<string>) => {
  let built: Promise<string> | undefined;
  return () =>
    (built ??= build().then((worker) => {
      process.once('exit', () => worker.remove());
      return worker.url.href;
    }));
};
const decoderWorkerUrl = bundledOnce(buildDecoderWorker);
const writerWorkerUrl = bundledOnce(buildSqliteWriterWorker);

/**
 * Starts test/reliability/server-process.ts, decoding batches on worker threads, storing them on
 * SQLite from the writer's thread, and with the V8 flags of `locus server start` on this machine,
 * as the bundled server runs; resolves once it listens.
 */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const childEnv = { ...process.env, LOCUS_DECODER_WORKER: await decoderWorkerUrl(), LOCUS_SQLITE_WRITER_WORKER: await writerWorkerUrl(), ...env };
  const child = spawn(process.execPath, ['--import', 'tsx', ...serverV8Flags(process.env), join(ROOT, 'test/reliability/server-process.ts')], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /ready (\S+)/.exec(out);
      if (m) resolveUrl(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before it listened: ${stderr.slice(-2000)}`)));
  });
  return {
    child,
    url,
    stderr: () => stderr,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

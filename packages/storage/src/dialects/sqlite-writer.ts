import { Worker } from 'node:worker_threads';
import type { BatchClaim } from '../repos/telemetry.js';
import type { SampleBatch, SampleBatchStore } from '../repos/sqlite-batches.js';

/** What the writer's thread is given when it starts: the database file and the pragmas to open it with. */
export interface WriterThreadData {
  readonly path: string;
  readonly pragmas: readonly string[];
}

/** A group of batches to store in one transaction, numbered by the server's side. */
export interface WriterRequest {
  readonly id: number;
  readonly batches: readonly SampleBatch[];
}

/** The thread's answer: each batch's claim, or the error the transaction threw (SQLite's code with it). */
export type WriterReply = { readonly id: number } & ({ readonly claims: BatchClaim[] } | { readonly error: string; readonly code?: string | undefined });

/** An error of the writer's thread, with SQLite's code when SQLite threw it. */
export class WriterThreadError extends Error {
  readonly code: string | undefined;

  constructor(message: string, code?: string) {
    super(message);
    this.name = 'WriterThreadError';
    this.code = code;
  }
}

export interface SqliteWriterThread {
  /** Stores a group on the thread; on the server's own thread (`fallback`) once the thread has stopped. */
  readonly store: SampleBatchStore;
  /** Whether the thread still runs. */
  readonly running: boolean;
  /** Lets the thread finish what it was sent, then stops it. */
  stop(): Promise<void>;
}

/** How long stop() waits for the thread to finish what it was sent before ending it. */
const STOP_WAIT_MS = 10_000;

/**
 * Asks a worker of this package's (the writer, the checkpointer) to stop: sends it 'stop', which it
 * takes after every message sent before, waits up to `waitMs` for it to exit (`exited`), then
 * ends it whatever it is doing.
 */
export async function stopWorker(worker: Worker, exited: Promise<void>, waitMs: number): Promise<void> {
  worker.ref();
  worker.postMessage('stop');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
  await worker.terminate();
}

/**
 * The ingest writer's thread on a SQLite file: a worker running `script` (the bundled
 * sqlite-writer-worker), with a connection of its own to the file, which stores the groups of
 * batches it is sent (sqliteBatchStoreOn), one transaction each, in the order sent. The server's
 * thread then spends no time in SQLite for agents' samples: on 2 cores it was the server's
 * bottleneck, most of its thread's time for a 480-sample batch. Everything else the server
 * writes stays on its own connection; SQLite takes one writer at a time, and each waits for the
 * other (busy_timeout; Kysely's transactions begin immediate, openSqliteKysely). A thread that
 * fails (or a script that cannot start) is reported to `log`; the groups it held fail (the agents
 * send them again), and later groups are stored by `fallback` on the server's thread.
 */
export function startSqliteWriter(script: URL, data: WriterThreadData, fallback: SampleBatchStore, log: (message: string) => void = () => {}): SqliteWriterThread {
  const worker = new Worker(script, { workerData: data });
  const pending = new Map<number, { resolve(claims: BatchClaim[]): void; reject(error: Error): void }>();
  let nextId = 0;
  let running = true;
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  const fail = (why: string) => {
    if (!running) return;
    running = false;
    if (!stopping) log(`ingest writer thread stopped (${why}); storing agents' samples on the server's thread`);
    for (const p of pending.values()) p.reject(new WriterThreadError(`ingest writer: the thread holding this group stopped (${why})`));
    pending.clear();
  };
  worker.on('message', (reply: WriterReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if ('claims' in reply) p.resolve(reply.claims);
    else p.reject(new WriterThreadError(reply.error, reply.code));
  });
  worker.on('error', (error) => fail(error.message));
  worker.on('exit', (code) => fail(`exit ${code}`));
  // Nothing waiting: the thread does not keep the process alive.
  worker.unref();

  return {
    store(batches) {
      if (!running) return fallback(batches);
      const id = nextId++;
      return new Promise<BatchClaim[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const request: WriterRequest = { id, batches };
        worker.postMessage(request);
      });
    },
    get running() {
      return running;
    },
    async stop() {
      stopping = true;
      // After every group sent before it: messages are taken in order.
      if (running) await stopWorker(worker, exited, STOP_WAIT_MS);
      else await worker.terminate();
      fail('stopped');
    },
  };
}

import { Worker } from 'node:worker_threads';
import { verifyBytesAsync } from '@locus/protocol';
import { decodeBatch, type DecodedBatch } from './decode.js';

/** Decodes agents' batches (decodeBatch): on worker threads when it has them, else on the caller's. */
export interface BatchDecoder {
  decode(bytes: Buffer): Promise<DecodedBatch>;
  /** Worker threads decoding now (0: the server's own thread). */
  readonly threads: number;
  close(): Promise<void>;
}

/** Decodes on the calling thread, the signature checked on libuv's thread pool. */
export const inThreadDecoder = (): BatchDecoder => ({
  decode: (bytes) => decodeBatch(bytes, (part, hostKey, signature) => verifyBytesAsync('ingest', part, hostKey, signature)),
  threads: 0,
  close: () => Promise.resolve(),
});

interface Pending {
  readonly bytes: Buffer;
  readonly resolve: (decoded: DecodedBatch) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

/** What a worker answers: the request's id and its batch decoded, or the error decoding it threw (a bug). */
export type DecoderReply = { readonly id: number; readonly decoded: DecodedBatch } | { readonly id: number; readonly error: string };

/**
 * Decodes on `threads` worker threads running `script` (the bundled decoder-worker), so that
 * parsing, checking and signature verification of batches use the machine's other cores while
 * the server's thread serves requests and writes to the database. Each batch goes to the worker
 * with the fewest waiting. A worker that fails (or a script that cannot start) is dropped and its
 * batches decoded on the calling thread: a batch is never lost to a decoder.
 */
export function workerDecoder(script: URL, threads: number, log: (message: string) => void = () => {}): BatchDecoder {
  const fallback = inThreadDecoder();
  const slots: Slot[] = [];
  let nextId = 0;
  let closing = false;

  const drop = (slot: Slot, why: string) => {
    const at = slots.indexOf(slot);
    if (at < 0) return;
    slots.splice(at, 1);
    if (!closing) log(`ingest decoder thread stopped (${why}); ${slots.length > 0 ? `${slots.length} left` : "decoding on the server's thread"}`);
    for (const p of slot.pending.values()) fallback.decode(p.bytes).then(p.resolve, p.reject);
    slot.pending.clear();
    void slot.worker.terminate();
  };

  for (let i = 0; i < threads; i++) {
    const worker = new Worker(script);
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (reply: DecoderReply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      if ('error' in reply) p.reject(new Error(`ingest decoder: ${reply.error}`));
      else p.resolve(reply.decoded);
    });
    worker.on('error', (error) => drop(slot, error.message));
    worker.on('exit', (code) => drop(slot, `exit ${code}`));
    // An idle worker does not keep the process alive.
    worker.unref();
    slots.push(slot);
  }

  return {
    decode(bytes) {
      let slot: Slot | undefined;
      for (const s of slots) if (!slot || s.pending.size < slot.pending.size) slot = s;
      if (!slot) return fallback.decode(bytes);
      const chosen = slot;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        chosen.pending.set(id, { bytes, resolve, reject });
        chosen.worker.postMessage({ id, bytes });
      });
    },
    get threads() {
      return slots.length;
    },
    async close() {
      closing = true;
      const workers = slots.map((s) => s.worker);
      for (const s of [...slots]) drop(s, 'closing');
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

import { Worker } from 'node:worker_threads';
import { verifyBytesAsync } from '@locus/protocol';
import { decodeBatch, type DecodedBatch } from './decode.js';
import type { SignatureCheckBackend } from './ed25519.js';

/**
 * A batch decoded, and its bytes where the caller may read them again (see needsBytes): a
 * batch's buffer moves to a decoder thread rather than being copied, leaving the caller's own
 * Buffer empty, and comes back only then.
 */
export interface Decoded {
  readonly decoded: DecodedBatch;
  readonly bytes: Buffer | undefined;
}

/** Decodes agents' batches (decodeBatch): on worker threads when it has them, else on the caller's. */
export interface BatchDecoder {
  /** Takes the bytes over: read them from the answer (where needsBytes), not from the Buffer given. */
  decode(bytes: Buffer): Promise<Decoded>;
  /** Worker threads decoding now (0: the server's own thread). */
  readonly threads: number;
  /**
   * What checks signatures: on the calling thread node:crypto; on worker threads what each said
   * when it started (DecoderHello), each kind once (empty before any has said, or with no thread left).
   */
  readonly signatureChecks: readonly SignatureCheckBackend[];
  close(): Promise<void>;
}

/** What checks signatures where batches are decoded on the server's own thread (inThreadDecoder). */
export const IN_THREAD_SIGNATURE_CHECKS: readonly SignatureCheckBackend[] = ['node:crypto'];

/** Decodes on the calling thread, the signature checked on libuv's thread pool. */
export const inThreadDecoder = (): BatchDecoder => ({
  decode: async (bytes) => ({ decoded: await decodeBatch(bytes, (part, hostKey, signature) => verifyBytesAsync('ingest', part, hostKey, signature)), bytes }),
  threads: 0,
  signatureChecks: IN_THREAD_SIGNATURE_CHECKS,
  close: () => Promise.resolve(),
});

interface Pending {
  /** The batch's bytes, unless they moved to the worker (and come back with its answer). */
  readonly bytes: Buffer | undefined;
  readonly resolve: (decoded: Decoded) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Whether the worker has answered once: until then, bytes are copied to it (a script that fails to start takes none with it). */
  answered: boolean;
  /** What checks signatures on it, once it has said (DecoderHello). */
  signatureCheck: SignatureCheckBackend | undefined;
}

/** What a worker says first, before any answer: what checks signatures on it (ed25519Check). */
export interface DecoderHello {
  readonly signatureCheck: SignatureCheckBackend;
}

/** What a worker is sent: the batch's bytes, moved (their buffer transferred) or copied. */
export interface DecoderRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly moved: boolean;
}

/**
 * What a worker answers: the request's id and its batch decoded, or the error decoding it threw
 * (a bug); with the bytes when they were moved to it and the server needs them (needsBytes).
 */
export type DecoderReply = ({ readonly decoded: DecodedBatch } | { readonly error: string }) & { readonly id: number; readonly bytes?: Uint8Array | undefined };

/**
 * Whether a Buffer can move to another thread whole: it is the only view of its memory (a large
 * body as Fastify collects it; small ones are slices of a shared pool, and are copied).
 */
const movable = (bytes: Buffer): boolean => bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;

/**
 * Decodes on `threads` worker threads running `script` (the bundled decoder-worker), so that
 * parsing, checking and signature verification of batches use the machine's other cores while
 * the server's thread serves requests and writes to the database. Each batch goes to the worker
 * with the fewest waiting, its buffer moved rather than copied once the worker has answered (a
 * copy is made on both threads, for every batch, and is garbage on both). A worker that
 * fails (or a script that cannot start) is dropped, and the batches it held decoded on the
 * calling thread, but for those whose buffer had moved to it: they fail (a server error, which
 * agents retry; the batch stays in the agent's outbox). Batches after it go to the threads left,
 * or the calling thread.
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
    for (const p of slot.pending.values()) {
      if (p.bytes) fallback.decode(p.bytes).then(p.resolve, p.reject);
      else p.reject(new Error(`ingest decoder: the thread holding this batch stopped (${why})`));
    }
    slot.pending.clear();
    void slot.worker.terminate();
  };

  for (let i = 0; i < threads; i++) {
    const worker = new Worker(script);
    const slot: Slot = { worker, pending: new Map(), answered: false, signatureCheck: undefined };
    worker.on('message', (reply: DecoderReply | DecoderHello) => {
      slot.answered = true;
      if (!('id' in reply)) {
        slot.signatureCheck = reply.signatureCheck;
        return;
      }
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      if ('error' in reply) p.reject(new Error(`ingest decoder: ${reply.error}`));
      else p.resolve({ decoded: reply.decoded, bytes: p.bytes ?? (reply.bytes && Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength)) });
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
      const moved = chosen.answered && movable(bytes);
      return new Promise((resolve, reject) => {
        chosen.pending.set(id, { bytes: moved ? undefined : bytes, resolve, reject });
        const request: DecoderRequest = { id, bytes, moved };
        chosen.worker.postMessage(request, moved ? [bytes.buffer as ArrayBuffer] : []);
      });
    },
    get threads() {
      return slots.length;
    },
    get signatureChecks() {
      return [...new Set(slots.flatMap((s) => (s.signatureCheck ? [s.signatureCheck] : [])))];
    },
    async close() {
      closing = true;
      const workers = slots.map((s) => s.worker);
      for (const s of [...slots]) drop(s, 'closing');
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

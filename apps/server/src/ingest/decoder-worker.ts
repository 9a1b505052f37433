/**
 * The ingest decoder thread (see workerDecoder): decodes each batch it is sent and answers with
 * the result, the sample cells moved rather than copied. Bundled on its own as
 * apps/cli/dist/decoder-worker.js.
 */
import { parentPort } from 'node:worker_threads';
import { decodeBatchSync } from './decode.js';
import type { DecoderReply } from './decoder.js';

const port = parentPort;
if (!port) throw new Error('decoder-worker runs as a worker thread');
port.on('message', ({ id, bytes }: { id: number; bytes: Uint8Array }) => {
  decodeBatchSync(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).then(
    (decoded) => {
      const reply: DecoderReply = { id, decoded };
      port.postMessage(reply, decoded.kind === 'decoded' ? [decoded.columns.cells.buffer as ArrayBuffer] : []);
    },
    (error: Error) => {
      const reply: DecoderReply = { id, error: error.message };
      port.postMessage(reply);
    },
  );
});

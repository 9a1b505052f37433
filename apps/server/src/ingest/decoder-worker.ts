/**
 * The ingest decoder thread (see workerDecoder): decodes each batch it is sent and answers with
 * the result, the sample cells (and the batch's bytes, when they came moved and the server
 * reads them again) moved rather than copied. Bundled on its own as apps/cli/dist/decoder-worker.js.
 */
import { parentPort } from 'node:worker_threads';
import { decodeBatchSync, decoderCheck, needsBytes } from './decode.js';
import type { DecoderHello, DecoderReply, DecoderRequest } from './decoder.js';

const port = parentPort;
if (!port) throw new Error('decoder-worker runs as a worker thread');
// First, what checks signatures here: the server says so when it starts.
const hello: DecoderHello = { signatureCheck: decoderCheck().backend };
port.postMessage(hello);
port.on('message', ({ id, bytes, moved }: DecoderRequest) => {
  decodeBatchSync(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).then(
    (decoded) => {
      // Moved bytes go back only where the server reads them again.
      const back = moved && needsBytes(decoded);
      const reply: DecoderReply = { id, decoded, bytes: back ? bytes : undefined };
      port.postMessage(reply, [...(decoded.kind === 'decoded' ? [decoded.columns.cells.buffer as ArrayBuffer] : []), ...(back ? [bytes.buffer as ArrayBuffer] : [])]);
    },
    (error: Error) => {
      const reply: DecoderReply = { id, error: error.message };
      port.postMessage(reply);
    },
  );
});

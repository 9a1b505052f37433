/**
 * The ingest writer's thread (see startSqliteWriter): a connection of its own to the server's
 * SQLite file, storing each group of batches it is sent in one transaction and answering with
 * their claims. Bundled on its own as apps/cli/dist/sqlite-writer-worker.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { directOn, openSqliteFile } from './sqlite-file.js';
import { sqliteBatchStoreOn, type SampleBatchStore } from '../repos/sqlite-batches.js';
import type { WriterReply, WriterRequest, WriterThreadData } from './sqlite-writer.js';

const port = parentPort;
if (!port) throw new Error('sqlite-writer-worker runs as a worker thread');
const { path, pragmas } = workerData as WriterThreadData;
const sqlite = openSqliteFile(path, 'normal', pragmas);
// Its statements prepared at the first group: the server migrates the database after opening it.
let store: SampleBatchStore | undefined;
port.on('message', (message: WriterRequest | 'stop') => {
  if (message === 'stop') {
    sqlite.close();
    port.close();
    return;
  }
  const { id, batches } = message;
  (store ??= sqliteBatchStoreOn(directOn(sqlite)))(batches).then(
    (claims) => port.postMessage({ id, claims } satisfies WriterReply),
    (error: Error & { code?: unknown }) => port.postMessage({ id, error: error.message, code: typeof error.code === 'string' ? error.code : undefined } satisfies WriterReply),
  );
});

// Starts a TypeScript worker: registers tsx in this thread, then loads the module named in workerData.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.module);

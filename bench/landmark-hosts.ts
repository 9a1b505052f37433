/** Worker for bench/landmark.ts: runs many hosts on another core, answering one landmark. */
import { parentPort, workerData } from 'node:worker_threads';
import { generateSigningKey } from '@locus/protocol';
import { startResponder, type Responder } from '@locus/responder';

const { url, count } = workerData as { url: string; count: number };
const responders: Responder[] = [];
for (let i = 0; i < count; i++) {
  responders.push(startResponder({ url, key: generateSigningKey(), backoff: { initialMs: 100, maxMs: 1_000 }, maxChallengesPerS: Infinity }));
  if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
}
parentPort!.postMessage({ started: count });
parentPort!.on('message', async (m: string) => {
  if (m !== 'stop') return;
  await Promise.all(responders.map((r) => r.close()));
  parentPort!.postMessage({ stopped: true });
});

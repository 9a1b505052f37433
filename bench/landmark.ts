/**
 * Landmark benchmarks, on loopback:
 *  1. timing overhead: the full Locus path (WebSocket, JSON, Ed25519 signing on the host)
 *     against a raw UDP echo measured in the same run;
 *  2. signing and verification time of a challenge answer;
 *  3. measurements per second one landmark sustains with 1,000 connected hosts (hosts run in a
 *     worker thread, so on another core).
 *
 *   npm run bench:landmark [-- --rounds 300 --hosts 1000 --seconds 10] [--quick]
 *
 * --quick: 100 rounds, 200 hosts for 3 s, unless given.
 */
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { startLandmarkServer } from '@locus/landmark';
import { generateSigningKey, signChallenge, toBase64url, verifyChallengeResponse, type SignedMeasurement } from '@locus/protocol';
import { startResponder } from '@locus/responder';
import { randomBytes } from 'node:crypto';
import { figure, printFigures } from './figures.js';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, hosts: { type: 'string' }, seconds: { type: 'string' }, quick: { type: 'boolean', default: false } } });
const rounds = Number(values.rounds ?? (values.quick ? 100 : 300));
const hostCount = Number(values.hosts ?? (values.quick ? 200 : 1000));
const seconds = Number(values.seconds ?? (values.quick ? 3 : 10));

const quantile = (xs: number[], q: number): number => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

async function udpEcho(n: number): Promise<number[]> {
  const server = createSocket('udp4');
  server.on('message', (msg, rinfo) => server.send(msg, rinfo.port, rinfo.address));
  await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  const rtts: number[] = [];
  for (let i = 0; i < n; i++) {
    const payload = randomBytes(32);
    const sent = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      client.once('message', () => {
        rtts.push(Number(process.hrtime.bigint() - sent) / 1e6);
        resolve();
      });
      client.send(payload, port, '127.0.0.1');
    });
    await new Promise((r) => setTimeout(r, 1 + Math.random() * 2));
  }
  client.close();
  server.close();
  return rtts;
}

async function locusRounds(n: number): Promise<SignedMeasurement> {
  const key = generateSigningKey();
  let resolve: (m: SignedMeasurement) => void = () => {};
  const done = new Promise<SignedMeasurement>((r) => (resolve = r));
  const server = await startLandmarkServer({
    info: { id: 'bench', name: 'bench', country: 'DE', lat: 50, lon: 8, publicKey: key.publicKey },
    key: key.privateKey,
    config: { rounds: n, roundGapMs: { min: 1, max: 3 }, firstMeasureAfterMs: 50, measureEveryMs: 3_600_000 },
    onMeasurement: (m) => resolve(m),
  });
  // Rounds 1-3 ms apart: past the 50 a second a host answers from a landmark in production.
  const responder = startResponder({ url: server.url, key: generateSigningKey(), maxChallengesPerS: Infinity });
  const m = await done;
  await responder.close();
  await server.close();
  return m;
}

async function throughput(hosts: number, forSeconds: number): Promise<{ perSecond: number; rounds: number; connected: number }> {
  const key = generateSigningKey();
  let count = 0;
  const server = await startLandmarkServer({
    info: { id: 'bench', name: 'bench', country: 'DE', lat: 50, lon: 8, publicKey: key.publicKey },
    key: key.privateKey,
    // Measure every host back to back: 10 rounds each, as in production, no pause between measurements.
    config: { rounds: 10, roundGapMs: { min: 0, max: 1 }, firstMeasureAfterMs: 1_000, measureEveryMs: 1, maxConnections: hosts + 10 },
    onMeasurement: () => count++,
  });
  const worker = new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { module: new URL('./landmark-hosts.ts', import.meta.url).href, url: server.url, count: hosts } });
  await new Promise((r) => worker.once('message', r));
  const start = performance.now() + 3_000;
  while (performance.now() < start) await new Promise((r) => setTimeout(r, 100));
  const before = count;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, forSeconds * 1000));
  const perSecond = ((count - before) * 1000) / (performance.now() - t0);
  const connected = server.hosts().length;
  worker.postMessage('stop');
  await new Promise((r) => worker.once('message', r));
  await worker.terminate();
  await server.close();
  return { perSecond, rounds: perSecond * 10, connected };
}

console.log(`landmark benchmark on loopback (${rounds} rounds each for timing; ${hostCount} hosts for throughput)\n`);
const udp = await udpEcho(rounds);
const locus = await locusRounds(rounds);
const udpMin = Math.min(...udp);
const udpMedian = quantile(udp, 0.5);
const lm = locus.measurement;
console.log('timing path            min RTT     median RTT');
console.log(`raw UDP echo           ${udpMin.toFixed(3)} ms    ${udpMedian.toFixed(3)} ms`);
console.log(`Locus (ws+json+sign)   ${lm.minRttMs.toFixed(3)} ms    ${lm.medianRttMs.toFixed(3)} ms`);
console.log(`added by Locus         ${(lm.minRttMs - udpMin).toFixed(3)} ms    ${(lm.medianRttMs - udpMedian).toFixed(3)} ms   (median ratio ${(lm.medianRttMs / udpMedian).toFixed(2)}x)\n`);

const host = generateSigningKey();
const nonces = Array.from({ length: 2000 }, () => toBase64url(randomBytes(32)));
for (const n of nonces.slice(0, 200)) signChallenge(n, host.publicKey, host.privateKey);
let t = performance.now();
const sigs = nonces.map((n) => signChallenge(n, host.publicKey, host.privateKey));
const signUs = ((performance.now() - t) * 1000) / nonces.length;
t = performance.now();
nonces.forEach((n, i) => verifyChallengeResponse(n, host.publicKey, sigs[i]!));
const verifyUs = ((performance.now() - t) * 1000) / nonces.length;
console.log(`signing a challenge answer: ${signUs.toFixed(1)} µs; verifying it: ${verifyUs.toFixed(1)} µs (mean of ${nonces.length})\n`);

const tp = await throughput(hostCount, seconds);
console.log(`throughput: ${tp.connected} hosts connected; ${tp.perSecond.toFixed(0)} measurements/s (${tp.rounds.toFixed(0)} timed rounds/s), measured over ${seconds} s`);
printFigures({
  minRttMs: figure(lm.minRttMs, 'ms', { label: 'raw UDP echo', value: udpMin }),
  medianRttMs: figure(lm.medianRttMs, 'ms', { label: 'raw UDP echo', value: udpMedian }),
  signUs: figure(signUs, 'µs'),
  verifyUs: figure(verifyUs, 'µs'),
  hostsConnected: figure(tp.connected, 'hosts'),
  measurementsPerS: figure(tp.perSecond, 'measurements/s'),
});

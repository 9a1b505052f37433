import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollAgent, httpPost, loadOrCreateKey, startAgent, type Poster, type RunningAgent } from '@locus/agent';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { startDelivery, type DeliveryEvent } from '@locus/landmark';
import { PROTOCOL_VERSIONS, signBody, signMeasurement, wireText, type IngestBatch, type SignedMeasurement } from '@locus/protocol';
import { startServer, type RunningServer } from '@locus/server';
import { landmarkAt, signedMeasurement } from './support/measurements.js';

/**
 * An agent and a landmark newer than their server: the real server refuses what they send as of
 * a protocol version it does not read, they hold it (nothing dropped), and once what they send is
 * of a version the server reads (the server upgraded: here, the same senders writing the version
 * it reads) everything they held is delivered. The newer version is made by signing again, with
 * the sender's own key, what the sender wrote, with its `v` raised.
 */
const TOKEN = 'locus_skew-e2e';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const NEWER = Math.max(...PROTOCOL_VERSIONS) + 1;
const dirs: string[] = [];
let server: RunningServer;
let agent: RunningAgent | undefined;
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir: tempDir('locus-skew-srv-'), adminToken: TOKEN, world: naturalEarthWorld() });
});
afterAll(async () => {
  await agent?.stop();
  await server?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const api = async <T>(path: string, init: { method?: string; body?: string } = {}): Promise<T> => (await (await fetch(`${server.url}/api/v1/${path}`, { ...init, headers: auth })).json()) as T;

describe('an agent and a landmark newer than their server', () => {
  it('hold what the server refuses as of another protocol version, and deliver all of it once the server reads it', async () => {
    const stateDir = tempDir('locus-skew-agent-');
    const { token } = await api<{ token: string }>('enrollment-tokens', { method: 'POST', body: '{}' });
    const enrollment = await enrollAgent({ server: server.url, token, stateDir, simulate: '2xH100', claimedCountry: 'DE', now: new Date() });
    const key = loadOrCreateKey(stateDir);
    let newer = true;
    const refusedBatches = new Set<string>();
    const poster: Poster = async (url, init) => {
      if (!newer) return httpPost(url, init);
      const { signature: _, ...batch } = JSON.parse(init.body) as IngestBatch;
      refusedBatches.add(batch.batchId);
      return httpPost(url, { ...init, body: wireText(signBody('ingest', { ...batch, v: NEWER } as never, key.privateKey)) });
    };
    agent = await startAgent({ stateDir, enrollment, key, simulate: '2xH100', intervalMs: 40, sendEvery: 1, fetch: poster, backoff: { initialMs: 20, maxMs: 300 } });

    await until(async () => (await agent!.outbox.deliveryStatus()).held !== null, 'deliveries to be held');
    await until(async () => (await agent!.outbox.size()).samples >= 5, 'samples to queue while held');
    // The server keeps the refusal on the node, and stores nothing of it.
    type Detail = { lastReportAt: string | null; refused: boolean; lastRefusal: { code: string; message: string } | null };
    const refused = await api<Detail>(`nodes/${enrollment.nodeId}`);
    expect(refused).toMatchObject({ lastReportAt: null, refused: true, lastRefusal: { code: 'LOCUS_ERR_PROTO_VERSION', message: expect.stringContaining(`protocol version ${NEWER}`) } });
    const samples = async () => (await api<{ samples: { at: string }[] }>(`nodes/${enrollment.nodeId}/samples?limit=10000`)).samples;
    expect(await samples()).toEqual([]);
    // One batch, the head of the queue, sent again and again; nothing dropped.
    expect(refusedBatches.size).toBe(1);
    expect((await agent.outbox.deliveryStatus()).lastRefusal).toBeNull();

    const heldSamples = (await agent.outbox.size()).samples;
    newer = false;
    await until(async () => (await agent!.outbox.deliveryStatus()).held === null, 'the hold to end');
    await until(async () => (await agent!.outbox.size()).samples === 0, 'the held queue to drain');
    const stored = await samples();
    // Two GPUs a sample: every sample held is stored, once each.
    expect(stored.length / 2).toBeGreaterThanOrEqual(heldSamples);
    expect(new Set(stored.map((s) => JSON.stringify(s))).size).toBe(stored.length);
    expect(await api<Detail>(`nodes/${enrollment.nodeId}`)).toMatchObject({ refused: false, lastReportAt: expect.any(String) });
    await agent.stop();
    agent = undefined;

    // A landmark: its measurements of that host, delivered while the server refuses their version.
    const fra = landmarkAt('fra-skew', 'DE', 50.1109, 8.6821);
    expect((await fetch(`${server.url}/api/v1/landmarks`, { method: 'POST', headers: auth, body: JSON.stringify(fra.info) })).status).toBe(201);
    const events: DeliveryEvent[] = [];
    let landmarkNewer = true;
    const raised = (signed: SignedMeasurement) => signMeasurement({ ...signed.measurement, v: NEWER } as never, fra.key.privateKey);
    const delivery = startDelivery({
      server: server.url,
      backoff: { initialMs: 20, maxMs: 300 },
      onEvent: (e) => events.push(e),
      fetch: async (url, init) => {
        if (!landmarkNewer) return fetch(url, init);
        const { measurements } = JSON.parse(init!.body as string) as { measurements: SignedMeasurement[] };
        return fetch(url, { ...init, body: JSON.stringify({ measurements: measurements.map(raised) }) });
      },
    });
    try {
      delivery.enqueue(signedMeasurement(fra, key.publicKey, { lat: 50.1, lon: 8.7 }, new Date()));
      await until(() => events.some((e) => e.kind === 'held'), 'the landmark to hold');
      delivery.enqueue(signedMeasurement(fra, key.publicKey, { lat: 50.1, lon: 8.7 }, new Date()));
      expect(events.find((e) => e.kind === 'held')).toMatchObject({ why: expect.stringMatching(new RegExp(`^LOCUS_ERR_PROTO_VERSION: the body is of protocol version ${NEWER}; `)) });
      landmarkNewer = false;
      await until(() => delivery.pending() === 0, 'the landmark to deliver');
      expect(events.filter((e) => e.kind === 'delivered').reduce((n, e) => n + (e as { count: number }).count, 0)).toBe(2);
      expect(events.filter((e) => e.kind === 'rejected' || e.kind === 'dropped' || e.kind === 'refused')).toEqual([]);
    } finally {
      delivery.close();
    }
  });
});

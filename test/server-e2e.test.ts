import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { degrees, type LatLon } from '@locus/geo';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { startDelivery, startLandmarkServer, type Delivery, type LandmarkServer } from '@locus/landmark';
import { linkDelayBetween, startDelayProxy, type DelayProxy } from '@locus/netem';
import { generateSigningKey } from '@locus/protocol';
import { startResponder, type Responder } from '@locus/responder';
import { startServer, type RunningServer } from '@locus/server';
import { runLocus } from '../apps/cli/src/test-support.js';

/** Landmarks deliver to a real server over HTTP; the server's proof verifies with the CLI. */
const place = (lat: number, lon: number): LatLon => ({ lat: degrees(lat), lon: degrees(lon) });
const LANDMARKS: [string, string, LatLon][] = [
  ['fra-1', 'DE', place(50.1109, 8.6821)],
  ['lon-1', 'GB', place(51.5074, -0.1278)],
  ['ash-1', 'US', place(39.0438, -77.4874)],
  ['sin-1', 'SG', place(1.3521, 103.8198)],
];
const FRANKFURT_HOST = place(50.0956, 8.7761);
const TOKEN = 'locus_e2e-admin-token';
const auth = { authorization: `Bearer ${TOKEN}` };

let server: RunningServer;
const landmarks: LandmarkServer[] = [];
const deliveries: Delivery[] = [];
const proxies: DelayProxy[] = [];
let responders: Responder[] = [];
const host = generateSigningKey();

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locus-server-'));
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir: dir, adminToken: TOKEN, world: naturalEarthWorld() });
  for (const [id, country, at] of LANDMARKS) {
    const key = generateSigningKey();
    const info = { id, name: id, country, lat: at.lat, lon: at.lon, publicKey: key.publicKey };
    const res = await fetch(`${server.url}/api/v1/landmarks`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(info) });
    expect(res.status).toBe(201);
    const delivery = startDelivery({ server: server.url, backoff: { initialMs: 50, maxMs: 200 } });
    deliveries.push(delivery);
    const lm = await startLandmarkServer({ info, key: key.privateKey, config: { rounds: 4, roundGapMs: { min: 1, max: 3 }, firstMeasureAfterMs: 20 }, onMeasurement: (m) => delivery.enqueue(m) });
    landmarks.push(lm);
    const proxy = await startDelayProxy({ target: { host: '127.0.0.1', port: lm.port }, link: linkDelayBetween(at, FRANKFURT_HOST) });
    proxies.push(proxy);
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(responders.map((r) => r.close()));
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(landmarks.map((l) => l.close()));
  deliveries.forEach((d) => d.close());
  await server.close();
});

describe('landmarks → server → proof', () => {
  it('gives an enrolled host in Frankfurt a verdict whose proof `locus proof verify` accepts', async () => {
    const enrolled = await fetch(`${server.url}/api/v1/nodes`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'fra-gpu-01', hostKey: host.publicKey, claimedCountry: 'DE' }) });
    const node = (await enrolled.json()) as { id: string };
    responders = proxies.map((p) => startResponder({ url: `ws://127.0.0.1:${p.port}/v1/timing`, key: host }));
    let verdict: { measurements: number; verdict: { restricted: string; claim: string } } | undefined;
    const end = performance.now() + 30_000;
    while (performance.now() < end) {
      verdict = (await (await fetch(`${server.url}/api/v1/nodes/${node.id}/verdict`, { headers: auth })).json()) as typeof verdict;
      if (verdict!.measurements === LANDMARKS.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(verdict).toMatchObject({ measurements: 4, verdict: { restricted: 'excluded' } });
    expect(verdict!.verdict.claim).not.toBe('contradicted');

    const proof = await (await fetch(`${server.url}/api/v1/nodes/${node.id}/proof`, { headers: auth })).text();
    const trusted = await (await fetch(`${server.url}/api/v1/landmarks`, { headers: auth })).text();
    const dir = mkdtempSync(join(tmpdir(), 'locus-proof-'));
    writeFileSync(join(dir, 'proof.json'), proof);
    writeFileSync(join(dir, 'trusted.json'), trusted);
    const verified = await runLocus(['proof', 'verify', join(dir, 'proof.json'), '--trust', join(dir, 'trusted.json')]);
    expect(verified.stdout).toMatch(/^proof holds: host \S+ claims DE/);
    expect(verified.code).toBe(0);
  });
});

import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSimulator, parseFault, saveSimulator, type Fault } from '@locus/agent';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { runLocus } from '../apps/cli/src/test-support.js';
import { startLiveWorld, type LiveWorld } from '../apps/cli/src/world/world.js';

/**
 * The whole fleet on loopback: landmarks at real places behind emulated links, simulated GPU
 * hosts that enroll into zones and report, the server's zone verdicts, an alert that fires and
 * resolves as a GPU is lost and found, its webhooks checked by HMAC, and a signed CSV report that
 * `locus report verify` accepts.
 */
const TOKEN = 'locus_fleet-e2e';
const auth = { authorization: `Bearer ${TOKEN}` };
let world: LiveWorld;
let dataDir: string;
let receiver: Server;
const received: { body: string; signature: string; event: string; delivery: string }[] = [];

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${world.server.url}${path}`, { method, headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 45_000): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ body, signature: String(req.headers['x-locus-signature']), event: String(req.headers['x-locus-event']), delivery: String(req.headers['x-locus-delivery']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  dataDir = mkdtempSync(join(tmpdir(), 'locus-fleet-'));
  world = await startLiveWorld({ dataDir, host: '127.0.0.1', port: 0, adminToken: TOKEN, world: naturalEarthWorld(), log: () => undefined, measureEveryMs: 2_000, agentIntervalMs: 300 });
}, 60_000);

afterAll(async () => {
  await world?.stop();
  await new Promise((r) => receiver.close(r));
});

type Zone = { name: string; members: number; restricted: string | null };
type Alert = { id: string; kind: string; nodeId: string; state: string; summary: string };

describe('a fleet on loopback', () => {
  it('gives zones their verdicts, fires and resolves an alert with signed webhooks, and signs a report that verifies', async () => {
    // Zones: every Frankfurt host excluded; the Singapore zone, where a smuggler in Shenzhen pads its delays, is not.
    const smuggler = world.hosts.find((h) => h.host.name === 'sin-h100-07')!;
    const verdict = await until('the smuggler to be measured by most landmarks', async () => {
      const v = await api<{ measurements: number; verdict: { restricted: string } }>('GET', `/api/v1/nodes/${smuggler.nodeId}/verdict`);
      return v.measurements >= 5 ? v : undefined;
    });
    expect(verdict.verdict.restricted).not.toBe('excluded');
    const zones = await until('the Frankfurt zone to be excluded', async () => {
      const z = (await api<{ zones: Zone[] }>('GET', '/api/v1/zones')).zones;
      return z.find((x) => x.name.startsWith('eu-central'))?.restricted === 'excluded' ? z : undefined;
    });
    expect(zones.find((z) => z.name.startsWith('ap-southeast'))).toMatchObject({ members: 2, restricted: expect.not.stringMatching(/^excluded$/) });

    // A webhook, then a GPU that stops answering on an honest host, then comes back.
    const hook = await api<{ id: string; secret: string }>('POST', '/api/v1/webhooks', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/locus` });
    const host = world.hosts.find((h) => h.host.name === 'fra-b200-02')!;
    const stateDir = join(dataDir, 'agents', host.host.name);
    const { state } = loadSimulator(stateDir, host.host.gpus);
    saveSimulator(stateDir, { ...state, faults: [parseFault(['lost', 'gpu=4'], 8, new Date()) as Fault] });
    const fired = await until('a gpu-health alert for the lost GPU', async () =>
      (await api<{ alerts: Alert[] }>('GET', '/api/v1/alerts?state=firing')).alerts.find((a) => a.kind === 'gpu-health' && a.nodeId === host.nodeId),
    );
    expect(fired.summary).toMatch(/^fra-b200-02: GPU \S+ gpu-count: GPU 4 .* no longer answers/);
    saveSimulator(stateDir, { ...state, faults: [] });
    await until('the alert to resolve', async () => ((await api<{ alerts: Alert[] }>('GET', '/api/v1/alerts?state=resolved')).alerts.some((a) => a.id === fired.id) ? true : undefined));

    const deliveries = await until('both webhook deliveries', async () => {
      const mine = received.filter((r) => (JSON.parse(r.body) as { alert: { id: string } }).alert.id === fired.id);
      return mine.length >= 2 ? mine : undefined;
    });
    expect(deliveries.map((d) => d.event)).toEqual(['fired', 'resolved']);
    for (const d of deliveries) {
      const expected = Buffer.from(`sha256=${createHmac('sha256', hook.secret).update(d.body).digest('hex')}`);
      expect(timingSafeEqual(Buffer.from(d.signature), expected)).toBe(true);
      expect(JSON.parse(d.body)).toMatchObject({ event: d.event, alert: { id: fired.id, kind: 'gpu-health', nodeId: host.nodeId } });
    }

    // A signed CSV report that the CLI verifies against the server's published key.
    const report = await api<{ file: string; signature: string }>('POST', '/api/v1/reports', { format: 'csv' });
    const dir = mkdtempSync(join(tmpdir(), 'locus-report-'));
    const file = Buffer.from(await (await fetch(`${world.server.url}${report.file}`, { headers: auth })).arrayBuffer());
    writeFileSync(join(dir, 'fleet.csv'), file);
    writeFileSync(join(dir, 'fleet.csv.sig'), await (await fetch(`${world.server.url}${report.signature}`, { headers: auth })).text());
    expect(file.toString('utf8').split('\n').filter((l) => l.includes('fra-b200-02'))).toHaveLength(8);
    const verified = await runLocus(['report', 'verify', join(dir, 'fleet.csv'), join(dir, 'fleet.csv.sig'), '--server', world.server.url]);
    expect(verified.stdout).toMatch(/^report verifies: /);
    expect(verified.code).toBe(0);
    writeFileSync(join(dir, 'fleet.csv'), Buffer.concat([file, Buffer.from('x,y\n')]));
    expect((await runLocus(['report', 'verify', join(dir, 'fleet.csv'), join(dir, 'fleet.csv.sig'), '--server', world.server.url])).code).toBe(1);
  }, 120_000);
});

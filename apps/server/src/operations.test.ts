import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openStorage, type Storage } from '@locus/storage';
import { PROTOCOL_VERSION, generateSigningKey, signBody } from '@locus/protocol';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { DEFAULT_SERVER_CONFIG } from './config.js';
import { reposOf } from './repos.js';
import { enrollAgent, gpuReadings, landmark, measurementOf, testServer, TestClock, world, type TestServer } from './test-support.js';
import { sampleValue } from '../../../test/support/prometheus.js';

let s: TestServer | undefined;
let app: FastifyInstance | undefined;
let storage: Storage | undefined;
afterEach(async () => {
  await s?.close();
  await app?.close();
  await storage?.close();
  s = app = storage = undefined;
});

const series = sampleValue;

describe('/metrics', () => {
  it('exposes request, ingest and process metrics in the Prometheus text format, without org labels', async () => {
    s = await testServer();
    const owner = await s.tokenFor('org-a', 'owner');
    const agent = await enrollAgent(s, owner, { name: 'gpu-01', gpus: [{ uuid: 'GPU-a', serial: '1' }, { uuid: 'GPU-b', serial: '2' }] });
    const at = s.clock.now().toISOString();
    const batch = signBody('ingest', { v: PROTOCOL_VERSION, batchId: randomUUID(), hostKey: agent.key.publicKey, sentAt: at, samples: [{ at, gpus: [gpuReadings('GPU-a'), gpuReadings('GPU-b')] }], events: [] } as never, agent.key.privateKey);
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/ingest', payload: batch })).statusCode).toBe(200);
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/ingest', payload: batch })).json()).toMatchObject({ duplicate: true });
    const xid = { kind: 'xid', id: randomUUID(), at, gpu: 'GPU-a', pciBusId: '0000:10:00', xid: 79, message: 'GPU has fallen off the bus.' };
    const withEvent = signBody('ingest', { v: PROTOCOL_VERSION, batchId: randomUUID(), hostKey: agent.key.publicKey, sentAt: at, samples: [], events: [xid] } as never, agent.key.privateKey);
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/ingest', payload: withEvent })).statusCode).toBe(200);
    await s.app.inject({ method: 'GET', url: '/api/v1/nodes/nope', headers: owner });

    const res = await s.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(series(text, 'locus_ingest_batches_total', { result: 'stored' })).toBe(2);
    expect(series(text, 'locus_ingest_batches_total', { result: 'duplicate' })).toBe(1);
    // Results and outcomes not seen yet are there at 0, so that increase() counts their first.
    expect(series(text, 'locus_ingest_batches_total', { result: 'overloaded' })).toBe(0);
    expect(series(text, 'locus_webhook_attempts_total', { outcome: 'failed' })).toBe(0);
    expect(series(text, 'locus_measurements_total', { result: 'rejected' })).toBe(0);
    expect(series(text, 'locus_ingest_gpu_samples_total')).toBe(2);
    // Each batch its own transaction here (sent one after another): samples alone by the batch store, the event by the repositories.
    expect(series(text, 'locus_ingest_transaction_seconds_count', { path: 'batch-store' })).toBe(2);
    expect(series(text, 'locus_ingest_transaction_seconds_count', { path: 'repositories' })).toBe(1);
    expect(series(text, 'locus_ingest_transaction_batches_sum')).toBe(3);
    expect(series(text, 'locus_ingest_transaction_batches_bucket', { le: '1' })).toBe(3);
    expect(series(text, 'locus_http_requests_total', { method: 'GET', route: '/api/v1/nodes/:id', status_code: '404' })).toBe(1);
    expect(series(text, 'locus_http_requests_total', { method: 'POST', route: '/api/v1/ingest', status_code: '200' })).toBe(3);
    expect(series(text, 'locus_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/ingest' })).toBe(3);
    expect(series(text, 'locus_build_info', { version: '0.1.0' })).toBe(1);
    expect(series(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(text).not.toMatch(/org-a|gpu-01|GPU-a/);
  });

  it("times each run of the background loop's tasks: a full alert sweep first and every alertSweepEveryMs, silence checks between", async () => {
    storage = await openStorage('sqlite::memory:');
    await migrateToLatest(storage);
    const clock = new TestClock();
    app = await buildApp({ storage, world, config: DEFAULT_SERVER_CONFIG, clock, backgroundEveryMs: 20 });
    const runs = async (task: string) => series((await app!.inject({ method: 'GET', url: '/metrics' })).body, 'locus_background_task_seconds_count', { task }) ?? 0;
    for (let i = 0; i < 250 && (await runs('silence-check')) < 3; i++) await new Promise((r) => setTimeout(r, 20));
    for (const task of ['silence-check', 'verdict-expiry', 'webhooks', 'retention']) expect(await runs(task)).toBeGreaterThanOrEqual(3);
    expect(await runs('alert-sweep')).toBe(1);
    clock.advance(DEFAULT_SERVER_CONFIG.alertSweepEveryMs);
    for (let i = 0; i < 250 && (await runs('alert-sweep')) < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await runs('alert-sweep')).toBe(2);
  });
});

describe('verdicts in the background loop', () => {
  it('are judged again once a measurement they rest on has left the window', async () => {
    storage = await openStorage('sqlite::memory:');
    await migrateToLatest(storage);
    const clock = new TestClock();
    const repos = reposOf(storage);
    const now = clock.now().getTime();
    await repos.orgs.ensure({ id: 'org-a', name: 'org-a', created_at: 0 });
    for (const id of ['lost', 'held']) await repos.nodes.create({ id, org_id: 'org-a', name: id, host_key: `key-${id}`, claimed_country: null, created_at: 0, last_measured_at: now - 7 * 3600_000, unenrolled_at: null, zone_id: null });
    await repos.verdicts.setExpiry('lost', now - 1);
    await repos.verdicts.setExpiry('held', now + 3600_000);
    // Three measurements of another host in one bucket, 8 hours ago: the retention task compacts them to one.
    const l = landmark('sin-ops', 'SG', 1.35, 103.82);
    await repos.landmarks.register(l.info, 0);
    const bucket = Math.floor((now - 8 * 3600_000) / 600_000) * 600_000;
    await repos.measurements.insertNew([1, 2, 3].map((i) => measurementOf(l, 'key-gone', { lat: 1.3, lon: 103.8 }, new Date(bucket + i * 60_000), i)), bucket + 200_000);
    app = await buildApp({ storage, world, config: DEFAULT_SERVER_CONFIG, clock, backgroundEveryMs: 20 });
    for (let i = 0; i < 250 && (await repos.verdicts.history('lost', 1)).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await repos.verdicts.history('lost', 1)).map((v) => [v.measurements, v.record.restricted])).toEqual([[0, 'possible']]);
    expect(await repos.verdicts.history('held', 1)).toEqual([]);
    // Judged on no measurement, it has nothing more to lose; the other waits for its time.
    expect((await repos.verdicts.expiring(now + 3600_000, 10)).map((n) => n.id)).toEqual(['held']);
    expect((await repos.alerts.firing('org-a')).map((a) => [a.node_id, a.kind])).toEqual([['lost', 'restricted']]);
    // None left due after the runs (the retention task, last in a run, has run too).
    const metrics = async () => (await app!.inject({ method: 'GET', url: '/metrics' })).body;
    // A run on a loaded machine may spend its compaction budget before the pass ends (behind > 0): the next run ends it.
    const settled = (text: string) => (series(text, 'locus_measurements_compacted_total') ?? 0) > 0 && series(text, 'locus_measurement_compaction_behind_seconds') === 0;
    for (let i = 0; i < 250 && !settled(await metrics()); i++) await new Promise((r) => setTimeout(r, 20));
    const text = await metrics();
    expect([series(text, 'locus_verdicts_due'), series(text, 'locus_verdicts_due_lag_seconds')]).toEqual([0, 0]);
    // The retention task ran (this server holds its lease): two compacted, nothing left to compact.
    expect([series(text, 'locus_measurements_compacted_total'), series(text, 'locus_measurement_compaction_behind_seconds')]).toEqual([2, 0]);
  });
});

describe('webhooks in the background loop', () => {
  it('do not hold up alert work while a receiver takes its time, and a server that stops does not wait for it', async () => {
    storage = await openStorage('sqlite::memory:');
    await migrateToLatest(storage);
    const clock = new TestClock();
    const repos = reposOf(storage);
    await repos.orgs.ensure({ id: 'org-a', name: 'org-a', created_at: 0 });
    await repos.alerts.addWebhook({ id: 'slow', org_id: 'org-a', url: 'http://slow.example/hook', secret: 's', created_at: 0, group_wait_ms: 0, min_severity: 'warning', kinds: null });
    const now = clock.now().getTime();
    await repos.alerts.enqueueDelivery({ id: 'd1', webhook_id: 'slow', alert_id: 'a', event: 'fired', body: '{}', status: 'pending', attempts: 0, next_attempt_at: now, last_status_code: null, last_error: null, created_at: now, delivered_at: null, last_attempt_at: null, changes: 1 });
    let attempts = 0;
    // Answers only when the attempt is given up (10 s, or the server stopping).
    const receiver: typeof fetch = (_url, init) => {
      attempts++;
      return new Promise((_, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason as Error)));
    };
    app = await buildApp({ storage, world, config: DEFAULT_SERVER_CONFIG, clock, backgroundEveryMs: 20, fetch: receiver });
    const runs = async (task: string) => series((await app!.inject({ method: 'GET', url: '/metrics' })).body, 'locus_background_task_seconds_count', { task }) ?? 0;
    for (let i = 0; i < 250 && (await runs('silence-check')) < 5; i++) await new Promise((r) => setTimeout(r, 20));
    // Alert work ran on while the one attempt waits: no dispatch has finished.
    expect(await runs('silence-check')).toBeGreaterThanOrEqual(5);
    expect(attempts).toBe(1);
    expect(await runs('webhooks')).toBe(0);
    await app.close();
    app = undefined;
    expect(await repos.alerts.deliveries('slow', 10)).toEqual([expect.objectContaining({ id: 'd1', status: 'pending', attempts: 1, last_error: 'the server stopped during the attempt' })]);
  });
});

describe("the servers' uptime", () => {
  it.each([
    ['after a break of 10 min, notes the servers up since its start before its first request, and its first sweep raises no silence that the break caused', 10 * 60_000, false],
    ['after another server noted 30 s ago, keeps the time they came up, and its first sweep raises the silence of a node quiet for 10 min', 30_000, true],
  ])('a server starting %s', async (_, lastNoteAgo, quietIsSilent) => {
    storage = await openStorage('sqlite::memory:');
    await migrateToLatest(storage);
    const clock = new TestClock();
    const now = clock.now().getTime();
    const repos = reposOf(storage);
    await repos.orgs.ensure({ id: 'org-a', name: 'org-a', created_at: 0 });
    for (const [name, heard] of [['gone', 30], ['quiet', 10]] as const) {
      await repos.nodes.create({ id: name, org_id: 'org-a', name, host_key: `key-${name}`, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
      await repos.telemetry.claimBatch(`b-${name}`, name, now - heard * 60_000);
    }
    // Servers were up for a day, until a note `lastNoteAgo`; one found `gone` silent then.
    await repos.uptime.beat('ingest', now - 86_400_000, 60_000);
    await storage.db.updateTable('service_uptime').set({ seen_at: now - lastNoteAgo }).execute();
    await repos.alerts.reconcile('org-a', 'node:gone|', [{ key: 'node:gone|node-silent', kind: 'node-silent', severity: 'warning', nodeId: 'gone', summary: 'gone: silent' }], now - lastNoteAgo, randomUUID);
    app = await buildApp({ storage, world, config: DEFAULT_SERVER_CONFIG, clock, backgroundEveryMs: 20 });
    const since = quietIsSilent ? now - 86_400_000 : now;
    expect(await repos.uptime.since('ingest')).toBe(since);
    const metrics = async () => (await app!.inject({ method: 'GET', url: '/metrics' })).body;
    expect(series(await metrics(), 'locus_servers_up_since_timestamp_seconds')).toBe(since / 1000);
    for (let i = 0; i < 250 && (series(await metrics(), 'locus_background_task_seconds_count', { task: 'silence-check' }) ?? 0) < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(series(await metrics(), 'locus_background_task_seconds_count', { task: 'alert-sweep' })).toBe(1);
    expect((await repos.alerts.firing('org-a')).map((a) => a.node_id).sort()).toEqual(quietIsSilent ? ['gone', 'quiet'] : ['gone']);
  });
});

describe('ingest under overload', () => {
  it('answers 429 with Retry-After while the in-flight limit is taken, before reading the body, and recovers', async () => {
    storage = await openStorage('sqlite::memory:');
    await migrateToLatest(storage);
    app = await buildApp({ storage, world, config: { ...DEFAULT_SERVER_CONFIG, ingestMaxInFlight: 1 }, clock: new TestClock() });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const port = Number(new URL(url).port);
    const inFlight = async () => series(await (await fetch(`${url}/metrics`)).text(), 'locus_ingest_in_flight');
    const waitFor = async (want: number) => {
      for (let i = 0; i < 200 && (await inFlight()) !== want; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await inFlight()).toBe(want);
    };
    const ingest = () => fetch(`${url}/api/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

    // A slow sender: the headers and half the body, then nothing.
    const slow = connect(port, '127.0.0.1');
    slow.on('error', () => undefined);
    await new Promise((r) => slow.once('connect', r));
    slow.write('POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"v":');
    await waitFor(1);

    const refused = await ingest();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(5);
    expect(await refused.json()).toMatchObject({ statusCode: 429, code: 'LOCUS_ERR_RATE_LIMITED' });

    slow.destroy();
    await waitFor(0);
    const accepted = await ingest();
    expect(accepted.status).toBe(400);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(series(text, 'locus_ingest_batches_total', { result: 'overloaded' })).toBe(1);
  });
});

describe('requests that never arrive in full', () => {
  it('answers a sender that stops halfway 408 once requestTimeoutMs has passed, giving back its ingest slot', async () => {
    storage = await openStorage('sqlite::memory:');
    await migrateToLatest(storage);
    app = await buildApp({ storage, world, config: { ...DEFAULT_SERVER_CONFIG, ingestMaxInFlight: 1, requestTimeoutMs: 400 }, clock: new TestClock() });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const slow = connect(Number(new URL(url).port), '127.0.0.1');
    slow.on('error', () => undefined);
    await new Promise((r) => slow.once('connect', r));
    let answer = '';
    slow.on('data', (d: Buffer) => (answer += d.toString()));
    const closed = new Promise((r) => slow.once('close', r));
    slow.write('POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"v":');
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"code":"LOCUS_ERR_REQUEST_TIMEOUT"');
    // The slot is free again: the next batch is read (and refused as malformed), not answered 429.
    const next = await fetch(`${url}/api/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(next.status).toBe(400);
  });
});

describe('measurement deliveries under overload', () => {
  it('answers 429 with Retry-After past its in-flight limit, so that no one without a landmark key has the server check signatures without bound', async () => {
    s = await testServer('sqlite::memory:', { measurementsMaxInFlight: 1 });
    const registered = landmark('fra-1', 'DE', 50.1109, 8.6821);
    await s.registerLandmarks([registered.info]);
    // Anyone can sign as "fra-1" with a key of their own: each signature is checked, and fails.
    const forger = landmark('fra-1', 'DE', 50.1109, 8.6821);
    const host = generateSigningKey().publicKey;
    const body = JSON.stringify({ measurements: Array.from({ length: 1_000 }, () => measurementOf(forger, host, { lat: 50.1, lon: 8.7 }, s!.clock.now())) });
    const url = await s.app.listen({ host: '127.0.0.1', port: 0 });
    const deliver = () => fetch(`${url}/api/v1/measurements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    // Four at once, until two overlap (each checks 1,000 signatures).
    let answers: Response[] = [];
    for (let i = 0; i < 20 && !answers.some((r) => r.status === 429); i++) answers = await Promise.all(Array.from({ length: 4 }, deliver));
    expect(answers.map((r) => r.status)).toContain(200);
    const refused = answers.find((r) => r.status === 429);
    expect(refused).toBeDefined();
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused!.json()).toMatchObject({ statusCode: 429, code: 'LOCUS_ERR_RATE_LIMITED' });
  });

  it('does not let senders that never finish their body hold that limit', async () => {
    storage = await openStorage('sqlite::memory:');
    await migrateToLatest(storage);
    app = await buildApp({ storage, world, config: { ...DEFAULT_SERVER_CONFIG, measurementsMaxInFlight: 1 }, clock: new TestClock() });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const slow = Array.from({ length: 3 }, () => connect(Number(new URL(url).port), '127.0.0.1'));
    try {
      for (const socket of slow) {
        socket.on('error', () => undefined);
        await new Promise((r) => socket.once('connect', r));
        socket.write('POST /api/v1/measurements HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"me');
      }
      await new Promise((r) => setTimeout(r, 50));
      const res = await fetch(`${url}/api/v1/measurements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(400);
    } finally {
      for (const socket of slow) socket.destroy();
    }
  });
});

import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, generateSigningKey, landmarkVersionOf, signMeasurement, type SignedMeasurement } from '@locus/protocol';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDelivery, type DeliveryEvent } from './delivery.js';
import { openSpool } from './spool.js';
import { until } from './test-support.js';
import { LANDMARK_VERSION } from './version.js';

const key = generateSigningKey();
const measurement = (i: number): SignedMeasurement =>
  signMeasurement(
    {
      v: PROTOCOL_VERSION,
      landmarkId: 'fra-1',
      landmarkAt: { lat: 50, lon: 8 },
      hostKey: key.publicKey,
      noncesHash: 'A'.repeat(43),
      rounds: 10,
      minRttMs: i,
      medianRttMs: i,
      measuredAt: '2026-11-29T03:00:00.000Z',
    },
    key.privateKey,
  );

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** A stand-in server answering with the given statuses in turn (then 200, with `okBody`; any other with `refusal`), recording what it got. */
async function fakeServer(statuses: number[], okBody = '{}', refusal = '{"code":"nope"}') {
  const received: { auth: string | undefined; agent: string | undefined; body: { measurements: SignedMeasurement[] } }[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200) received.push({ auth: req.headers.authorization, agent: req.headers['user-agent'], body: JSON.parse(body) as { measurements: SignedMeasurement[] } });
      res.writeHead(status).end(status === 200 ? okBody : refusal);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, received };
}

/** A stand-in server that hands `answer` the minimum RTTs of each delivery's measurements, in order; its URL. */
async function answering(answer: (rtts: number[], res: ServerResponse) => void): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => answer((JSON.parse(body) as { measurements: SignedMeasurement[] }).measurements.map((m) => m.measurement.minRttMs), res));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const fast = { initialMs: 5, maxMs: 20 };

describe('measurement delivery', () => {
  it('sends batches to /api/v1/measurements with the bearer token, naming the landmark version the server shows', async () => {
    const { url, received } = await fakeServer([]);
    const d = startDelivery({ server: url, token: 't0k', batchSize: 2, backoff: fast });
    for (let i = 0; i < 5; i++) d.enqueue(measurement(i));
    await until(() => d.pending() === 0);
    expect(received.flatMap((r) => r.body.measurements.map((m) => m.measurement.minRttMs))).toEqual([0, 1, 2, 3, 4]);
    expect(received.every((r) => r.auth === 'Bearer t0k')).toBe(true);
    expect(received.map((r) => landmarkVersionOf(r.agent))).toEqual([LANDMARK_VERSION, LANDMARK_VERSION, LANDMARK_VERSION]);
    d.close();
  });

  it('retries after 503 and 429 and loses nothing', async () => {
    const { url, received } = await fakeServer([503, 429, 503]);
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: url, backoff: fast, onEvent: (e) => events.push(e) });
    d.enqueue(measurement(1));
    d.enqueue(measurement(2));
    await until(() => d.pending() === 0);
    expect(received.flatMap((r) => r.body.measurements)).toHaveLength(2);
    expect(events.filter((e) => e.kind === 'retrying')).toHaveLength(3);
    d.close();
  });

  it('holds everything while the server does not read its protocol version, and delivers it all once one does', async () => {
    const refusal = JSON.stringify({ statusCode: 400, code: 'LOCUS_ERR_PROTO_VERSION', error: 'Bad Request', message: 'the body is of protocol version 1; this server reads version 2: upgrade the server', versions: [2] });
    let refusals = 3;
    const received: number[] = [];
    let requests = 0;
    const url = await answering((rtts, res) => {
      requests++;
      if (refusals-- > 0) return res.writeHead(400, { 'content-type': 'application/json' }).end(refusal);
      received.push(...rtts);
      res.writeHead(200).end('{}');
    });
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: url, batchSize: 2, backoff: { initialMs: 1, maxMs: 300 }, onEvent: (e) => events.push(e) });
    d.enqueue(measurement(0));
    await until(() => events.some((e) => e.kind === 'held'));
    // Measurements signed meanwhile wait for the next try: no request of their own.
    for (let i = 1; i < 5; i++) d.enqueue(measurement(i));
    expect(requests).toBe(1);
    await until(() => d.pending() === 0);
    expect(received).toEqual([0, 1, 2, 3, 4]);
    const held = events.filter((e) => e.kind === 'held');
    expect(held).toHaveLength(3);
    expect(held[0]).toEqual({ kind: 'held', cause: 'version', queued: 1, inMs: expect.any(Number), why: 'LOCUS_ERR_PROTO_VERSION: the body is of protocol version 1; this server reads version 2: upgrade the server' });
    for (const e of held) expect((e as { inMs: number }).inMs).toBeGreaterThanOrEqual(150);
    expect(events.filter((e) => e.kind === 'rejected' || e.kind === 'dropped')).toEqual([]);
    d.close();
  });

  it('retries while the server is unreachable', async () => {
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: 'http://127.0.0.1:9', backoff: fast, onEvent: (e) => events.push(e) });
    d.enqueue(measurement(1));
    await until(() => events.filter((e) => e.kind === 'retrying').length >= 2);
    expect(d.pending()).toBe(1);
    d.close();
    expect(events.at(-1)).toMatchObject({ kind: 'dropped', count: 1, why: expect.stringMatching(/stopping/) });
  });

  it('says why the server cannot be reached, not only that fetch failed', async () => {
    const { url } = await fakeServer([]);
    await new Promise((r) => server!.close(r));
    server = undefined;
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: url, backoff: { initialMs: 10_000, maxMs: 10_000 }, onEvent: (e) => events.push(e) });
    d.enqueue(measurement(1));
    await until(() => events.some((e) => e.kind === 'retrying'));
    expect(events[0]).toMatchObject({ kind: 'retrying', why: `fetch failed: connect ECONNREFUSED ${new URL(url).host}` });
    d.close();
  });

  it('says what a port fetch refuses means', async () => {
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: 'http://127.0.0.1:6000', backoff: { initialMs: 10_000, maxMs: 10_000 }, onEvent: (e) => events.push(e) });
    d.enqueue(measurement(1));
    await until(() => events.some((e) => e.kind === 'retrying'));
    expect(events[0]).toMatchObject({ kind: 'retrying', why: 'fetch failed: bad port (fetch refuses the ports browsers block, such as 6000 and 6665-6669: serve the Locus server on another)' });
    d.close();
  });

  it('gives up on a request the server does not answer, and retries it', async () => {
    const requests: ServerResponse[] = [];
    server = createServer((_, res) => requests.push(res));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requestTimeoutMs: 50, backoff: fast, onEvent: (e) => events.push(e) });
    d.enqueue(measurement(1));
    try {
      await until(() => requests.length >= 2, 5_000, 'a second request');
      expect(events[0]).toMatchObject({ kind: 'retrying', count: 1, why: expect.stringMatching(/timeout/i) });
      expect(d.pending()).toBe(1);
    } finally {
      d.close();
      for (const res of requests) res.destroy();
    }
  });

  it('keeps trying until its deadline when draining to stop, though its next retry would come later', async () => {
    const { url, received } = await fakeServer([503, 503]);
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: url, backoff: { initialMs: 60_000, maxMs: 60_000 }, random: () => 1, onEvent: (e) => events.push(e) });
    d.enqueue(measurement(1));
    await until(() => events.some((e) => e.kind === 'retrying'));
    await d.drain(5_000);
    expect(d.pending()).toBe(0);
    expect(received.flatMap((r) => r.body.measurements)).toHaveLength(1);
    d.close();
    expect(events.filter((e) => e.kind === 'dropped')).toEqual([]);
  });

  it('gives up draining at its deadline, keeping what it could not send', async () => {
    const { url } = await fakeServer(Array<number>(1_000).fill(503));
    const d = startDelivery({ server: url, backoff: { initialMs: 60_000, maxMs: 60_000 } });
    d.enqueue(measurement(1));
    await d.drain(300);
    expect(d.pending()).toBe(1);
    d.close();
  });

  const invalid = JSON.stringify({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION', error: 'Bad Request', message: 'body measurements.0.measurement.rounds: Number must be greater than 0' });

  it("drops a measurement the server's schema refuses alone (400 LOCUS_ERR_VALIDATION), and says so", async () => {
    const { url } = await fakeServer([400], '{}', invalid);
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: url, backoff: fast, onEvent: (e) => events.push(e) });
    d.enqueue(measurement(1));
    await until(() => d.pending() === 0);
    expect(events).toEqual([{ kind: 'rejected', count: 1, status: 400, body: invalid }]);
    d.close();
  });

  it("drops only the measurement the server's schema refuses, finding it by halving the batch, and delivers the rest of it", async () => {
    const received: number[] = [];
    const url = await answering((rtts, res) => {
      if (rtts.includes(2)) return res.writeHead(400, { 'content-type': 'application/json' }).end(invalid);
      received.push(...rtts);
      res.writeHead(200).end('{}');
    });
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: url, batchSize: 4, backoff: fast, onEvent: (e) => events.push(e) });
    for (let i = 0; i < 6; i++) d.enqueue(measurement(i));
    await until(() => d.pending() === 0);
    expect(received).toEqual([0, 1, 3, 4, 5]);
    expect(events.filter((e) => e.kind === 'rejected' || e.kind === 'dropped' || e.kind === 'held')).toEqual([{ kind: 'rejected', count: 1, status: 400, body: invalid }]);
    expect(events.filter((e) => e.kind === 'split')[0]).toEqual({ kind: 'split', count: 4, size: 2, why: `HTTP 400 ${invalid}` });
    d.close();
  });

  it.each([
    [401, '{"statusCode":401,"code":"LOCUS_ERR_UNAUTHENTICATED","error":"Unauthorized","message":"no bearer token"}'],
    [403, '{"statusCode":403,"code":"LOCUS_ERR_FORBIDDEN","error":"Forbidden","message":"no"}'],
    [404, '{"statusCode":404,"code":"LOCUS_ERR_NOT_FOUND","error":"Not Found","message":"Route POST:/api/v1/measurements not found"}'],
    [405, '<html>405 Not Allowed</html>'],
    // One measurement alone too large for a proxy before the server: only a larger limit gets it there.
    [413, '<html>413 Request Entity Too Large</html>'],
    // A proxy's 400 ("The plain HTTP request was sent to HTTPS port"), not the server's refusal of the batch.
    [400, '<html>400 The plain HTTP request was sent to HTTPS port</html>'],
    [400, '{"statusCode":400,"code":"LOCUS_ERR_MALFORMED_HTTP","error":"Bad Request","message":"not HTTP"}'],
  ])('holds everything, dropping nothing, while the server refuses every request alike with %i, and delivers it all once it takes them', async (status, body) => {
    const { url, received } = await fakeServer([status, status, status], '{}', body);
    const events: DeliveryEvent[] = [];
    // A 413 of more than one measurement is met by smaller batches: here each is sent alone.
    const d = startDelivery({ server: url, batchSize: status === 413 ? 1 : 100, backoff: fast, onEvent: (e) => events.push(e) });
    d.enqueue(measurement(0));
    await until(() => events.some((e) => e.kind === 'held'));
    for (let i = 1; i < 3; i++) d.enqueue(measurement(i));
    await until(() => d.pending() === 0);
    expect(received.flatMap((r) => r.body.measurements.map((m) => m.measurement.minRttMs))).toEqual([0, 1, 2]);
    const held = events.filter((e) => e.kind === 'held');
    expect(held).toHaveLength(3);
    expect(held[0]).toEqual({ kind: 'held', cause: 'refused', queued: 1, inMs: expect.any(Number), why: `HTTP ${status} ${body}` });
    expect(events.filter((e) => e.kind === 'rejected' || e.kind === 'dropped' || e.kind === 'refused')).toEqual([]);
    d.close();
  });

  // fetch takes a 407 for a network error (it does no proxy authentication): it is retried, as when the server is away.
  it('keeps everything, retrying, while a proxy wants authentication (407)', async () => {
    const { url, received } = await fakeServer([407, 407], '{}', 'Proxy Authentication Required');
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: url, backoff: fast, onEvent: (e) => events.push(e) });
    d.enqueue(measurement(0));
    await until(() => d.pending() === 0);
    expect(received.flatMap((r) => r.body.measurements.map((m) => m.measurement.minRttMs))).toEqual([0]);
    expect(events.map((e) => e.kind)).toEqual(['retrying', 'retrying', 'delivered']);
    d.close();
  });

  it('sends a batch the server finds too large (413) again in smaller ones, dropping nothing', async () => {
    const received: number[][] = [];
    const url = await answering((rtts, res) => {
      if (rtts.length > 2) return res.writeHead(413).end('too large');
      received.push(rtts);
      res.writeHead(200).end('{}');
    });
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: url, batchSize: 8, backoff: fast, onEvent: (e) => events.push(e) });
    for (let i = 0; i < 7; i++) d.enqueue(measurement(i));
    await until(() => d.pending() === 0);
    expect(received.flat()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(events.filter((e) => e.kind === 'rejected' || e.kind === 'dropped' || e.kind === 'held')).toEqual([]);
    expect(events.filter((e) => e.kind === 'split')).toEqual([
      { kind: 'split', count: 6, size: 3, why: 'HTTP 413 too large' },
      { kind: 'split', count: 3, size: 2, why: 'HTTP 413 too large' },
    ]);
    d.close();
  });

  it('says which measurements the server refused one by one in a 200 answer, and does not count them delivered', async () => {
    const revoked = { code: 'LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK', message: 'landmark "fra-1" was revoked at 2026-11-28T00:00:00.000Z: its measurements count no more' };
    const stale = { code: 'LOCUS_ERR_MEASUREMENT_STALE', message: 'measured 90000 s ago, beyond the 86400 s window' };
    const answer = { accepted: 1, duplicates: 0, rejected: [{ index: 0, ...revoked }, { index: 1, ...stale }, { index: 3, ...revoked }] };
    // The first answer (503) has the four sent together on the retry.
    const { url } = await fakeServer([503], JSON.stringify(answer));
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: url, batchSize: 4, backoff: fast, onEvent: (e) => events.push(e) });
    for (let i = 0; i < 4; i++) d.enqueue(measurement(i));
    await until(() => d.pending() === 0);
    expect(events.filter((e) => e.kind !== 'retrying')).toEqual([
      { kind: 'delivered', count: 1 },
      { kind: 'refused', count: 3, of: 4, reasons: [{ ...revoked, count: 2 }, { ...stale, count: 1 }] },
    ]);
    d.close();
  });

  it('holds measurements refused as of a landmark the server does not know yet, and delivers them once it is registered', async () => {
    const unknown = { code: 'LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK', message: 'landmark "fra-1" is not registered' };
    let registered = false;
    const received: number[] = [];
    const url = await answering((rtts, res) => {
      if (!registered) return res.writeHead(200).end(JSON.stringify({ accepted: 0, duplicates: 0, rejected: rtts.map((_, index) => ({ index, ...unknown })) }));
      received.push(...rtts);
      res.writeHead(200).end(JSON.stringify({ accepted: rtts.length, duplicates: 0, rejected: [] }));
    });
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: url, backoff: { initialMs: 1, maxMs: 100 }, onEvent: (e) => events.push(e) });
    d.enqueue(measurement(0));
    await until(() => events.some((e) => e.kind === 'held'));
    for (let i = 1; i < 3; i++) d.enqueue(measurement(i));
    await until(() => events.filter((e) => e.kind === 'held').length >= 2);
    expect(d.pending()).toBe(3);
    registered = true;
    await until(() => d.pending() === 0);
    expect(received).toEqual([0, 1, 2]);
    expect(events.find((e) => e.kind === 'held')).toEqual({ kind: 'held', cause: 'unregistered', queued: 1, inMs: expect.any(Number), why: `${unknown.code}: ${unknown.message}` });
    expect(events.filter((e) => e.kind === 'refused' || e.kind === 'rejected' || e.kind === 'dropped')).toEqual([]);
    expect(events.at(-1)).toEqual({ kind: 'delivered', count: 3 });
    d.close();
  });

  it('counts a whole batch delivered when the server answers 200 without saying what it refused', async () => {
    const { url } = await fakeServer([], 'ok');
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: url, backoff: fast, onEvent: (e) => events.push(e) });
    d.enqueue(measurement(1));
    await until(() => d.pending() === 0);
    expect(events).toEqual([{ kind: 'delivered', count: 1 }]);
    d.close();
  });

  it('cuts a request on the wire short at close and says its measurements were dropped, once', async () => {
    const requests: number[] = [];
    const events: DeliveryEvent[] = [];
    const d = startDelivery({
      server: 'http://127.0.0.1:9',
      backoff: fast,
      onEvent: (e) => events.push(e),
      // A server that reads the request and never answers; the request ends when its signal says.
      fetch: (_url, init) => {
        requests.push((JSON.parse(String(init?.body)) as { measurements: unknown[] }).measurements.length);
        return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error)));
      },
    });
    // The first goes at once, alone; two wait behind it.
    for (let i = 0; i < 3; i++) d.enqueue(measurement(i));
    await until(() => requests.length === 1);
    d.close();
    await until(() => events.length === 2);
    expect(events).toEqual([
      { kind: 'dropped', count: 2, why: 'landmark stopping with measurements undelivered' },
      { kind: 'dropped', count: 1, why: 'landmark stopping before the server took them (the landmark is stopping); any it stored count once' },
    ]);
    await new Promise((r) => setTimeout(r, 50));
    expect(requests).toEqual([1]);
    expect(events).toHaveLength(2);
    expect(d.pending()).toBe(0);
  });

  it('keeps at most maxQueue measurements, dropping the oldest, and says so', async () => {
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: 'http://127.0.0.1:9', maxQueue: 3, backoff: { initialMs: 10_000, maxMs: 10_000 }, onEvent: (e) => events.push(e) });
    for (let i = 0; i < 5; i++) d.enqueue(measurement(i));
    expect(d.pending()).toBe(3);
    expect(events.filter((e) => e.kind === 'dropped').reduce((n, e) => n + e.count, 0)).toBe(2);
    d.close();
  });

  it('keeps what it could not deliver in its spool at close, a request cut short too, and sends it at the next start', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'locus-delivery-')), 'spool.jsonl');
    const spoolNow = () => openSpool(path, { maxAgeMs: Infinity, now: 0 }).spool;
    const events: DeliveryEvent[] = [];
    let requests = 0;
    const first = startDelivery({
      server: 'http://127.0.0.1:9',
      backoff: fast,
      spool: spoolNow(),
      onEvent: (e) => events.push(e),
      // Never answers: the first request is on the wire at close.
      fetch: (_url, init) => {
        requests++;
        return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error)));
      },
    });
    for (let i = 0; i < 3; i++) first.enqueue(measurement(i));
    await until(() => requests === 1);
    first.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual([{ kind: 'kept', count: 3 }]);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);

    const { url, received } = await fakeServer([]);
    const again: DeliveryEvent[] = [];
    const second = startDelivery({ server: url, backoff: fast, spool: spoolNow(), onEvent: (e) => again.push(e) });
    await until(() => second.pending() === 0);
    expect(received.flatMap((r) => r.body.measurements.map((m) => m.measurement.minRttMs))).toEqual([0, 1, 2]);
    expect(again).toEqual([{ kind: 'restored', count: 3 }, { kind: 'delivered', count: 3 }]);
    expect(readFileSync(path, 'utf8')).toBe('');
    second.close();
    expect(again).toHaveLength(2);
  });

  it('restores at most maxQueue from its spool, the newest, and says what it dropped', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'locus-delivery-')), 'spool.jsonl');
    const kept = openSpool(path, { maxAgeMs: Infinity, now: 0 }).spool;
    const queue = [0, 1, 2, 3].map((i) => measurement(i));
    for (const m of queue) kept.append(m);
    kept.close(queue);
    const events: DeliveryEvent[] = [];
    const d = startDelivery({ server: 'http://127.0.0.1:9', maxQueue: 2, backoff: { initialMs: 10_000, maxMs: 10_000 }, spool: openSpool(path, { maxAgeMs: Infinity, now: 0 }).spool, onEvent: (e) => events.push(e), fetch: () => Promise.reject(new Error('down')) });
    expect(d.pending()).toBe(2);
    expect(events.slice(0, 2)).toEqual([
      { kind: 'restored', count: 4 },
      { kind: 'dropped', count: 2, why: 'queue over 2; the oldest were dropped' },
    ]);
    d.close();
    expect(readFileSync(path, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as SignedMeasurement).measurement.minRttMs)).toEqual([2, 3]);
  });
});

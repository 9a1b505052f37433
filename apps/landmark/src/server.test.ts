import { connect } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { CALIBRATION_SOFTWARE, generateSigningKey, signChallenge, verifyMeasurementSignature, type ProtocolErrorCode, type SignedMeasurement } from '@locus/protocol';
import { startResponder } from '@locus/responder';
import { startLandmarkServer, type LandmarkServer } from './server.js';
import { FAST, testLandmark, until } from './test-support.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function landmark(config: object = FAST) {
  const { info, key } = testLandmark('fra-1', 50.1109, 8.6821);
  const measurements: SignedMeasurement[] = [];
  /** Of each measurement, whether its host said it was a landmark calibrating against this one. */
  const calibrations: boolean[] = [];
  const problems: { code: ProtocolErrorCode; message: string }[] = [];
  const server: LandmarkServer = await startLandmarkServer({
    info,
    key: key.privateKey,
    config,
    onMeasurement: (m, { calibration }) => {
      measurements.push(m);
      calibrations.push(calibration);
    },
    onProblem: (code, message) => problems.push({ code, message }),
  });
  cleanup.push(() => server.close());
  return { server, info, measurements, calibrations, problems };
}

/** A hand-driven host connection, to misbehave on purpose. */
async function rawHost(url: string) {
  const ws = new WebSocket(url);
  const received: Record<string, unknown>[] = [];
  ws.on('message', (d) => received.push(JSON.parse(d.toString()) as Record<string, unknown>));
  await new Promise((r) => ws.once('open', r));
  cleanup.push(async () => void ws.terminate());
  const closed = new Promise<void>((r) => ws.once('close', () => r()));
  return { ws, received, closed, send: (m: unknown) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)) };
}

describe('landmark server', () => {
  it('measures a connected host and signs the minimum RTT of its rounds', async () => {
    const { server, info, measurements } = await landmark();
    const host = generateSigningKey();
    const responder = startResponder({ url: server.url, key: host });
    cleanup.push(() => responder.close());
    await until(() => measurements.length === 1 && responder.measurements().length === 1, 5_000, 'a measurement');
    const signed = measurements[0]!;
    const m = signed.measurement;
    expect(verifyMeasurementSignature(signed, info.publicKey)).toBe(true);
    expect(m).toMatchObject({ v: 1, landmarkId: 'fra-1', landmarkAt: { lat: 50.1109, lon: 8.6821 }, hostKey: host.publicKey, rounds: 5 });
    expect(m.minRttMs).toBeGreaterThan(0);
    expect(m.minRttMs).toBeLessThanOrEqual(m.medianRttMs);
    expect(responder.measurements()[0]).toEqual(signed);
    expect(server.hosts()).toEqual([host.publicKey]);
  });

  it('measures a landmark calibrating against it as any host, answering the measurement, and says it was one', async () => {
    const { server, measurements, calibrations } = await landmark();
    const node = startResponder({ url: server.url, key: generateSigningKey(), software: 'locus-agent' });
    const peer = generateSigningKey();
    const calibrating = startResponder({ url: server.url, key: peer, software: CALIBRATION_SOFTWARE });
    cleanup.push(() => node.close(), () => calibrating.close());
    await until(() => measurements.length >= 2 && calibrating.measurements().length === 1, 5_000, 'a measurement of each');
    expect(measurements.map((m, i) => [m.measurement.hostKey === peer.publicKey, calibrations[i]])).toEqual(expect.arrayContaining([
      [true, true],
      [false, false],
    ]));
    expect(calibrating.measurements()[0]).toEqual(measurements.find((m) => m.measurement.hostKey === peer.publicKey));
  });

  it('puts off a new host\'s first measurement by a random share of firstMeasureSpreadPerHostMs per host connected, at most measureEveryMs', async () => {
    for (const [measureEveryMs, least, most] of [[60_000, 5 + 3 * 400, Infinity], [300, 5 + 300, 1_100]] as const) {
      const { info, key } = testLandmark('fra-1', 50.1109, 8.6821);
      const server = await startLandmarkServer({ info, key: key.privateKey, config: { ...FAST, firstMeasureSpreadPerHostMs: 400, measureEveryMs }, env: { random: () => 1 } });
      cleanup.push(() => server.close());
      const hosts = [await rawHost(server.url), await rawHost(server.url), await rawHost(server.url)];
      const last = hosts[2]!;
      const hello = performance.now();
      last.send({ type: 'hello', v: 1, hostKey: generateSigningKey().publicKey });
      await until(() => last.received.some((m) => m.type === 'challenge'), 5_000, 'the first challenge');
      const waited = performance.now() - hello;
      expect(waited).toBeGreaterThanOrEqual(least - 20);
      expect(waited).toBeLessThan(most);
      for (const h of hosts) h.ws.terminate();
    }
  });

  it('describes itself over HTTP', async () => {
    const { server, info } = await landmark();
    const res = await fetch(`http://127.0.0.1:${server.port}/v1/landmark`);
    expect(await res.json()).toEqual({ v: 1, landmark: info, timing: '/v1/timing' });
    expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
    // The timing path asked plainly (a browser, curl) says it is a WebSocket and how to connect.
    const plain = await fetch(`http://127.0.0.1:${server.port}/v1/timing`);
    expect(plain.status).toBe(426);
    expect(plain.headers.get('upgrade')).toBe('websocket');
    expect(await plain.json()).toMatchObject({ code: 'LOCUS_ERR_PROTO_SEQUENCE', message: expect.stringMatching(/^\/v1\/timing is the timing protocol's WebSocket: hosts connect with ws:\/\//) });
  });

  it('refuses an answer signed by a key other than the one the host presented', async () => {
    const { server, problems, measurements } = await landmark();
    const presented = generateSigningKey();
    const other = generateSigningKey();
    const host = await rawHost(server.url);
    host.send({ type: 'hello', v: 1, hostKey: presented.publicKey });
    await until(() => host.received.some((m) => m.type === 'challenge'));
    const challenge = host.received.find((m) => m.type === 'challenge') as { seq: number; nonce: string };
    host.send({ type: 'response', v: 1, seq: challenge.seq, signature: signChallenge(challenge.nonce, presented.publicKey, other.privateKey) });
    await host.closed;
    expect(problems.map((p) => p.code)).toEqual(['LOCUS_ERR_PROTO_SIGNATURE']);
    expect(host.received.at(-1)).toMatchObject({ type: 'error', code: 'LOCUS_ERR_PROTO_SIGNATURE' });
    expect(measurements).toEqual([]);
  });

  it.each([
    ['a frame that is not JSON', 'not json', 'LOCUS_ERR_PROTO_MALFORMED'],
    ['an unknown message', { type: 'exec', v: 1, command: 'reboot' }, 'LOCUS_ERR_PROTO_MALFORMED'],
    ['another protocol version', { type: 'hello', v: 2, hostKey: generateSigningKey().publicKey }, 'LOCUS_ERR_PROTO_VERSION'],
    ['an answer before the hello', { type: 'response', v: 1, seq: 0, signature: 'A'.repeat(86) }, 'LOCUS_ERR_PROTO_SEQUENCE'],
    // The identity point: one signature verifies under it for every challenge, so a host could answer before asked.
    ['a hello with a key of small order', { type: 'hello', v: 1, hostKey: 'AQ' + 'A'.repeat(41) }, 'LOCUS_ERR_PROTO_MALFORMED'],
  ])('closes the connection on %s', async (_, message, code) => {
    const { server, problems } = await landmark();
    const host = await rawHost(server.url);
    host.send(message);
    await host.closed;
    expect(problems.map((p) => p.code)).toEqual([code]);
  });

  it('gives up on a host that does not answer a challenge', async () => {
    const { server, problems } = await landmark({ ...FAST, responseTimeoutMs: 50 });
    const host = await rawHost(server.url);
    host.send({ type: 'hello', v: 1, hostKey: generateSigningKey().publicKey });
    await host.closed;
    expect(problems[0]).toMatchObject({ code: 'LOCUS_ERR_PROTO_TIMEOUT', message: 'no answer to challenge 0' });
  });

  it('refuses hosts beyond its connection limit', async () => {
    const { server } = await landmark({ ...FAST, maxConnections: 1 });
    await rawHost(server.url);
    const second = await rawHost(server.url);
    await second.closed;
    expect(second.received).toEqual([expect.objectContaining({ type: 'error', code: 'LOCUS_ERR_PROTO_BUSY' })]);
  });

  it('reports hosts it refuses at its connection limit, at most once a minute', async () => {
    const { server, problems } = await landmark({ ...FAST, maxConnections: 1 });
    await rawHost(server.url);
    for (let i = 0; i < 3; i++) await (await rawHost(server.url)).closed;
    expect(problems).toEqual([{ code: 'LOCUS_ERR_PROTO_BUSY', message: 'refused 1 connection(s): at its limit of 1 hosts' }]);
  });

  it('stops without waiting for a client that opened a connection and sent nothing, or half a request', async () => {
    const { info, key } = testLandmark('fra-1', 50.1109, 8.6821);
    const server = await startLandmarkServer({ info, key: key.privateKey });
    const silent = connect(server.port, '127.0.0.1');
    const partial = connect(server.port, '127.0.0.1');
    cleanup.push(async () => {
      silent.destroy();
      partial.destroy();
    });
    await Promise.all([silent, partial].map((s) => new Promise((r) => s.once('connect', r))));
    partial.write(`GET /v1/timing HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    // Node's HTTP server would keep each until its header timeout (a minute or more).
    const stopped = await Promise.race([server.close().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2_000))]);
    expect(stopped).toBe(true);
  });
});

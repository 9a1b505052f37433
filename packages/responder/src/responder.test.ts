import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  PROTOCOL_VERSION,
  generateSigningKey,
  hashNonces,
  signMeasurement,
  toBase64url,
  verifyChallengeResponse,
  type LandmarkInfo,
  type Measurement,
} from '@locus/protocol';
import { startResponder, type Responder, type ResponderEvent } from './responder.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function until(check: () => boolean, what: string): Promise<void> {
  const end = performance.now() + 5_000;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A scripted landmark that records every frame the host sends. */
async function fakeLandmark(port = 0) {
  const key = generateSigningKey();
  const wss = new WebSocketServer({ port, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  const info: LandmarkInfo = { id: 'fake', name: 'fake', country: 'DE', lat: 50, lon: 8, publicKey: key.publicKey };
  const fromHost: Record<string, unknown>[] = [];
  const sockets: WebSocket[] = [];
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (d) => fromHost.push(JSON.parse(d.toString()) as Record<string, unknown>));
    ws.send(JSON.stringify({ type: 'welcome', v: 1, landmark: info }));
  });
  const close = () => new Promise<void>((r) => {
    for (const ws of wss.clients) ws.terminate();
    wss.close(() => r());
  });
  cleanup.push(close);
  return { port: (wss.address() as AddressInfo).port, key, info, fromHost, sockets, close, send: (m: unknown) => sockets.at(-1)!.send(JSON.stringify(m)) };
}

function responderTo(port: number, events: ResponderEvent[], hostKey = generateSigningKey()): Responder {
  const r = startResponder({ url: `ws://127.0.0.1:${port}`, key: hostKey, backoff: { initialMs: 10, maxMs: 50 }, onEvent: (e) => events.push(e) });
  cleanup.push(() => r.close());
  return r;
}

describe('the host responder', () => {
  it('says hello, then answers each challenge with a signature over nonce and host key', async () => {
    const landmark = await fakeLandmark();
    const host = generateSigningKey();
    const events: ResponderEvent[] = [];
    responderTo(landmark.port, events, host);
    await until(() => landmark.fromHost.length === 1, 'hello');
    expect(landmark.fromHost[0]).toEqual({ type: 'hello', v: 1, hostKey: host.publicKey });
    const nonce = toBase64url(Buffer.alloc(32, 7));
    landmark.send({ type: 'challenge', v: 1, seq: 42, nonce });
    await until(() => landmark.fromHost.length === 2, 'a response');
    const response = landmark.fromHost[1] as { type: string; seq: number; signature: string };
    expect(response).toMatchObject({ type: 'response', seq: 42 });
    expect(verifyChallengeResponse(nonce, host.publicKey, response.signature)).toBe(true);
    expect(events[0]).toMatchObject({ kind: 'connected', landmark: { id: 'fake' } });
  });

  it('answers challenges up to a burst, then closes the connection of a landmark sending them faster than maxChallengesPerS', async () => {
    for (const maxChallengesPerS of [undefined, Infinity]) {
      const landmark = await fakeLandmark();
      const events: ResponderEvent[] = [];
      const r = startResponder({ url: `ws://127.0.0.1:${landmark.port}`, key: generateSigningKey(), backoff: { initialMs: 60_000, maxMs: 60_000 }, onEvent: (e) => events.push(e), ...(maxChallengesPerS ? { maxChallengesPerS } : {}) });
      cleanup.push(() => r.close());
      await until(() => landmark.fromHost.length === 1, 'hello');
      for (let seq = 0; seq < 300; seq++) landmark.send({ type: 'challenge', v: 1, seq, nonce: toBase64url(Buffer.alloc(32, seq % 256)) });
      const answered = () => landmark.fromHost.filter((m) => m.type === 'response').length;
      if (maxChallengesPerS === undefined) {
        await until(() => events.some((e) => e.kind === 'disconnected'), 'the connection closed');
        expect(events).toContainEqual({ kind: 'ignored', reason: 'landmark sent challenges faster than 50 a second: connection closed' });
        // The burst, and what 50 a second refilled while the 300 arrived.
        expect(answered()).toBeGreaterThanOrEqual(100);
        expect(answered()).toBeLessThan(150);
      } else {
        await until(() => answered() === 300, 'every answer');
        expect(events.some((e) => e.kind === 'ignored' || e.kind === 'disconnected')).toBe(false);
      }
    }
  });

  it('obeys nothing but challenges: no command channel', async () => {
    const landmark = await fakeLandmark();
    const events: ResponderEvent[] = [];
    responderTo(landmark.port, events);
    await until(() => landmark.fromHost.length === 1, 'hello');
    for (const m of [{ type: 'exec', v: 1, command: 'rm -rf /' }, { type: 'config', v: 1, interval: 0 }, { type: 'welcome', v: 1 }, 'not json']) {
      landmark.sockets.at(-1)!.send(typeof m === 'string' ? m : JSON.stringify(m));
    }
    await until(() => events.filter((e) => e.kind === 'ignored').length === 4, 'four ignored messages');
    landmark.send({ type: 'challenge', v: 1, seq: 1, nonce: toBase64url(Buffer.alloc(32, 1)) });
    await until(() => landmark.fromHost.length === 2, 'a response');
    expect(landmark.fromHost.map((m) => m.type)).toEqual(['hello', 'response']);
  });

  it('keeps measurements signed by the landmark for this host, and ignores forged ones', async () => {
    const landmark = await fakeLandmark();
    const host = generateSigningKey();
    const events: ResponderEvent[] = [];
    const responder = responderTo(landmark.port, events, host);
    await until(() => events.some((e) => e.kind === 'connected'), 'welcome');
    const measurement: Measurement = {
      v: PROTOCOL_VERSION,
      landmarkId: 'fake',
      landmarkAt: { lat: 50, lon: 8 },
      hostKey: host.publicKey,
      noncesHash: hashNonces([toBase64url(Buffer.alloc(32, 3))]),
      rounds: 1,
      minRttMs: 1,
      medianRttMs: 1,
      measuredAt: '2026-11-29T03:00:00.000Z',
    };
    landmark.send({ type: 'measurement', v: 1, signed: signMeasurement(measurement, generateSigningKey().privateKey) });
    landmark.send({ type: 'measurement', v: 1, signed: signMeasurement({ ...measurement, hostKey: generateSigningKey().publicKey }, landmark.key.privateKey) });
    landmark.send({ type: 'measurement', v: 1, signed: signMeasurement(measurement, landmark.key.privateKey) });
    await until(() => events.some((e) => e.kind === 'measured'), 'a measurement');
    expect(events.filter((e) => e.kind === 'ignored')).toHaveLength(2);
    expect(responder.measurements()).toHaveLength(1);
  });

  it('reconnects with backoff after the landmark goes away and comes back', async () => {
    const first = await fakeLandmark();
    const events: ResponderEvent[] = [];
    const responder = responderTo(first.port, events);
    await until(() => responder.connected, 'connection');
    await first.close();
    await until(() => events.some((e) => e.kind === 'disconnected'), 'disconnect');
    expect(responder.connected).toBe(false);
    const second = await fakeLandmark(first.port);
    await until(() => second.fromHost.length === 1 && responder.connected, 'reconnection');
    expect(events.filter((e) => e.kind === 'connected')).toHaveLength(2);
  });

  it('drops and reopens a connection to a landmark that stops answering, as one gone without closing it does', async () => {
    const landmark = await fakeLandmark();
    const events: ResponderEvent[] = [];
    const r = startResponder({ url: `ws://127.0.0.1:${landmark.port}`, key: generateSigningKey(), backoff: { initialMs: 10, maxMs: 50 }, heartbeatMs: 50, onEvent: (e) => events.push(e) });
    cleanup.push(() => r.close());
    await until(() => r.connected, 'connection');
    // The landmark's side reads nothing more, so it answers no ping: a machine that lost power, a dropped route.
    (landmark.sockets[0] as unknown as { _socket: Socket })._socket.pause();
    await until(() => events.some((e) => e.kind === 'disconnected'), 'the silent connection dropped');
    await until(() => events.filter((e) => e.kind === 'connected').length === 2, 'a new connection');
  });

  it('backs off from a landmark that closes right after its welcome, and starts again after a connection that held', async () => {
    const landmark = await fakeLandmark();
    let closeAtOnce = true;
    const wss = landmark.sockets;
    const events: ResponderEvent[] = [];
    const r = startResponder({ url: `ws://127.0.0.1:${landmark.port}`, key: generateSigningKey(), backoff: { initialMs: 10, maxMs: 80 }, heartbeatMs: 200, random: () => 1, onEvent: (e) => {
      events.push(e);
      if (e.kind === 'connected' && closeAtOnce) wss.at(-1)!.close();
    } });
    cleanup.push(() => r.close());
    const waits = () => events.flatMap((e) => (e.kind === 'disconnected' ? [e.retryInMs] : []));
    await until(() => waits().length >= 5, 'five reconnections');
    expect(waits().slice(0, 5)).toEqual([10, 20, 40, 80, 80]);
    closeAtOnce = false;
    await until(() => r.connected, 'a connection that holds');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = waits().length;
    wss.at(-1)!.close();
    await until(() => waits().length > before, 'the held connection closed');
    expect(waits()[before]).toBe(10);
  });

  it('gives up on a landmark that accepts the connection but never answers its upgrade, and tries again', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      silent.close(() => r());
    }));
    const events: ResponderEvent[] = [];
    const r = startResponder({ url: `ws://127.0.0.1:${(silent.address() as AddressInfo).port}`, key: generateSigningKey(), backoff: { initialMs: 10, maxMs: 50 }, heartbeatMs: 50, onEvent: (e) => events.push(e) });
    cleanup.push(() => r.close());
    await until(() => sockets.length >= 2, 'a second attempt');
    expect(events.filter((e) => e.kind === 'disconnected').length).toBeGreaterThanOrEqual(1);
  });
});

import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startDelayProxy, type DelayProxy } from './delay-proxy.js';
import { connectTo, echo, receiveUntilClose, roundTripMs, sleep, startServer, unusedPort, type TestServer } from './test-support.js';

const servers: TestServer[] = [];
const proxies: DelayProxy[] = [];
const clients: Socket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all([...proxies.splice(0), ...servers.splice(0)].map((closeable) => closeable.close()));
});

async function serve(onConnection: (socket: Socket) => void, port?: number): Promise<TestServer> {
  const server = await startServer(onConnection, port);
  servers.push(server);
  return server;
}

async function proxyTo(port: number, oneWayMs = 5): Promise<DelayProxy> {
  const proxy = await startDelayProxy({ target: { host: '127.0.0.1', port }, link: { oneWayMs } });
  proxies.push(proxy);
  return proxy;
}

async function client(port: number): Promise<Socket> {
  const socket = await connectTo(port);
  clients.push(socket);
  return socket;
}

const TCP_AND_TIMERS = new Set(['TCPServerWrap', 'TCPSocketWrap', 'Timeout', 'Immediate']);
const countResources = (): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) if (TCP_AND_TIMERS.has(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
};

describe('delay proxy lifecycle', () => {
  it('resets the client when the target refuses, and serves again once the target is back', async () => {
    const port = await unusedPort();
    const proxy = await proxyTo(port);

    const refused = await client(proxy.port);
    expect(await receiveUntilClose(refused)).toEqual({ text: '', ended: false });
    await vi.waitFor(() => expect(proxy.connections()).toBe(0), { timeout: 2000 });

    await serve(echo, port);
    expect(await roundTripMs(await client(proxy.port), 'back')).toBeGreaterThanOrEqual(10);
  });

  it('delivers the target’s reply after the client half-closes, then the close', async () => {
    // Answers only once the client has finished sending, as many request/response protocols do.
    const server = await serve((socket) => {
      let request = '';
      socket.on('data', (chunk: Buffer) => (request += chunk.toString()));
      socket.on('end', () => {
        socket.write(`reply to ${request}`);
        setTimeout(() => socket.end(' (done)'), 5);
      });
    });
    const proxy = await proxyTo(server.port);
    const socket = await client(proxy.port);
    const received = receiveUntilClose(socket);
    socket.end('hello');
    expect(await received).toEqual({ text: 'reply to hello (done)', ended: true });
  });

  it('delivers the client’s data after the target half-closes', async () => {
    let receivedByServer: Promise<string> = Promise.resolve('');
    const server = await serve((socket) => {
      receivedByServer = receiveUntilClose(socket).then((r) => r.text);
      socket.end('greeting');
    });
    const proxy = await proxyTo(server.port);
    const socket = await client(proxy.port);
    const received = receiveUntilClose(socket);
    await vi.waitFor(() => expect(socket.readableEnded).toBe(true), { timeout: 2000 });
    socket.end('late words');
    expect(await received).toEqual({ text: 'greeting', ended: true });
    expect(await receivedByServer).toBe('late words');
  });

  it('passes a reset by the target on to the client, and stays up', async () => {
    const server = await serve((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const proxy = await proxyTo(server.port);
    const socket = await client(proxy.port);
    const received = receiveUntilClose(socket);
    socket.write('provoke');
    expect(await received).toEqual({ text: '', ended: false });
    await vi.waitFor(() => expect(proxy.connections()).toBe(0), { timeout: 2000 });
    const again = await client(proxy.port);
    expect(await receiveUntilClose(again.end('provoke again'))).toEqual({ text: '', ended: false });
  });

  it('counts open connections', async () => {
    const server = await serve(echo);
    const proxy = await proxyTo(server.port);
    expect(proxy.connections()).toBe(0);
    const sockets = [await client(proxy.port), await client(proxy.port)];
    await vi.waitFor(() => expect(proxy.connections()).toBe(2), { timeout: 2000 });
    sockets[0]!.end();
    await vi.waitFor(() => expect(proxy.connections()).toBe(1), { timeout: 2000 });
  });

  it('close() resets open connections with data in flight and leaves no handles behind', async () => {
    const server = await serve(echo);
    const before = countResources();
    const proxy = await proxyTo(server.port, 1000);
    const sockets = [await client(proxy.port), await client(proxy.port)];
    const closes = sockets.map(receiveUntilClose);
    for (const socket of sockets) socket.write('never delivered');
    await vi.waitFor(() => expect(proxy.connections()).toBe(2), { timeout: 2000 });
    // Each connection's delay line holds a timer while its data is in flight.
    const timersBefore = before.get('Timeout') ?? 0;
    await vi.waitFor(() => expect(countResources().get('Timeout')).toBeGreaterThanOrEqual(timersBefore + 2), { timeout: 2000, interval: 1 });

    const startedMs = performance.now();
    await proxy.close();
    expect(performance.now() - startedMs).toBeLessThan(1000);
    expect(proxy.connections()).toBe(0);
    for (const closed of await Promise.all(closes)) expect(closed).toEqual({ text: '', ended: false });
    await vi.waitFor(() => expect(server.openSockets()).toBe(0), { timeout: 2000 });
    await sleep(10);
    // Handles of earlier tests may still be closing, so "no more than before", not "as before".
    for (const [kind, count] of countResources()) expect(count, kind).toBeLessThanOrEqual(before.get(kind) ?? 0);
    await expect(connectTo(proxy.port)).rejects.toThrow(/could not connect/);
  });

  it('close() may be called twice', async () => {
    const proxy = await proxyTo(await unusedPort());
    await proxy.close();
    await expect(proxy.close()).resolves.toBeUndefined();
  });
});

import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startDelayProxy, type DelayProxy } from './delay-proxy.js';
import type { LinkDelay } from './link.js';
import { connectTo, echo, receive, roundTripMs, seededRandom, sleep, startServer, type TestServer } from './test-support.js';

const servers: TestServer[] = [];
const proxies: DelayProxy[] = [];
const clients: Socket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all([...proxies.splice(0), ...servers.splice(0)].map((closeable) => closeable.close()));
});

/** An echo server behind a proxy with `link`, and a client connected through it. */
async function echoThroughProxy(link: LinkDelay, random?: () => number): Promise<{ proxy: DelayProxy; client: Socket }> {
  const server = await startServer(echo);
  servers.push(server);
  const proxy = await startDelayProxy({ target: { host: '127.0.0.1', port: server.port }, link, ...(random ? { random } : {}) });
  proxies.push(proxy);
  const client = await connectTo(proxy.port);
  clients.push(client);
  return { proxy, client };
}

async function roundTripsMs(client: Socket, count: number): Promise<number[]> {
  const rtts: number[] = [];
  for (let i = 0; i < count; i++) rtts.push(await roundTripMs(client, `ping ${i}`));
  return rtts;
}

describe('startDelayProxy', () => {
  it('listens on a free port on 127.0.0.1 by default', async () => {
    const { proxy } = await echoThroughProxy({ oneWayMs: 0 });
    expect(proxy.host).toBe('127.0.0.1');
    expect(proxy.port).toBeGreaterThan(0);
  });

  it('makes a round trip over a 15 ms link take at least 30 ms, and not much more', async () => {
    const { client } = await echoThroughProxy({ oneWayMs: 15 });
    const rtts = await roundTripsMs(client, 5);
    for (const rtt of rtts) expect(rtt).toBeGreaterThanOrEqual(30);
    expect(Math.min(...rtts)).toBeLessThan(30 + 50);
  });

  it('makes a round trip over a 0.3 ms link take at least 0.6 ms', async () => {
    const { client } = await echoThroughProxy({ oneWayMs: 0.3 });
    for (const rtt of await roundTripsMs(client, 30)) expect(rtt).toBeGreaterThanOrEqual(0.6);
  });

  it('delivers 200 numbered chunks complete and in order both ways under heavy jitter', async () => {
    let receivedByServer = '';
    const server = await startServer((socket) => {
      socket.on('data', (chunk: Buffer) => (receivedByServer += chunk.toString()));
      echo(socket);
    });
    servers.push(server);
    const link = { oneWayMs: 1, jitterMs: 40 };
    const proxy = await startDelayProxy({ target: { host: '127.0.0.1', port: server.port }, link, random: seededRandom(42) });
    proxies.push(proxy);
    const client = await connectTo(proxy.port);
    clients.push(client);

    const lines = Array.from({ length: 200 }, (_, i) => `chunk ${i}\n`);
    const expected = lines.join('');
    const echoed = receive(client, Buffer.byteLength(expected));
    for (const line of lines) {
      client.write(line);
      await sleep(0);
    }
    expect((await echoed).toString()).toBe(expected);
    expect(receivedByServer).toBe(expected);
  });

  it('carries a large transfer intact through the in-flight limit', async () => {
    const { client } = await echoThroughProxy({ oneWayMs: 2 });
    const payload = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 13)) & 0xff;
    const echoed = receive(client, payload.length);
    client.write(payload);
    expect((await echoed).equals(payload)).toBe(true);
  });

  it('applies setLink to traffic read after the call', async () => {
    const { proxy, client } = await echoThroughProxy({ oneWayMs: 1 });
    const before = await roundTripMs(client, 'before');
    expect(before).toBeGreaterThanOrEqual(2);
    expect(before).toBeLessThan(50);
    proxy.setLink({ oneWayMs: 25 });
    expect(await roundTripMs(client, 'after')).toBeGreaterThanOrEqual(50);
  });

  it.each([[{ oneWayMs: -1 }], [{ oneWayMs: 5, jitterMs: Number.NaN }]])('rejects the link %j', async (link) => {
    await expect(startDelayProxy({ target: { host: '127.0.0.1', port: 9 }, link })).rejects.toThrow(RangeError);
    const { proxy } = await echoThroughProxy({ oneWayMs: 0 });
    expect(() => proxy.setLink(link)).toThrow(RangeError);
  });
});

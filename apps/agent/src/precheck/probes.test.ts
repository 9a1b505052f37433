import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { hostProbes } from './probes.js';

let servers: Server[] = [];
afterEach(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  servers = [];
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe('precheck probes, the server', () => {
  it('reads the answer, its status and body, as the agent would', async () => {
    const url = await listen((_, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"ok":false}'));
    expect(await hostProbes({ timeoutMs: 2_000 }).httpGet(`${url}/healthz`)).toEqual({ ok: true, ms: expect.any(Number), status: 503, body: '{"ok":false}' });
  });

  it('names a refused connection by its code, and a server that does not answer by the time it had', async () => {
    const closed = await listen(() => {});
    await new Promise((r) => servers.pop()!.close(r));
    expect(await hostProbes({ timeoutMs: 2_000 }).httpGet(`${closed}/healthz`)).toEqual({ ok: false, error: 'ECONNREFUSED' });
    // Takes the request and never answers.
    const silent = await listen(() => {});
    expect(await hostProbes({ timeoutMs: 200 }).httpGet(`${silent}/healthz`)).toEqual({ ok: false, error: 'no answer within 200 ms' });
  });
});

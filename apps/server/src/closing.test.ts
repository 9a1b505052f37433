import { Agent, request, type IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import Fastify from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { holdTokenChecks, untilNotListening } from '../../../test/support/server-closing.js';
import { CLOSING_OPTIONS, closeConnectionsWhenClosing } from './closing.js';
import { testServer } from './test-support.js';

// Far below the keep-alive timeout (72 s) that a connection left open would hold a close for.
const CLOSE_WITHIN_MS = 10_000;

let agent: Agent | undefined;
afterEach(() => {
  vi.restoreAllMocks();
  agent?.destroy();
});

/** A GET on a keep-alive connection (as agents and landmarks keep theirs): the answer's head, then its whole body. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ res: IncomingMessage; body: Promise<string> }> {
  agent ??= new Agent({ keepAlive: true });
  return new Promise((resolve, reject) => {
    request(url, { agent, headers }, (res) => {
      const body = new Promise<string>((done) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => done(text));
      });
      resolve({ res, body });
    })
      .on('error', reject)
      .end();
  });
}

const closedWithin = async (closing: Promise<void>) =>
  Promise.race([closing.then(() => 'closed'), new Promise((r) => setTimeout(() => r(`still open after ${CLOSE_WITHIN_MS} ms`), CLOSE_WITHIN_MS).unref())]);

describe('a server closing', () => {
  it('closes a keep-alive connection once the answer in flight when the close began is sent, rather than after its keep-alive timeout', async () => {
    const app = Fastify(CLOSING_OPTIONS);
    closeConnectionsWhenClosing(app);
    let reached!: () => void;
    const inHandler = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    // The answer goes once the close has begun (the hooks run in the order they were added).
    app.addHook('preClose', async () => release());
    app.get('/slow', async () => {
      reached();
      await released;
      return { ok: true };
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const answer = get(`${url}/slow`);
    await inHandler;
    const closing = app.close();
    const { res, body } = await answer;
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(await body)).toEqual({ ok: true });
    expect(await closedWithin(closing)).toBe('closed');
  });

  it('closes a connection whose answer had begun before the close, once it is whole', async () => {
    const app = Fastify(CLOSING_OPTIONS);
    closeConnectionsWhenClosing(app);
    const stream = new PassThrough();
    app.get('/stream', async (_request, reply) => reply.type('text/plain').send(stream));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    stream.write('first ');
    const { res, body } = await get(`${url}/stream`);
    // Sent before the close: this answer keeps its connection alive.
    expect(res.headers.connection).toBe('keep-alive');
    const closing = app.close();
    await untilNotListening(app.server);
    stream.end('last');
    expect(await body).toBe('first last');
    expect(await closedWithin(closing)).toBe('closed');
  });

  it("refuses a request that comes while it closes in the API's error envelope, with Retry-After, and closes its connection", async () => {
    const app = Fastify(CLOSING_OPTIONS);
    closeConnectionsWhenClosing(app);
    // The close waits here (after the hook above set it closing, before the listener closes) until the request is answered.
    let hold!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    app.addHook('preClose', () => new Promise<void>((r) => ((hold = r), holding())));
    app.get('/anything', async () => ({ ok: true }));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const closing = app.close();
    await held;
    const { res, body } = await get(`${url}/anything`);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(await body)).toEqual({ statusCode: 503, code: 'LOCUS_ERR_STOPPING', error: 'Service Unavailable', message: expect.stringContaining('stopping') });
    hold();
    expect(await closedWithin(closing)).toBe('closed');
  });

  it('is how the API server closes: a request in flight when it began is answered, its connection closed, the close not held up', async () => {
    const s = await testServer();
    const owner = await s.tokenFor('org-a', 'owner');
    // The request waits in its token's check until the close has begun.
    const { checking, release } = holdTokenChecks();
    const url = await s.app.listen({ host: '127.0.0.1', port: 0 });
    const answer = get(`${url}/api/v1/nodes`, owner);
    await checking;
    const closing = s.close();
    await untilNotListening(s.app.server);
    release();
    const { res, body } = await answer;
    expect(res.statusCode).toBe(200);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(await body)).toMatchObject({ nodes: [] });
    expect(await closedWithin(closing)).toBe('closed');
  });
});

import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from './test-support.js';

/** What the server answers these bytes with, read until it closes the connection. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('a request refused by the HTTP parser, before any route', () => {
  let s: TestServer;
  let port: number;
  beforeAll(async () => {
    s = await testServer();
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    port = (s.app.server.address() as { port: number }).port;
  });
  afterAll(() => s.close());

  it.each([
    ['headers over 16 KiB', `GET /api/v1/nodes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'LOCUS_ERR_HEADERS_TOO_LARGE'],
    ['bytes that are not HTTP', 'HELLO THERE\r\n\r\n', 400, 'LOCUS_ERR_MALFORMED_HTTP'],
  ])('is answered with a coded error body too: %s', async (_, request, status, code) => {
    const answer = await exchange(port, request);
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(head).toMatch(/\r\ncontent-type: application\/json; charset=utf-8\r\n/i);
    expect(JSON.parse(body!)).toEqual({ statusCode: status, code, error: expect.any(String), message: expect.any(String) });
  });
});

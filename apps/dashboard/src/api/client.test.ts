import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from './client.js';
import { ApiError } from './errors.js';

const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function clientAnswering(answer: () => Response | Promise<Response>, onUnauthorized?: (e: ApiError) => void) {
  const fetchImpl = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => answer());
  const client = new ApiClient({ token: 'locus_abc', fetch: fetchImpl as typeof fetch, ...(onUnauthorized ? { onUnauthorized } : {}) });
  return { client, fetchImpl };
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('ApiClient', () => {
  it('sends the bearer token and the query, leaving out undefined values', async () => {
    const { client, fetchImpl } = clientAnswering(() => json({ ok: true }, 200));
    expect(await client.get('/api/v1/nodes/n1/events', { query: { since: '2026-01-01T00:00:00.000Z', limit: 10, gpu: undefined } })).toEqual({ ok: true });
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('/api/v1/nodes/n1/events?since=2026-01-01T00%3A00%3A00.000Z&limit=10');
    expect(new Headers(init?.headers).get('authorization')).toBe('Bearer locus_abc');
  });

  it.each([
    [400, 'LOCUS_ERR_VALIDATION', 'Bad Request', 'querystring limit: Too big'],
    [404, 'LOCUS_ERR_NOT_FOUND', 'Not Found', 'no node "x"'],
    [409, 'LOCUS_ERR_CONFLICT', 'Conflict', 'a zone named "a" exists'],
    [500, 'LOCUS_ERR_SERVER', 'Internal Server Error', 'internal error; see the server log'],
  ])('carries the server error body of an HTTP %i (%s)', async (statusCode, code, error, message) => {
    const { client } = clientAnswering(() => json({ statusCode, code, error, message }, statusCode));
    const e = await failure(client.get('/api/v1/x'));
    expect({ statusCode: e.statusCode, code: e.code, error: e.error, message: e.message }).toEqual({ statusCode, code, error, message });
  });

  it('calls onUnauthorized once on a 401, then throws the error', async () => {
    const onUnauthorized = vi.fn();
    const { client } = clientAnswering(() => json({ statusCode: 401, code: 'LOCUS_ERR_UNAUTHENTICATED', error: 'Unauthorized', message: 'unknown token' }, 401), onUnauthorized);
    const e = await failure(client.get('/api/v1/nodes'));
    expect(e.code).toBe('LOCUS_ERR_UNAUTHENTICATED');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(onUnauthorized.mock.calls[0]![0]).toBe(e);
  });

  it('does not call onUnauthorized for a 403', async () => {
    const onUnauthorized = vi.fn();
    const { client } = clientAnswering(() => json({ statusCode: 403, code: 'LOCUS_ERR_FORBIDDEN', error: 'Forbidden', message: 'auditors read no inventory' }, 403), onUnauthorized);
    expect((await failure(client.get('/api/v1/nodes/n/inventory'))).statusCode).toBe(403);
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('names the status when an error body is not a Locus error (a proxy page)', async () => {
    const { client } = clientAnswering(() => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const e = await failure(client.get('/api/v1/nodes'));
    expect(e).toMatchObject({ statusCode: 502, code: 'DASHBOARD_BAD_RESPONSE', error: 'Bad Gateway' });
    expect(e.message).toMatch(/HTTP 502: <html>Bad Gateway/);
  });

  it('reports a server that does not answer as a network error', async () => {
    const { client } = clientAnswering(() => Promise.reject(new TypeError('fetch failed')));
    expect(await failure(client.get('/api/v1/nodes'))).toMatchObject({ statusCode: 0, code: 'DASHBOARD_NETWORK', message: 'the server did not answer (fetch failed)' });
  });

  it('reports a 200 whose body is not JSON', async () => {
    const { client } = clientAnswering(() => new Response('<!doctype html>', { status: 200 }));
    expect(await failure(client.get('/api/v1/nodes'))).toMatchObject({ code: 'DASHBOARD_BAD_RESPONSE', message: '/api/v1/nodes did not answer JSON' });
  });

  it('lets a cancelled request end as an AbortError, not an API error', async () => {
    const { client } = clientAnswering(() => Promise.reject(new DOMException('aborted', 'AbortError')));
    await expect(client.get('/api/v1/nodes', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('returns a download as a Blob', async () => {
    const { client } = clientAnswering(() => json({ kind: 'locus-proof' }, 200));
    const blob = await client.blob('/api/v1/nodes/n/proof');
    expect(JSON.parse(await blob.text())).toEqual({ kind: 'locus-proof' });
  });
});

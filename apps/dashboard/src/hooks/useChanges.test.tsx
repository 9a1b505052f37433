// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client.js';
import { parseSse, useChangeStream } from './useChanges.js';

afterEach(cleanup);

describe('parseSse', () => {
  it('reads complete events, their names and data, and keeps the unfinished rest', () => {
    expect(parseSse('retry: 5000\n\nevent: ready\ndata: {"kinds":["alerts"]}\n\n: keep-alive\n\nevent: change\ndata: {"kinds"')).toEqual({
      events: [{ event: 'ready', data: '{"kinds":["alerts"]}' }],
      rest: 'event: change\ndata: {"kinds"',
    });
    expect(parseSse('data: a\r\ndata:b\r\n\r\n')).toEqual({ events: [{ event: 'message', data: 'a\nb' }], rest: '' });
    expect(parseSse('')).toEqual({ events: [], rest: '' });
  });
});

/** A server's change streams, one per connection: the test writes to the newest and ends it. */
function fakeServer() {
  const streams: ReadableStreamDefaultController<Uint8Array>[] = [];
  const statuses: number[] = [];
  const fetch = (async (_url: string, init?: RequestInit) => {
    const status = statuses.shift() ?? 200;
    if (status !== 200) return new Response(JSON.stringify({ statusCode: status, code: 'LOCUS_ERR_UNAUTHENTICATED', error: 'x', message: 'no' }), { status });
    expect(new Headers(init?.headers).get('accept')).toBe('text/event-stream');
    const body = new ReadableStream<Uint8Array>({ start: (c) => void streams.push(c) });
    // The stream itself, not happy-dom's Response around it (which does not pass its end on).
    return { ok: true, status: 200, body } as Response;
  }) as typeof globalThis.fetch;
  const send = (text: string) => streams.at(-1)!.enqueue(new TextEncoder().encode(text));
  return { fetch, streams, statuses, send };
}

function Probe({ api }: { api: ApiClient }) {
  const { count, live } = useChangeStream(api, [10, 40]);
  return <output>{`${live ? 'live' : 'off'} ${count}`}</output>;
}
const text = () => screen.getByRole('status').textContent;

describe('useChangeStream', () => {
  it('is live once the stream is ready, counts changes (an event split across chunks too), and opens it again when it ends (what changed meanwhile counting as a change)', async () => {
    const server = fakeServer();
    let unauthorized = 0;
    render(<Probe api={new ApiClient({ token: 't', fetch: server.fetch, onUnauthorized: () => unauthorized++ })} />);
    await waitFor(() => expect(server.streams).toHaveLength(1));
    expect(text()).toBe('off 0');
    server.send('retry: 5000\n\nevent: ready\ndata: {"kinds":["alerts"]}\n\n');
    await waitFor(() => expect(text()).toBe('live 0'));
    server.send('event: change\ndata: {"kinds":["alerts"]}\n\n: keep-alive\n\nevent: cha');
    server.send('nge\ndata: {"kinds":["nodes"]}\n\n');
    await waitFor(() => expect(text()).toBe('live 2'));
    server.streams[0]!.close();
    await waitFor(() => expect(text()).toBe('off 2'));
    await waitFor(() => expect(server.streams).toHaveLength(2));
    server.send('event: ready\ndata: {}\n\n');
    await waitFor(() => expect(text()).toBe('live 3'));
    server.send('event: change\ndata: {}\n\n');
    await waitFor(() => expect(text()).toBe('live 4'));
    expect(unauthorized).toBe(0);
  });

  it('tries again after failed opens, and a 401 ends the session through the client', async () => {
    const server = fakeServer();
    server.statuses.push(401, 503, 503);
    let unauthorized = 0;
    render(<Probe api={new ApiClient({ token: 't', fetch: server.fetch, onUnauthorized: () => unauthorized++ })} />);
    await waitFor(() => expect(server.streams).toHaveLength(1), { timeout: 2_000 });
    expect(unauthorized).toBe(1);
    server.send('event: ready\ndata: {}\n\n');
    await waitFor(() => expect(text()).toBe('live 0'));
    // Never ready before: nothing was shown from a stream, so nothing was missed.
  });

  it('closes its stream when unmounted', async () => {
    const server = fakeServer();
    let signal: AbortSignal | undefined;
    const fetch = (async (url: string, init?: RequestInit) => ((signal = init?.signal ?? undefined), server.fetch(url, init))) as typeof globalThis.fetch;
    const view = render(<Probe api={new ApiClient({ token: 't', fetch })} />);
    await waitFor(() => expect(server.streams).toHaveLength(1));
    view.unmount();
    expect(signal?.aborted).toBe(true);
  });
});

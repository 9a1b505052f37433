// Test helpers for component tests: a fake API answering by path, and a render inside a session.
import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { ApiClient } from './api/client.js';
import { ApiContext } from './api/context.js';
import { PollIntervalContext } from './hooks/usePoll.js';

export type FakeAnswer = unknown | ((url: URL) => Response | Promise<Response>);

export const json = (body: unknown, status = 200): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export const errorBody = (statusCode: number, code: string, message: string) => ({ statusCode, code, error: statusCode === 404 ? 'Not Found' : 'Error', message });

/**
 * A fetch that answers each API path (without query) from `routes`, a change by `METHOD /path`
 * first; anything else is a 404 in the Locus shape.
 */
export function fakeFetch(routes: Readonly<Record<string, FakeAnswer>>) {
  const calls: string[] = [];
  const impl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input), 'http://dashboard.test');
    const method = init?.method ?? 'GET';
    // GETs are recorded by path alone; changes with their method and body.
    calls.push(method === 'GET' ? `${url.pathname}${url.search}` : `${method} ${url.pathname}${init?.body ? ` ${String(init.body)}` : ''}`);
    const answer = routes[method === 'GET' ? url.pathname : `${method} ${url.pathname}`] ?? (method === 'GET' ? undefined : routes[url.pathname]);
    if (answer === undefined) return json(errorBody(404, 'LOCUS_ERR_NOT_FOUND', `no route GET ${url.pathname}`), 404);
    return typeof answer === 'function' ? (answer as (u: URL) => Response | Promise<Response>)(url) : json(answer);
  };
  return { fetch: impl as typeof fetch, calls };
}

/** Renders inside a signed-in session whose API is `fetchImpl`. */
export function renderWithApi(ui: ReactElement, fetchImpl: typeof fetch, options: { pollMs?: number; onUnauthorized?: () => void } = {}): RenderResult {
  const api = new ApiClient({ token: 'locus_test', fetch: fetchImpl, ...(options.onUnauthorized ? { onUnauthorized: options.onUnauthorized } : {}) });
  return render(
    <PollIntervalContext.Provider value={options.pollMs ?? 60_000}>
      <ApiContext.Provider value={api}>{ui}</ApiContext.Provider>
    </PollIntervalContext.Provider>,
  );
}

import { EnrollResponse, IngestResponse, wireText, type EnrollRequest, type IngestBatch, type UnenrollRequest } from '@locus/protocol';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { z } from 'zod';

/** What the client reads of an HTTP answer: global fetch's Response fits. */
export interface HttpAnswer {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** A JSON POST; global fetch fits, and so does `httpPost`. */
export type Poster = (url: string, init: { readonly method: 'POST'; readonly headers: Record<string, string>; readonly body: string; readonly signal: AbortSignal }) => Promise<HttpAnswer>;

/** One request over node:http(s), its answer read whole. */
function nodeHttp(url: string, init: { readonly method: 'GET' | 'POST'; readonly headers: Record<string, string>; readonly body?: string; readonly signal: AbortSignal }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
    const req = request(target, { method: init.method, headers, signal: init.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        const get = (name: string) => {
          const value = res.headers[name.toLowerCase()];
          return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
        };
        resolve({ ok: status >= 200 && status < 300, status, headers: { get }, text: () => Promise.resolve(text) });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/**
 * POST over node:http(s). The agent's default rather than fetch: fetch loads undici, which
 * costs a long-running daemon about 9 MB of resident memory (bench:agent), and refuses ports
 * browsers block (6000, 6665-6669, …) that node:http takes.
 */
export const httpPost: Poster = (url, init) => nodeHttp(url, init);

/** GET over node:http(s), the way the agent reaches its server (precheck asks as the agent will). */
export const httpGet = (url: string, signal: AbortSignal): Promise<HttpAnswer> => nodeHttp(url, { method: 'GET', headers: {}, signal });

/** A refusal or failure from the server, with its error code when it sent one. */
export class ServerError extends Error {
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, status?: number, code?: string, retryAfterMs?: number) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }

  /** Worth retrying: the network, 429 or 5xx. */
  get transient(): boolean {
    return this.status === undefined || this.status === 429 || this.status >= 500;
  }
}

/** POSTs a signed body as its wire text (canonical JSON), so the server checks its signature on the bytes it receives. */
async function post<T>(server: string, path: string, body: { readonly signature: string }, schema: z.ZodType<T>, fetcher: Poster): Promise<T> {
  let res: HttpAnswer;
  try {
    res = await fetcher(`${server.replace(/\/+$/, '')}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: wireText(body), signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new ServerError(`cannot reach ${server}: ${(error as Error).message}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ServerError(`${server}${path} answered HTTP ${res.status} with a body that is not JSON`, res.status);
  }
  if (!res.ok) {
    const e = json as { code?: string; message?: string };
    const retry = Number(res.headers.get('retry-after'));
    throw new ServerError(`${e.code ?? `HTTP ${res.status}`}: ${e.message ?? text.slice(0, 200)}`, res.status, e.code, Number.isFinite(retry) && retry > 0 ? retry * 1000 : undefined);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ServerError(`${server}${path} answered in a form this agent does not know`, res.status);
  return parsed.data;
}

const Unenrolled = z.object({ unenrolled: z.literal(true) });

export const enrollAt = (server: string, body: EnrollRequest, fetcher: Poster = httpPost) => post(server, '/api/v1/agents/enroll', body, EnrollResponse, fetcher);
export const unenrollAt = (server: string, body: UnenrollRequest, fetcher: Poster = httpPost) => post(server, '/api/v1/agents/unenroll', body, Unenrolled, fetcher);
export const ingestAt = (server: string, body: IngestBatch, fetcher: Poster = httpPost) => post(server, '/api/v1/ingest', body, IngestResponse, fetcher);

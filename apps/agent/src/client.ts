import { EnrollResponse, IngestResponse, type EnrollRequest, type IngestBatch, type UnenrollRequest } from '@locus/protocol';
import { z } from 'zod';

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

async function post<T>(server: string, path: string, body: unknown, schema: z.ZodType<T>, fetcher: typeof fetch): Promise<T> {
  let res: Response;
  try {
    res = await fetcher(`${server.replace(/\/+$/, '')}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
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

export const enrollAt = (server: string, body: EnrollRequest, fetcher: typeof fetch = fetch) => post(server, '/api/v1/agents/enroll', body, EnrollResponse, fetcher);
export const unenrollAt = (server: string, body: UnenrollRequest, fetcher: typeof fetch = fetch) => post(server, '/api/v1/agents/unenroll', body, Unenrolled, fetcher);
export const ingestAt = (server: string, body: IngestBatch, fetcher: typeof fetch = fetch) => post(server, '/api/v1/ingest', body, IngestResponse, fetcher);

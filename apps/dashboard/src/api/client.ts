import { ApiError, errorFromResponse, isAbort } from './errors.js';

export interface ApiClientOptions {
  /** The bearer token sent with every call. */
  readonly token: string;
  /** Called once per 401 before the error is thrown: the dashboard goes back to its login. */
  readonly onUnauthorized?: (error: ApiError) => void;
  readonly fetch?: typeof fetch;
  /** Prefix of every path; empty means the page's own origin. */
  readonly baseUrl?: string;
}

export type Query = Readonly<Record<string, string | number | undefined>>;

export interface RequestOptions {
  readonly signal?: AbortSignal | undefined;
  readonly query?: Query;
}

/** Typed calls to the Locus API with a bearer token; every failure is an {@link ApiError}. */
export class ApiClient {
  readonly #options: ApiClientOptions;

  constructor(options: ApiClientOptions) {
    this.#options = options;
  }

  /** GETs a path (`/api/v1/…`) and returns its JSON body. */
  async get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.#send(path, options);
    try {
      return (await res.json()) as T;
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new ApiError({ statusCode: res.status, code: 'DASHBOARD_BAD_RESPONSE', error: 'Bad response', message: `${path} did not answer JSON` });
    }
  }

  /** Sends a change (POST, PUT, DELETE) with a JSON body, if any, and returns the JSON answer. */
  async send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await this.#send(path, { method, ...(body === undefined ? {} : { body }) });
    return (await res.json()) as T;
  }

  /** GETs a path that answers a stream (server-sent events) and returns its body as it comes. */
  async stream(path: string, options: RequestOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const res = await this.#send(path, { ...options, accept: 'text/event-stream' });
    if (!res.body) throw new ApiError({ statusCode: res.status, code: 'DASHBOARD_BAD_RESPONSE', error: 'Bad response', message: `${path} answered no stream` });
    return res.body;
  }

  /** GETs a path and returns its body as a Blob (for downloads). */
  async blob(path: string, options: RequestOptions = {}): Promise<Blob> {
    return (await this.#send(path, options)).blob();
  }

  async #send(path: string, { signal, query, method = 'GET', body, accept = 'application/json' }: RequestOptions & { readonly method?: string; readonly body?: unknown; readonly accept?: string }): Promise<Response> {
    const fetchImpl = this.#options.fetch ?? globalThis.fetch.bind(globalThis);
    let res: Response;
    try {
      res = await fetchImpl(`${this.#options.baseUrl ?? ''}${path}${queryString(query)}`, {
        method,
        headers: { authorization: `Bearer ${this.#options.token}`, accept, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new ApiError({ statusCode: 0, code: 'DASHBOARD_NETWORK', error: 'Network error', message: `the server did not answer (${(error as Error).message})` });
    }
    if (res.ok) return res;
    const error = await errorFromResponse(res);
    if (res.status === 401) this.#options.onUnauthorized?.(error);
    throw error;
  }
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The body every Locus API error leaves as (STYLE.md, HTTP). */
export interface ErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly error: string;
  readonly message: string;
}

/** Codes of errors that never reached the server or never came back as a Locus error body. */
export const CLIENT_ERROR_CODES = ['DASHBOARD_NETWORK', 'DASHBOARD_BAD_RESPONSE'] as const;

/** An API call that failed, carrying the server's `{statusCode, code, error, message}`. */
export class ApiError extends Error implements ErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly error: string;

  constructor(body: ErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.statusCode = body.statusCode;
    this.code = body.code;
    this.error = body.error;
  }
}

const isErrorBody = (v: unknown): v is ErrorBody =>
  typeof v === 'object' && v !== null && typeof (v as ErrorBody).code === 'string' && typeof (v as ErrorBody).message === 'string';

/** The error a failed response stands for: its Locus body when it has one, else its status. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (isErrorBody(parsed)) {
    return new ApiError({ statusCode: parsed.statusCode ?? res.status, code: parsed.code, error: parsed.error ?? res.statusText, message: parsed.message });
  }
  return new ApiError({
    statusCode: res.status,
    code: 'DASHBOARD_BAD_RESPONSE',
    error: res.statusText || `HTTP ${res.status}`,
    message: `the server answered HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
  });
}

export const isAbort = (error: unknown): boolean => error instanceof DOMException && error.name === 'AbortError';

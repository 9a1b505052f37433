import { foreignVersion, PROTOCOL_VERSIONS, readVersions, type ProtocolErrorCode } from '@locus/protocol';

/**
 * Error codes of the HTTP API. Every error leaves as `{statusCode, code, error, message}`.
 * A code keeps its meaning forever and is never reused; docs/errors.md lists every one.
 */
export const SERVER_ERRORS = {
  LOCUS_ERR_VALIDATION: { statusCode: 400, summary: 'The request does not match its schema: a wrong type, a missing or unknown field, an unknown or repeated query parameter.' },
  LOCUS_ERR_WEBHOOK_DESTINATION: { statusCode: 400, summary: "A webhook's address is not public, and the operator has not allowed it for organizations other than its own (--webhook-allow)." },
  LOCUS_ERR_MALFORMED_JSON: { statusCode: 400, summary: 'The request body is not valid JSON (its bytes not UTF-8 included), or is empty where JSON is required.' },
  LOCUS_ERR_MALFORMED_HTTP: { statusCode: 400, summary: 'The request is not HTTP the server can read (refused before any route).' },
  LOCUS_ERR_UNAUTHENTICATED: { statusCode: 401, summary: 'No bearer token, or one the server does not know.' },
  LOCUS_ERR_FORBIDDEN: { statusCode: 403, summary: "The token's role may not do this." },
  LOCUS_ERR_NOT_FOUND: { statusCode: 404, summary: 'No such route, or no such resource in your organization.' },
  LOCUS_ERR_REQUEST_TIMEOUT: { statusCode: 408, summary: 'The request did not arrive in full in time.' },
  LOCUS_ERR_CONFLICT: { statusCode: 409, summary: 'The request clashes with what exists: a landmark moved or re-keyed, a host key already enrolled.' },
  LOCUS_ERR_BODY_TOO_LARGE: { statusCode: 413, summary: 'The request body is larger than the server accepts.' },
  LOCUS_ERR_UNSUPPORTED_MEDIA: { statusCode: 415, summary: 'The request body is not application/json, is compressed (Content-Encoding), or is said to be in a character set other than UTF-8.' },
  LOCUS_ERR_HEADERS_TOO_LARGE: { statusCode: 431, summary: 'The request headers are larger than the server accepts (16 KiB in all).' },
  LOCUS_ERR_RATE_LIMITED: { statusCode: 429, summary: 'Too many requests; retry after the time in Retry-After.' },
  LOCUS_ERR_NOT_READY: { statusCode: 503, summary: 'The server cannot reach its database.' },
  LOCUS_ERR_STOPPING: { statusCode: 503, summary: 'The server is stopping; retry after the time in Retry-After (another replica, or this one once it is back).' },
  LOCUS_ERR_SERVER: { statusCode: 500, summary: 'A bug in the server; the log has the details.' },
} as const;

export type ServerErrorCode = keyof typeof SERVER_ERRORS;

/**
 * Protocol codes (docs/errors.md, Protocol) the API answers with as errors, and their status: a
 * signed body of a protocol version the server does not read. One code for one meaning, whether
 * a landmark tells a host or a server tells an agent or a landmark.
 */
const PROTOCOL_ANSWERS = { LOCUS_ERR_PROTO_VERSION: 400 } as const satisfies Partial<Record<ProtocolErrorCode, number>>;

export type ApiErrorCode = ServerErrorCode | keyof typeof PROTOCOL_ANSWERS;

const statusOf = (code: ApiErrorCode): number => (code in PROTOCOL_ANSWERS ? PROTOCOL_ANSWERS[code as keyof typeof PROTOCOL_ANSWERS] : SERVER_ERRORS[code as ServerErrorCode].statusCode);

/** The HTTP status of every code the API answers an error with (SERVER_ERRORS, and the protocol codes it uses), or undefined for any other text. */
export const apiErrorStatus = (code: string): number | undefined => (Object.hasOwn(SERVER_ERRORS, code) || Object.hasOwn(PROTOCOL_ANSWERS, code) ? statusOf(code as ApiErrorCode) : undefined);

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly error: string;
  readonly message: string;
  /** LOCUS_ERR_PROTO_VERSION only: the protocol versions the server reads. */
  readonly versions?: readonly number[];
}

/** An error the API reports as such; anything else becomes LOCUS_ERR_SERVER. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.code = code;
  }

  get statusCode(): number {
    return statusOf(this.code);
  }

  body(): ErrorBody {
    return errorBody(this.code, this.message);
  }
}

export function errorBody(code: ApiErrorCode, message: string): ErrorBody {
  const statusCode = statusOf(code);
  const body = { statusCode, code, error: REASONS[statusCode] ?? 'Error', message };
  return code === 'LOCUS_ERR_PROTO_VERSION' ? { ...body, versions: PROTOCOL_VERSIONS } : body;
}

/**
 * The refusal of a signed body of a protocol version the server does not read (foreignVersion),
 * or undefined for any other: said as such, so that its sender holds it rather than drop it.
 */
export function versionRefusal(body: unknown): ApiError | undefined {
  const v = foreignVersion(body);
  if (v === undefined) return undefined;
  return new ApiError('LOCUS_ERR_PROTO_VERSION', `the body is of protocol version ${v}; this server reads ${readVersions()}: upgrade the server (servers first, then agents and landmarks)`);
}

/** The message of a request part that does not match its schema: where (a dotted path), then what. */
export const validationMessage = (part: string, path: readonly PropertyKey[], message: string): string => `${part} ${path.length > 0 ? `${path.map(String).join('.')}: ` : ''}${plainMessage(message)}`;

/** zod's words where they speak of its own workings: a query's number that is no number is read as NaN first. */
const plainMessage = (message: string): string => (/^(Invalid input: )?expected number, received NaN$/.test(message) ? 'must be a number' : message);

/**
 * A route hook for a signed protocol body (an agent's, a landmark's): one of a protocol version
 * the server does not read is refused as such before its schema judges it; `kept` hears of it
 * first (to keep the refusal on its sender).
 */
export const refuseForeignVersion =
  (kept?: (body: unknown, refusal: ApiError) => Promise<void>) =>
  async (request: { readonly body: unknown }): Promise<void> => {
    const refusal = versionRefusal(request.body);
    if (!refusal) return;
    await kept?.(request.body, refusal);
    throw refusal;
  };

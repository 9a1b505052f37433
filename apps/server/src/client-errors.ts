import type { Socket } from 'node:net';
import { errorBody, SERVER_ERRORS, type ServerErrorCode } from './errors.js';

function refusal(error: NodeJS.ErrnoException): [ServerErrorCode, string] {
  if (error.code === 'HPE_HEADER_OVERFLOW') return ['LOCUS_ERR_HEADERS_TOO_LARGE', 'the request headers are larger than the server accepts (16 KiB in all)'];
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return ['LOCUS_ERR_REQUEST_TIMEOUT', 'the request did not arrive in full in time'];
  return ['LOCUS_ERR_MALFORMED_HTTP', `the request is not HTTP the server can read (${error.code ?? error.message})`];
}

/**
 * Fastify's clientErrorHandler: a request Node's HTTP parser refused before any route (headers
 * too large, a request too slow, bytes that are not HTTP) is answered in the API's error
 * envelope, with a code, as every other error is, where Fastify's own answer has none.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message] = refusal(error);
  const body = errorBody(code, message);
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${SERVER_ERRORS[code].statusCode} ${body.error}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  }
  socket.destroy(error);
}

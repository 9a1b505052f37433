import type { FastifyInstance } from 'fastify';
import { errorBody } from './errors.js';

/**
 * Fastify's options for closeConnectionsWhenClosing: a request that comes while the server is
 * closing is answered by it, in the API's error envelope, rather than by Fastify's own 503.
 */
export const CLOSING_OPTIONS = Object.freeze({ return503OnClosing: false });

/**
 * Lets a closing server close its connections as their requests end. Closing, Fastify stops
 * listening and closes the connections idle at that moment, then waits for the others to close;
 * a keep-alive connection whose request was still being answered stays open after its answer,
 * idle, until its keep-alive timeout (72 s): a server stopped while an agent's batch or a
 * landmark's delivery was in flight took that long to stop. Once closing, every answer says
 * `Connection: close` (Node ends the connection after it), and a connection whose answer was
 * already on its way when the close began is closed once idle. A request that comes meanwhile
 * (on a connection still open) is refused: 503 LOCUS_ERR_STOPPING with Retry-After, as agents
 * and landmarks retry. Give Fastify CLOSING_OPTIONS.
 */
export function closeConnectionsWhenClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Callbacks rather than async functions: every request, ingest's included, passes these.
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    reply.code(503).header('retry-after', '1').send(errorBody('LOCUS_ERR_STOPPING', 'the server is stopping; retry after the time in Retry-After'));
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing && !reply.raw.headersSent) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (_request, _reply, done) => {
    // After Node has put the connection back to idle (it hears of the finish first).
    if (closing) setImmediate(() => app.server.closeIdleConnections());
    done();
  });
}

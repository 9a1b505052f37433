import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app.js';
import { hasPermission, requirePermission } from '../auth.js';
import { CHANGE_KINDS, type ChangeKind } from '../changes.js';
import { ApiError } from '../errors.js';
import { SECURITY_HEADERS } from '../security-headers.js';

/** Changes that come together are told in one event, this long after the first of them. */
export const CHANGE_COALESCE_MS = 250;

export interface ChangeStreamOptions {
  /** A comment this often keeps proxies from closing a quiet stream, and the token is checked again. */
  readonly heartbeatMs: number;
  /** Streams one server process keeps open at once; past it, 429. */
  readonly max: number;
}

export const DEFAULT_CHANGE_STREAMS: ChangeStreamOptions = Object.freeze({ heartbeatMs: 15_000, max: 1_000 });

/** What auditors hear of: they read verdicts, not the live inventory. */
const AUDITOR_KINDS: readonly ChangeKind[] = ['verdicts'];

/**
 * `GET /api/v1/changes`: server-sent events telling which kinds of the caller's organization's
 * data changed (alerts, verdicts, nodes and zones, agent events), on this server or, through
 * ChangeRelay, on a replica, so that a dashboard reloads them at once instead of at its next poll.
 * Kinds only: what changed is read from the API as usual.
 */
export const changeRoutes =
  (ctx: AppContext, { heartbeatMs, max }: ChangeStreamOptions = DEFAULT_CHANGE_STREAMS): FastifyPluginAsyncZod =>
  async (app) => {
    const open = new Set<ServerResponse>();
    let closing = false;
    // Open streams would hold a closing server up: they end first, and one whose token was
    // still being checked when the close began ends as soon as it has begun.
    app.addHook('preClose', async () => {
      closing = true;
      for (const res of open) res.end();
    });

    app.get(
      '/changes',
      {
        schema: {
          summary: "Server-sent events naming the kinds of the org's data that changed, for a dashboard to reload them at once",
          description: [
            'A `text/event-stream` that stays open. First `retry: 5000` and `event: ready` with `{"kinds": [...]}`: the kinds this token hears of (`alerts`, `verdicts`, `nodes` (nodes, zones and GPUs), `events` (agent events: health, Xid, inventory); auditors `verdicts` only).',
            `Then \`event: change\` with \`{"kinds": [...], "at": "<ISO 8601>"}\` whenever some changed (changes within ${CHANGE_COALESCE_MS} ms of each other in one event), and a \`: keep-alive\` comment every ${heartbeatMs / 1000} s, when the token is checked again: the stream ends once it no longer works.`,
            'Only kinds, never data. Replicas on one PostgreSQL database tell each other what changed on them, so a stream from any replica hears of every change; poll as well, for what changed while a stream or a replica was down.',
          ].join(' '),
          tags: ['fleet'],
        },
      },
      async (request, reply) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'verdicts:read');
        if (open.size >= max) {
          reply.header('retry-after', '30');
          throw new ApiError('LOCUS_ERR_RATE_LIMITED', `this server already keeps ${open.size} change streams open; retry after the time in Retry-After`);
        }
        const kinds: readonly ChangeKind[] = hasPermission(caller, 'fleet:read') ? CHANGE_KINDS : AUDITOR_KINDS;
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'close' });
        // HEAD: the GET's headers, and no stream to keep open.
        if (request.method === 'HEAD' || closing) return void res.end();
        res.write(`retry: 5000\n\nevent: ready\ndata: ${JSON.stringify({ kinds })}\n\n`);
        open.add(res);

        let pending = new Set<ChangeKind>();
        let flushTimer: NodeJS.Timeout | undefined;
        const flush = () => {
          flushTimer = undefined;
          res.write(`event: change\ndata: ${JSON.stringify({ kinds: CHANGE_KINDS.filter((k) => pending.has(k)), at: ctx.clock.now().toISOString() })}\n\n`);
          pending = new Set();
        };
        const unsubscribe = ctx.changes.subscribe(caller.orgId, (kind) => {
          if (!kinds.includes(kind)) return;
          pending.add(kind);
          flushTimer ??= setTimeout(flush, CHANGE_COALESCE_MS);
        });
        const heartbeat = setInterval(() => {
          ctx.caller(request).then(
            () => res.write(': keep-alive\n\n'),
            () => res.end(),
          );
        }, heartbeatMs);
        res.on('close', () => {
          open.delete(res);
          unsubscribe();
          clearInterval(heartbeat);
          clearTimeout(flushTimer);
        });
      },
    );
  };

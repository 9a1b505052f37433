import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Name } from '@locus/protocol';
import { ROLES, type TokenRecord } from '@locus/storage';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { PERMISSIONS, grantableBy, hashToken, newToken, requirePermission } from '../auth.js';
import { isoTime as iso } from '../clock.js';
import { DEFAULT_ORG } from '../config.js';
import { ApiError } from '../errors.js';

/** The longest name a token may have, and the longest life (5 years): the API's and `locus admin create-token`'s. */
export const TOKEN_NAME_MAX_CHARS = 200;
export const TOKEN_MAX_LIFETIME_S = 5 * 365 * 86_400;

const Params = z.object({ id: z.string().min(1).max(100) });
/** `GET /api/v1/me`. */
const Me = z.object({
  orgId: z.string(),
  role: z.enum(ROLES),
  tokenId: z.string(),
  name: z.string().nullable(),
  permissions: z.array(z.string()),
  /** The server operator's organization: it keeps the landmarks and reads their status. */
  operator: z.boolean(),
});
/** A token as the API shows it (tokenView): never the token itself, but once when it is made. */
const TokenView = z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES), createdAt: z.string().nullable(), lastUsedAt: z.string().nullable(), expiresAt: z.string().nullable() });
const TokenBody = z.strictObject({
  /** Who or what holds it: a person, or a system such as "grafana". */
  name: Name.max(TOKEN_NAME_MAX_CHARS),
  role: z.enum(ROLES),
  expiresInS: z.number().int().min(60).max(TOKEN_MAX_LIFETIME_S).optional(),
});

const tokenView = (t: TokenRecord) => ({ id: t.id, name: t.name, role: t.role, createdAt: iso(t.created_at), lastUsedAt: iso(t.last_used_at), expiresAt: iso(t.expires_at) });

/** API tokens of the caller's org: one per person or system, each with a role. */
export const tokenRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/me', { schema: { summary: "Who the token is: its org, role and what the role may do (the dashboard shapes itself to it), and whether its org is the server operator's", tags: ['tokens'], response: { 200: Me } } }, async (request) => {
      const caller = await ctx.caller(request);
      const token = await ctx.repos.tokens.get(caller.orgId, caller.tokenId);
      const permissions = Object.entries(PERMISSIONS).flatMap(([p, roles]) => ((roles as readonly string[]).includes(caller.role) ? [p] : []));
      // The operator's organization keeps the landmarks and alone reads their status.
      return { orgId: caller.orgId, role: caller.role, tokenId: caller.tokenId, name: token?.name ?? null, permissions, operator: caller.orgId === DEFAULT_ORG };
    });

    app.get('/tokens', { schema: { summary: "The org's API tokens (never the tokens themselves)", tags: ['tokens'], response: { 200: z.object({ tokens: z.array(TokenView.extend({ current: z.boolean().describe('the token asking') })) }) } } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'tokens:manage');
      return { tokens: (await ctx.repos.tokens.list(caller.orgId)).map((t) => ({ ...tokenView(t), current: t.id === caller.tokenId })) };
    });

    app.post(
      '/tokens',
      { schema: { summary: 'Make an API token for a person or system; the token is shown once. Admins cannot make owners.', tags: ['tokens'], body: TokenBody, response: { 201: TokenView.extend({ token: z.string().describe('shown once') }) } } },
      async (request, reply) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'tokens:manage');
        const { name, role, expiresInS } = request.body;
        if (!grantableBy(caller.role).includes(role)) throw new ApiError('LOCUS_ERR_FORBIDDEN', `role ${caller.role} may not make ${role} tokens`);
        const now = ctx.clock.now().getTime();
        const token = newToken();
        const record: TokenRecord = { id: randomUUID(), org_id: caller.orgId, name, role, hash: hashToken(token), created_at: now, last_used_at: null, expires_at: expiresInS === undefined ? null : now + expiresInS * 1000 };
        await ctx.repos.tokens.create(record);
        return reply.code(201).send({ ...tokenView(record), token });
      },
    );

    app.delete('/tokens/:id', { schema: { summary: "Revoke a token (not the org's last working owner token)", tags: ['tokens'], params: Params, response: { 200: z.object({ revoked: z.literal(true) }) } } }, async (request) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'tokens:manage');
      const target = await ctx.repos.tokens.get(caller.orgId, request.params.id);
      if (!target) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no token "${request.params.id}"`);
      if (!grantableBy(caller.role).includes(target.role)) throw new ApiError('LOCUS_ERR_FORBIDDEN', `role ${caller.role} may not revoke ${target.role} tokens`);
      const outcome = await ctx.repos.tokens.revoke(caller.orgId, target.id, ctx.clock.now().getTime());
      if (outcome === 'absent') throw new ApiError('LOCUS_ERR_NOT_FOUND', `no token "${request.params.id}"`);
      if (outcome === 'last-owner') throw new ApiError('LOCUS_ERR_CONFLICT', "this is the org's last working owner token: make another owner token first");
      return { revoked: true as const };
    });
  };

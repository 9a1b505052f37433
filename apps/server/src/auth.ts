import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Role, TokenRepo } from '@locus/storage';
import { ApiError } from './errors.js';

export interface Caller {
  readonly orgId: string;
  readonly role: Role;
  readonly tokenId: string;
}

/** A new API token: recognisable by its prefix, 256 random bits. */
export const newToken = (): string => `locus_${randomBytes(32).toString('base64url')}`;

/** Tokens are stored and looked up by this hash only. */
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** What each role may do. Auditors read verdicts, proofs, landmarks and the signed reports others made, not the live inventory (making a report reads it: `fleet:read`). */
export const PERMISSIONS = {
  'fleet:read': ['owner', 'admin', 'viewer'],
  'fleet:write': ['owner', 'admin'],
  'verdicts:read': ['owner', 'admin', 'viewer', 'auditor'],
  'landmarks:read': ['owner', 'admin', 'viewer', 'auditor'],
  'landmarks:write': ['owner', 'admin'],
  'reports:read': ['owner', 'admin', 'viewer', 'auditor'],
  'tokens:manage': ['owner', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export async function authenticate(request: FastifyRequest, tokens: TokenRepo, now: Date): Promise<Caller> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) throw new ApiError('LOCUS_ERR_UNAUTHENTICATED', 'send "Authorization: Bearer <token>"');
  const record = await tokens.findByHash(hashToken(match[1]!));
  if (!record) throw new ApiError('LOCUS_ERR_UNAUTHENTICATED', 'unknown token');
  if (record.expires_at !== null && record.expires_at <= now.getTime()) throw new ApiError('LOCUS_ERR_UNAUTHENTICATED', `the token expired at ${new Date(record.expires_at).toISOString()}`);
  if (record.last_used_at === null || now.getTime() - record.last_used_at > 60_000) await tokens.touch(record.id, now.getTime());
  return { orgId: record.org_id, role: record.role, tokenId: record.id };
}

/** Roles a caller may grant or revoke: an owner any, an admin all but owner. */
export const grantableBy = (role: Role): readonly Role[] => (role === 'owner' ? ['owner', 'admin', 'viewer', 'auditor'] : role === 'admin' ? ['admin', 'viewer', 'auditor'] : []);

export const hasPermission = (caller: Caller, permission: Permission): boolean => (PERMISSIONS[permission] as readonly Role[]).includes(caller.role);

export function requirePermission(caller: Caller, permission: Permission): void {
  if (!hasPermission(caller, permission)) {
    const holders = PERMISSIONS[permission] as readonly Role[];
    throw new ApiError('LOCUS_ERR_FORBIDDEN', `role ${caller.role} lacks the permission ${permission}, which ${holders.join(' and ').replace(/ and (?=.* and )/g, ', ')} tokens have`);
  }
}

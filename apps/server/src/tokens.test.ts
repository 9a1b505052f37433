import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from './test-support.js';

let s: TestServer;
let owner: { authorization: string };
beforeEach(async () => {
  s = await testServer();
  owner = await s.tokenFor('org-a', 'owner');
});
afterEach(async () => s.close());

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: { authorization: string }, payload?: object) =>
  s.app.inject(payload === undefined ? { method, url, headers } : { method, url, headers, payload });
type Token = { id: string; name: string; role: string; token?: string; expiresAt: string | null; lastUsedAt: string | null; current?: boolean };
const make = async (body: object, headers = owner) => {
  const res = await call('POST', '/api/v1/tokens', headers, body);
  return { status: res.statusCode, body: res.json() as Token & { code?: string; message?: string } };
};
const bearer = (t: Token) => ({ authorization: `Bearer ${t.token}` });

describe('API tokens', () => {
  it('are made for a person or system with a role, shown once, listed without the secret, and work at once', async () => {
    const made = await make({ name: 'grafana', role: 'viewer' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'grafana', role: 'viewer', expiresAt: null, token: expect.stringMatching(/^locus_[\w-]{43}$/) });
    expect((await call('GET', '/api/v1/nodes', bearer(made.body))).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/zones', bearer(made.body), { name: 'z' })).json()).toMatchObject({ statusCode: 403, code: 'LOCUS_ERR_FORBIDDEN', message: 'role viewer lacks the permission fleet:write, which owner and admin tokens have' });
    const list = (await call('GET', '/api/v1/tokens', owner)).json() as { tokens: Token[] };
    expect(list.tokens.map((t) => [t.name, t.role, t.current])).toEqual([
      ['owner', 'owner', true],
      ['grafana', 'viewer', false],
    ]);
    expect(JSON.stringify(list)).not.toContain(made.body.token);
    expect(list.tokens[1]!.lastUsedAt).not.toBeNull();
  });

  it('expire', async () => {
    const made = await make({ name: 'ci', role: 'admin', expiresInS: 3600 });
    expect(made.body.expiresAt).toBe(new Date(s.clock.now().getTime() + 3_600_000).toISOString());
    expect((await call('GET', '/api/v1/nodes', bearer(made.body))).statusCode).toBe(200);
    s.clock.advance(3_600_000);
    const res = await call('GET', '/api/v1/nodes', bearer(made.body));
    expect(res.json()).toMatchObject({ statusCode: 401, code: 'LOCUS_ERR_UNAUTHENTICATED', message: expect.stringMatching(/^the token expired at 2026-11-29T13:00:00.000Z/) });
  });

  it('are revoked, and stop working; the last working owner token cannot be', async () => {
    const viewer = await make({ name: 'grafana', role: 'viewer' });
    expect((await call('DELETE', `/api/v1/tokens/${viewer.body.id}`, owner)).json()).toEqual({ revoked: true });
    expect((await call('GET', '/api/v1/nodes', bearer(viewer.body))).statusCode).toBe(401);
    const mine = ((await call('GET', '/api/v1/tokens', owner)).json() as { tokens: Token[] }).tokens[0]!;
    expect((await call('DELETE', `/api/v1/tokens/${mine.id}`, owner)).json()).toMatchObject({ statusCode: 409, code: 'LOCUS_ERR_CONFLICT', message: expect.stringMatching(/last working owner token/) });
    const second = await make({ name: 'bob', role: 'owner' });
    expect((await call('DELETE', `/api/v1/tokens/${mine.id}`, bearer(second.body))).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/tokens', owner)).statusCode).toBe(401);
  });

  it('keep admins from making or revoking owners, and viewers and auditors from managing tokens', async () => {
    const admin = await make({ name: 'ops', role: 'admin' });
    expect((await make({ name: 'x', role: 'owner' }, bearer(admin.body))).body).toMatchObject({ statusCode: 403, message: 'role admin may not make owner tokens' });
    expect((await make({ name: 'x', role: 'auditor' }, bearer(admin.body))).status).toBe(201);
    const mine = ((await call('GET', '/api/v1/tokens', owner)).json() as { tokens: Token[] }).tokens[0]!;
    expect((await call('DELETE', `/api/v1/tokens/${mine.id}`, bearer(admin.body))).json()).toMatchObject({ statusCode: 403, message: 'role admin may not revoke owner tokens' });
    for (const role of ['viewer', 'auditor'] as const) {
      const h = await s.tokenFor('org-a', role);
      expect((await call('GET', '/api/v1/tokens', h)).json()).toMatchObject({ statusCode: 403, message: `role ${role} lacks the permission tokens:manage, which owner and admin tokens have` });
      expect((await make({ name: 'x', role: 'viewer' }, h)).status).toBe(403);
    }
  });

  it('refuse bad input with a code', async () => {
    expect((await make({ name: '', role: 'viewer' })).body).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION' });
    expect((await make({ name: 'x', role: 'root' })).body).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION' });
    expect((await make({ name: 'x', role: 'viewer', expiresInS: 1 })).body).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION' });
    expect((await make({ name: 'x', role: 'viewer', extra: true })).body).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION' });
    expect((await call('DELETE', '/api/v1/tokens/nope', owner)).json()).toMatchObject({ statusCode: 404, code: 'LOCUS_ERR_NOT_FOUND' });
  });
});

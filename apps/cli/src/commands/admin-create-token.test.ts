import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { buildApp, DEFAULT_SERVER_CONFIG, systemClock } from '@locus/server';
import { openStorage } from '@locus/storage';
import { runLocus } from '../test-support.js';
import { parseDurationMs } from './admin-create-token.js';

const world = naturalEarthWorld();

/** Asks a server on the same database what the token may do. */
async function tryToken(url: string, token: string): Promise<{ nodes: number; zones: number; tokens: number }> {
  const storage = await openStorage(url);
  const app = await buildApp({ storage, world, config: DEFAULT_SERVER_CONFIG, clock: systemClock });
  try {
    const headers = { authorization: `Bearer ${token}` };
    const [nodes, zones, tokens] = await Promise.all(['/api/v1/nodes', '/api/v1/zones', '/api/v1/tokens'].map((u) => app.inject({ method: 'GET', url: u, headers })));
    return { nodes: nodes!.statusCode, zones: zones!.statusCode, tokens: tokens!.statusCode };
  } finally {
    await app.close();
    await storage.close();
  }
}

describe('locus admin create-token', () => {
  it('makes a token in the database that a server then accepts, with its role', async () => {
    const url = `sqlite:${join(mkdtempSync(join(tmpdir(), 'locus-admin-')), 'locus.db')}`;
    const r = await runLocus(['admin', 'create-token', '--name', 'alice', '--role', 'owner', '--database-url', url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^locus_[\w-]{43}\n$/);
    expect(r.stderr).toBe('made an owner token "alice" for organization "default"; it is shown once, below: keep it in a secret store\n');
    expect(await tryToken(url, r.stdout.trim())).toEqual({ nodes: 200, zones: 200, tokens: 200 });
    const auditor = await runLocus(['admin', 'create-token', '--name', 'audit firm', '--role', 'auditor', '--expires-in', '90d', '--database-url', url]);
    expect(auditor.stderr).toMatch(/an auditor token "audit firm" for organization "default", expiring \d{4}-/);
    expect(await tryToken(url, auditor.stdout.trim())).toEqual({ nodes: 403, zones: 200, tokens: 403 });
  });

  it('makes a new organization only when asked to', async () => {
    const url = `sqlite:${join(mkdtempSync(join(tmpdir(), 'locus-admin-')), 'locus.db')}`;
    const typo = await runLocus(['admin', 'create-token', '--name', 'x', '--role', 'owner', '--org', 'acme', '--database-url', url]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/LOCUS_ERR_INPUT_REFERENCE: locus admin create-token: no organization "acme" in .*\n.*--create-org/);
    expect(typo.stdout).toBe('');
    const made = await runLocus(['admin', 'create-token', '--name', 'x', '--role', 'owner', '--org', 'acme', '--create-org', '--database-url', url]);
    expect(made.code).toBe(0);
    expect(made.stderr).toMatch(/^made organization "acme"\n/);
  });

  it.each([
    [['--role', 'owner'], /--name is required/],
    [['--name', 'x'], /--role must be one of owner, admin, viewer, auditor/],
    [['--name', 'x', '--role', 'root'], /got "root"/],
    [['--name', 'x', '--role', 'viewer', '--org', 'Bad Org'], /is not an organization id/],
    [['--name', 'x', '--role', 'viewer', '--expires-in', '10'], /is not a duration from a minute to 1825d/],
    [['--name', 'x', '--role', 'viewer', '--expires-in', '30s'], /is not a duration from a minute to 1825d/],
    [['--name', 'x', '--role', 'viewer', '--expires-in', '1826d'], /--expires-in "1826d" is not a duration from a minute to 1825d/],
    [['--name', 'n'.repeat(201), '--role', 'viewer'], /--name has 201 characters; at most 200$/m],
    [['--name', 'ci\u001b[2J', '--role', 'viewer'], /--name holds U\+001B, a control character, which a name may not hold$/m],
    [['--name', 'x', '--role', 'viewer', '--database-url', 'mysql://x'], /database URL must start with/],
  ])('refuses %j with a usage error', async (args, message) => {
    const r = await runLocus(['admin', 'create-token', ...args, '--data-dir', mkdtempSync(join(tmpdir(), 'locus-admin-'))]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it("refuses a data dir with no server's database, naming locus start's when it is the one given", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locus-admin-'));
    const args = ['admin', 'create-token', '--name', 'x', '--role', 'owner', '--data-dir', dir];
    const empty = await runLocus(args);
    expect(empty.code).toBe(1);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toMatch(new RegExp(`^locus: error LOCUS_ERR_DATABASE: locus admin create-token: no server database in ${dir} \\(no locus\\.db there\\)\n.*locus server migrate --data-dir DIR`));
    expect(existsSync(join(dir, 'locus.db'))).toBe(false);
    // As \`locus start\` lays it out: its server's database in DIR/server.
    expect((await runLocus(['server', 'migrate', '--data-dir', join(dir, 'server')])).code).toBe(0);
    const nested = await runLocus(args);
    expect(nested.code).toBe(1);
    expect(nested.stderr).toMatch(new RegExp(`its server's database is in ${join(dir, 'server')}: --data-dir ${join(dir, 'server')}`));
    const made = await runLocus([...args.slice(0, -1), join(dir, 'server')]);
    expect(made.code).toBe(0);
    expect(await tryToken(`sqlite:${join(dir, 'server', 'locus.db')}`, made.stdout.trim())).toEqual({ nodes: 200, zones: 200, tokens: 200 });
  });

  it('reads durations', () => {
    expect([parseDurationMs('90d'), parseDurationMs('12h'), parseDurationMs('30m'), parseDurationMs('45s')]).toEqual([90 * 86_400_000, 12 * 3_600_000, 1_800_000, 45_000]);
    expect([parseDurationMs('1w'), parseDurationMs('-1d'), parseDurationMs('d')]).toEqual([undefined, undefined, undefined]);
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { parseKeyFile } from '@locus/protocol';
import { startServer, type RunningServer } from '@locus/server';
import { CONTENT_SECURITY_POLICY } from '../../apps/server/src/security-headers.js';
import { runLocus } from '../../apps/cli/src/test-support.js';
import { recordFigures } from './figures.js';

/**
 * Hardening: secrets on disk readable by their owner only, tokens stored as hashes, security
 * headers and a strict CSP on the dashboard, no secret in any log, and no high or critical
 * advisory in the production dependencies.
 */
const root = resolve(fileURLToPath(import.meta.url), '../../..');
const DIST = join(root, 'apps/dashboard/dist');
const ADMIN = 'locus_hardening-admin-token-0123456789';
const figures: Record<string, number | string> = {};
const log: string[] = [];
const secrets = new Map<string, string>([['admin token', ADMIN]]);

let dataDir: string;
let server: RunningServer;
let stateDir: string;
const auth = { authorization: `Bearer ${ADMIN}` };

const modeOf = (path: string): number => statSync(path).mode & 0o777;
const call = async (method: string, path: string, body?: object, headers: Record<string, string> = auth) => {
  const res = await fetch(`${server.url}${path}`, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, headers: res.headers, text: await res.text() };
};

beforeAll(async () => {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html is missing: run \`npm run build\` first`);
  dataDir = join(mkdtempSync(join(tmpdir(), 'locus-hardening-')), 'server-data');
  // Every line the server logs, at its most talkative, is kept for the grep below.
  const stream = { write: (line: string) => void log.push(line) };
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir, adminToken: ADMIN, world: naturalEarthWorld(), logger: { level: 'trace', stream }, dashboardDir: DIST });

  // A working fleet's secrets: an API token, an enrollment token, an agent's key, a landmark's key, the report key.
  const made = JSON.parse((await call('POST', '/api/v1/tokens', { name: 'grafana', role: 'viewer' })).text) as { token: string };
  secrets.set('API token', made.token);
  expect((await call('GET', '/api/v1/nodes', undefined, { authorization: `Bearer ${made.token}` })).status).toBe(200);
  const enrollment = JSON.parse((await call('POST', '/api/v1/enrollment-tokens', {})).text) as { token: string };
  secrets.set('enrollment token', enrollment.token);
  stateDir = join(mkdtempSync(join(tmpdir(), 'locus-hardening-agent-')), 'state');
  const tokenFile = join(tmpdir(), `locus-hardening-token-${process.pid}`);
  writeFileSync(tokenFile, enrollment.token, { mode: 0o600 });
  const enrolled = await runLocus(['agent', 'enroll', '--server', server.url, '--token-file', tokenFile, '--simulate', '2xH100', '--claim', 'DE', '--state-dir', stateDir]);
  expect(enrolled.code, enrolled.stderr).toBe(0);
  log.push(enrolled.stdout, enrolled.stderr);
  const agentKey = parseKeyFile(readFileSync(join(stateDir, 'agent.key'), 'utf8'));
  if ('error' in agentKey) throw new Error(agentKey.error);
  secrets.set('agent key seed', JSON.parse(readFileSync(join(stateDir, 'agent.key'), 'utf8')).seed as string);
  const landmarkDir = join(mkdtempSync(join(tmpdir(), 'locus-hardening-lm-')), 'keys');
  const keygen = await runLocus(['landmark', 'keygen', '--out', landmarkDir]);
  expect(keygen.code, keygen.stderr).toBe(0);
  log.push(keygen.stdout, keygen.stderr);
  secrets.set('landmark key seed', JSON.parse(readFileSync(join(landmarkDir, 'landmark.key'), 'utf8')).seed as string);
  figures.landmarkKeyMode = modeOf(join(landmarkDir, 'landmark.key')).toString(8);
  expect(modeOf(join(landmarkDir, 'landmark.key'))).toBe(0o600);
  expect(modeOf(landmarkDir)).toBe(0o700);
  // Refused and failing requests are where secrets tend to leak into logs.
  await call('GET', '/api/v1/nodes', undefined, { authorization: `Bearer ${made.token}x` });
  await call('POST', '/api/v1/agents/enroll', { token: enrollment.token, hostKey: 'x' });
  await call('GET', `/api/v1/nodes?token=${encodeURIComponent('not-a-secret')}`);
  expect((await call('POST', '/api/v1/reports', { format: 'json' })).status).toBe(201);
  const reportSeed = (await server.storage.db.selectFrom('server_keys').select('seed').executeTakeFirstOrThrow()).seed;
  secrets.set('report key seed', reportSeed);
});
afterAll(async () => {
  recordFigures('hardening', figures);
  await server?.close();
});

describe('hardening', () => {
  it("writes the server's database and the agent's state readable by their owner only", () => {
    expect(modeOf(dataDir)).toBe(0o700);
    const serverFiles = readdirSync(dataDir);
    expect(serverFiles).toContain('locus.db');
    for (const f of serverFiles) expect(modeOf(join(dataDir, f)), `${dataDir}/${f}`).toBe(0o600);
    expect(modeOf(stateDir)).toBe(0o700);
    const agentFiles = readdirSync(stateDir);
    expect(agentFiles).toContain('agent.key');
    for (const f of agentFiles) expect(modeOf(join(stateDir, f)), `${stateDir}/${f}`).toBe(0o600);
    figures.secretFilesChecked = serverFiles.length + agentFiles.length + 1;
  });

  it('stores API and enrollment tokens only as hashes', async () => {
    const tables = (await server.storage.db.introspection.getTables()).map((t) => t.name);
    let dump = '';
    for (const t of tables) dump += JSON.stringify((await sql.raw(`select * from "${t}"`).execute(server.storage.db)).rows);
    expect(dump.length).toBeGreaterThan(1000);
    for (const name of ['admin token', 'API token', 'enrollment token']) expect(dump.includes(secrets.get(name)!), `${name} stored in the clear`).toBe(false);
    figures.tablesScanned = tables.length;
  });

  it('serves the dashboard with a strict CSP and the security headers, and the API with the same headers', async () => {
    const page = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    for (const path of ['/', '/api/v1/nodes', '/api/v1/nope', '/openapi.json', '/assets/missing.js']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('content-security-policy'), path).toBe(CONTENT_SECURITY_POLICY);
    }
    const docs = await fetch(`${server.url}/docs/static/index.html`);
    expect(docs.status).toBe(200);
    const docsCsp = docs.headers.get('content-security-policy')!;
    expect(docsCsp).toMatch(/default-src 'self'/);
    expect(docsCsp).not.toMatch(/https:|validator\.swagger\.io|upgrade-insecure-requests|unsafe-eval/);
    expect(docs.headers.get('x-frame-options')).toBe('DENY');
  });

  it('keeps every secret out of the logs', () => {
    const text = log.join('\n');
    expect(text.length).toBeGreaterThan(1000);
    expect(text).toMatch(/"reqId"/);
    for (const [name, value] of secrets) expect(text.includes(value), `${name} appears in the logs`).toBe(false);
    figures.logBytesScanned = text.length;
    figures.secretsSearched = secrets.size;
  });

  it('ships production dependencies with no high or critical advisory', (ctx) => {
    const audit = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    let report: { metadata?: { vulnerabilities?: Record<string, number> }; message?: string; error?: { code?: string; summary?: string } };
    try {
      report = JSON.parse(audit.stdout) as typeof report;
    } catch {
      report = {};
    }
    const counts = report.metadata?.vulnerabilities;
    if (!counts) {
      // A registry mirror without the advisory endpoint, or no network: say so, and fail only where the audit is required.
      const why = `npm audit got no advisories from the registry: ${report.message ?? report.error?.summary ?? audit.error?.message ?? audit.stderr.slice(0, 200)}`.replace(/\s+/g, ' ');
      figures.npmAudit = 'unavailable';
      if (process.env.LOCUS_REQUIRE_AUDIT === '1') throw new Error(`LOCUS_REQUIRE_AUDIT=1 but ${why}`);
      console.warn(`skipping the dependency audit (set LOCUS_REQUIRE_AUDIT=1 to make it fail): ${why}`);
      ctx.skip();
      return;
    }
    figures.npmAuditHigh = counts.high ?? 0;
    figures.npmAuditCritical = counts.critical ?? 0;
    expect({ high: counts.high, critical: counts.critical }).toEqual({ high: 0, critical: 0 });
  });
});

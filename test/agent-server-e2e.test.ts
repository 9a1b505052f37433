import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { startServer, type RunningServer } from '@locus/server';

/**
 * Real agent processes against a real server: enrollment, show-payload equal to what is sent,
 * then a long outage with a kill -9 in the middle — every event arrives once, no sample twice.
 */
const root = resolve(fileURLToPath(import.meta.url), '../..');
const bin = join(root, 'apps/cli/bin/locus.js');
const world = naturalEarthWorld();
const TOKEN = 'locus_agent-e2e';
const auth = { authorization: `Bearer ${TOKEN}` };
const children: ChildProcess[] = [];
let server: RunningServer | undefined;
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await server?.close();
});

/** Runs the CLI without blocking this process, which hosts the server the CLI talks to. */
function locus(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (status) => done({ status, stdout, stderr }));
  });
}

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 30_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('agent processes and the server', () => {
  it('enrolls, sends exactly what show-payload shows, and survives an outage and a kill -9 without losing or repeating', async () => {
    const data = mkdtempSync(join(tmpdir(), 'locus-srv-'));
    const state = mkdtempSync(join(tmpdir(), 'locus-agent-'));
    server = await startServer({ host: '127.0.0.1', port: 0, dataDir: data, adminToken: TOKEN, world });
    const url = server.url;
    const port = Number(new URL(url).port);
    const token = (await (await fetch(`${url}/api/v1/enrollment-tokens`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' })).json()) as { token: string };
    writeFileSync(join(state, 'token'), token.token);

    const enrolled = await locus(['agent', 'enroll', '--server', url, '--token-file', join(state, 'token'), '--simulate', '8xH100', '--claim', 'DE', '--state-dir', state]);
    expect(enrolled.stderr, enrolled.stderr).toBe('');
    expect(enrolled.status).toBe(0);
    const nodeId = /as node (\S+)/.exec(enrolled.stdout)![1]!;

    const shown = await locus(['agent', 'show-payload', '--simulate', '8xH100', '--state-dir', state]);
    expect(shown.status).toBe(0);
    const payload = JSON.parse(shown.stdout) as { batchId: string; events: { kind: string }[]; samples: unknown[] };
    expect(payload.events.map((e) => e.kind)).toEqual(['inventory']);
    expect(payload.samples).toHaveLength(1);

    const runAgent = () => {
      const child = spawn(process.execPath, [bin, 'agent', 'run', '--simulate', '8xH100', '--interval-s', '0.3', '--state-dir', state], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      return child;
    };
    const api = async <T>(path: string): Promise<T> => (await (await fetch(`${url}/api/v1/nodes/${nodeId}/${path}`, { headers: auth })).json()) as T;
    const events = () => api<{ events: { id: string; kind: string; body: Record<string, unknown> }[] }>('events?limit=10000').then((r) => r.events);
    const samples = () => api<{ samples: { gpu: string; at: string }[] }>('samples?limit=10000').then((r) => r.samples);

    let agent = runAgent();
    await until(async () => (await samples()).length >= 8 * 3, 'samples to arrive');
    const audit = readFileSync(join(state, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { payload: unknown });
    expect(audit[0]!.payload).toEqual(payload);

    // The server goes away; meanwhile GPU 3 falls off the bus and the agent is killed.
    await server.close();
    expect((await locus(['agent', 'inject-fault', 'xid=79', 'gpu=3', '--simulate', '8xH100', '--state-dir', state])).status).toBe(0);
    const status = async () => JSON.parse((await locus(['agent', 'status', '--json', '--state-dir', state])).stdout) as { queued: { samples: number; events: number } };
    // Killed once it has queued the fault's events (the Xid, health changes, the inventory) and
    // samples: however long that takes on a loaded machine.
    await until(async () => {
      const { queued } = await status();
      return queued.events >= 3 && queued.samples > 2;
    }, 'the events and samples to queue while the server is away');
    agent.kill('SIGKILL');
    await new Promise((r) => agent.once('exit', r));
    agent = runAgent();
    const queued = await status();
    expect(queued.queued.events).toBeGreaterThanOrEqual(3);
    expect(queued.queued.samples).toBeGreaterThan(2);

    server = await startServer({ host: '127.0.0.1', port, dataDir: data, adminToken: TOKEN, world });
    await until(async () => (await status()).queued.samples < 2, 'the queue to drain', 60_000);

    const all = await events();
    const kinds = all.map((e) => (e.kind === 'health' ? `health:${String(e.body.component)}:${String(e.body.gpu)}:${String(e.body.health)}` : e.kind));
    // Exactly once: the inventory before and after GPU 3 left, one Xid 79, and each health change once.
    expect(kinds.filter((k) => k === 'inventory')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'xid')).toHaveLength(1);
    expect(kinds.filter((k) => k.startsWith('health:'))).toEqual([...new Set(kinds.filter((k) => k.startsWith('health:')))]);
    expect(kinds.filter((k) => k.startsWith('health:gpu-count:') && k.endsWith(':unhealthy'))).toHaveLength(1);
    expect(kinds.filter((k) => k.startsWith('health:xid:') && k.endsWith(':unhealthy'))).toHaveLength(1);
    const seen = (await samples()).map((s) => `${s.gpu}@${s.at}`);
    expect(seen.length).toBe(new Set(seen).size);
    // Samples taken while the server was away arrived too.
    const gpu3 = (await samples()).filter((s) => s.gpu === (all.find((e) => e.kind === 'xid')!.body.gpu as string));
    expect(gpu3.length).toBeGreaterThan(0);

    agent.kill('SIGTERM');
    expect(await new Promise((r) => agent.once('exit', (code) => r(code)))).toBe(0);
  }, 120_000);
});

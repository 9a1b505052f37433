import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WORLD_HOSTS } from '../apps/cli/src/world/places.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/** Runs `npm start`'s command until its first verdict table, then stops it with Ctrl-C. */
async function startOnce(dataDir: string, port: number): Promise<{ stdout: string; code: number | null }> {
  const startedAt = new Date().toISOString();
  const child = spawn(process.execPath, [join(root, 'apps/cli/bin/locus.js'), 'start', '--data-dir', dataDir], { env: { ...process.env, PORT: String(port), LOCUS_ADMIN_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.resume();
  const end = performance.now() + 60_000;
  const lastRow = new RegExp(`verdicts:\\n[\\s\\S]*${WORLD_HOSTS.at(-1)!.name}.*\\n`);
  while (!lastRow.test(stdout) && performance.now() < end && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
  // The API answers while the world runs: the admin token printed works.
  const token = /admin token: (\S+)/.exec(stdout)?.[1];
  const nodes = (await (await fetch(`http://127.0.0.1:${port}/api/v1/nodes`, { headers: { authorization: `Bearer ${token}` } })).json()) as { nodes: { lastReportAt: string | null; agentVersion: string | null }[] };
  const summary = (await (await fetch(`http://127.0.0.1:${port}/api/v1/fleet/summary`, { headers: { authorization: `Bearer ${token}` } })).json()) as { zones: number; verdicts: { excluded: number } };
  // Alerts follow the measurements: wait (bounded) for the copied identity's.
  let alerts: { alerts: { kind: string; summary: string }[] } = { alerts: [] };
  for (const until = performance.now() + 30_000; performance.now() < until; await new Promise((r) => setTimeout(r, 250))) {
    alerts = (await (await fetch(`http://127.0.0.1:${port}/api/v1/alerts?state=firing`, { headers: { authorization: `Bearer ${token}` } })).json()) as typeof alerts;
    if (alerts.alerts.some((a) => a.kind === 'impossible-travel')) break;
  }
  // Agents that delivered to this start's server (its first pass goes at once).
  const reported = nodes.nodes.filter((n) => n.lastReportAt !== null && n.lastReportAt >= startedAt).length;
  stdout += `\nNODES ${nodes.nodes.length}\nREPORTED ${reported}\nAGENTS ${JSON.stringify([...new Set(nodes.nodes.map((n) => n.agentVersion))])}\nSUMMARY ${JSON.stringify(summary)}\nALERTS ${JSON.stringify(alerts.alerts.map((a) => `${a.kind} ${a.summary.split(':')[0]}`))}\n`;
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { stdout, code };
}

describe('npm start (locus start)', () => {
  it('runs a live world whose verdicts exclude honest hosts, never the smuggled one, and reuses its data on a second start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'locus-world-'));
    const port = await freePort();
    const first = await startOnce(dataDir, port);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`NODES ${WORLD_HOSTS.length}\n`));
    const summary = JSON.parse(/SUMMARY (.*)/.exec(first.stdout)![1]!) as { zones: number; verdicts: { excluded: number } };
    expect(summary.zones).toBeGreaterThanOrEqual(3);
    expect(summary.verdicts.excluded).toBeGreaterThanOrEqual(1);
    expect(first.stdout).toMatch(/ap-southeast \(Singapore\) +3 node\(s\) +restricted possible|ap-southeast \(Singapore\) +2 node\(s\) +restricted possible/);
    const rows = first.stdout.split('\n').filter((l) => /^(va|fra|sin|lon)-/.test(l));
    expect(rows).toHaveLength(WORLD_HOSTS.length);
    expect(rows.filter((r) => /\bexcluded\b/.test(r)).length).toBeGreaterThanOrEqual(3);
    const smuggled = rows.find((r) => r.startsWith('sin-h100-07'))!;
    expect(smuggled).toMatch(/Shenzhen/);
    expect(smuggled).not.toMatch(/\bexcluded\b/);
    expect(smuggled).not.toMatch(/\bverified\b/);
    // The copied identity: one key answering from Slough and from Guangzhou.
    const copied = rows.find((r) => r.startsWith('lon-h100-01'))!;
    expect(copied).toMatch(/a copy in Guangzhou/);
    expect(copied).not.toMatch(/\bexcluded\b/);
    const alerts = JSON.parse(/ALERTS (.*)/.exec(first.stdout)![1]!) as string[];
    expect(alerts).toContain('impossible-travel lon-h100-01');
    expect(alerts.some((a) => a.startsWith('restricted sin-h100-07'))).toBe(true);
    const token = /admin token: (\S+)/.exec(first.stdout)![1];

    expect(first.stdout).toMatch(new RegExp(`REPORTED ${WORLD_HOSTS.length}\nAGENTS \\["\\d+\\.\\d+\\.\\d+"\\]\n`));

    // Again on another port: the enrolled agents report to it, not to the port they enrolled at.
    const second = await startOnce(dataDir, await freePort());
    expect(second.code).toBe(0);
    expect(/admin token: (\S+)/.exec(second.stdout)![1]).toBe(token);
    expect(second.stdout).toMatch(new RegExp(`NODES ${WORLD_HOSTS.length}\nREPORTED ${WORLD_HOSTS.length}\n`));
  }, 180_000);

  it('says what to do with a data dir first started with LOCUS_ADMIN_TOKEN, started again without it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'locus-world-'));
    const args = [join(root, 'apps/cli/bin/locus.js'), 'start', '--port', '0', '--data-dir', dataDir];
    // First with the token given: stopped with Ctrl-C once it says it runs.
    const first = spawn(process.execPath, args, { env: { ...process.env, LOCUS_ADMIN_TOKEN: 'locus_world_token_given_once' }, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    first.stdout.on('data', (d) => (out += d));
    for (const end = performance.now() + 60_000; !out.includes('Waiting for the first verdicts') && performance.now() < end && first.exitCode === null; ) await new Promise((r) => setTimeout(r, 100));
    first.kill('SIGINT');
    expect(await new Promise((r) => first.once('exit', r))).toBe(0);
    const again = spawnSync(process.execPath, args, { env: { ...process.env, LOCUS_ADMIN_TOKEN: '' }, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    expect(again.stderr).toBe(`locus: error LOCUS_ERR_CLI_USAGE: locus start: this data dir keeps no owner token of its own (${join(dataDir, 'admin-token')} is absent: its server was first started with LOCUS_ADMIN_TOKEN set, or the file was removed)\nSet LOCUS_ADMIN_TOKEN to the token it was first started with, or start a new world: --data-dir DIR.\n`);
    expect(again.status).toBe(2);
  }, 120_000);
});

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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
  const child = spawn(process.execPath, [join(root, 'apps/cli/bin/locus.js'), 'start', '--data-dir', dataDir], { env: { ...process.env, PORT: String(port), LOCUS_ADMIN_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.resume();
  const end = performance.now() + 60_000;
  while (!/verdicts:\n[\s\S]*sin-h100-07.*\n/.test(stdout) && performance.now() < end && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
  // The API answers while the world runs: the admin token printed works.
  const token = /admin token: (\S+)/.exec(stdout)?.[1];
  const nodes = (await (await fetch(`http://127.0.0.1:${port}/api/v1/nodes`, { headers: { authorization: `Bearer ${token}` } })).json()) as { nodes: unknown[] };
  const summary = (await (await fetch(`http://127.0.0.1:${port}/api/v1/fleet/summary`, { headers: { authorization: `Bearer ${token}` } })).json()) as { zones: number; verdicts: { excluded: number } };
  stdout += `\nNODES ${nodes.nodes.length}\nSUMMARY ${JSON.stringify(summary)}\n`;
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
    expect(first.stdout).toMatch(/NODES 6/);
    const summary = JSON.parse(/SUMMARY (.*)/.exec(first.stdout)![1]!) as { zones: number; verdicts: { excluded: number } };
    expect(summary.zones).toBeGreaterThanOrEqual(3);
    expect(summary.verdicts.excluded).toBeGreaterThanOrEqual(1);
    expect(first.stdout).toMatch(/ap-southeast \(Singapore\) +3 node\(s\) +restricted possible|ap-southeast \(Singapore\) +2 node\(s\) +restricted possible/);
    const rows = first.stdout.split('\n').filter((l) => /^(va|fra|sin)-/.test(l));
    expect(rows).toHaveLength(6);
    expect(rows.filter((r) => /\bexcluded\b/.test(r)).length).toBeGreaterThanOrEqual(3);
    const smuggled = rows.find((r) => r.startsWith('sin-h100-07'))!;
    expect(smuggled).toMatch(/Shenzhen/);
    expect(smuggled).not.toMatch(/\bexcluded\b/);
    expect(smuggled).not.toMatch(/\bverified\b/);
    const token = /admin token: (\S+)/.exec(first.stdout)![1];

    const second = await startOnce(dataDir, port);
    expect(second.code).toBe(0);
    expect(/admin token: (\S+)/.exec(second.stdout)![1]).toBe(token);
    expect(second.stdout).toMatch(/NODES 6/);
  }, 180_000);
});

import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { startLandmarkServer, type LandmarkServer } from '@locus/landmark';
import { generateSigningKey } from '@locus/protocol';
import { startServer, type RunningServer } from '@locus/server';
import { runLocus } from '../test-support.js';

const hasDriver = existsSync('/proc/driver/nvidia/version');
let server: RunningServer;
let landmark: LandmarkServer;
beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'locus-srv-')), adminToken: 'locus_precheck-admin', world: naturalEarthWorld() });
  const key = generateSigningKey();
  landmark = await startLandmarkServer({ info: { id: 'fra-1', name: 'Frankfurt', country: 'DE', lat: 50.11, lon: 8.68, publicKey: key.publicKey }, key: key.privateKey, config: { measureEveryMs: 3_600_000, firstMeasureAfterMs: 3_600_000 } });
});
afterAll(async () => {
  await landmark.close();
  await server.close();
});

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

interface Report {
  ok: boolean;
  checks: { check: string; status: string; detail: string; fix?: string }[];
}

describe('locus agent precheck against real servers on loopback', () => {
  it('reaches the server and a landmark, names the one that does not answer, and fails on this GPU-less host', async () => {
    const dead = `ws://127.0.0.1:${await closedPort()}/v1/timing`;
    const r = await runLocus(['agent', 'precheck', '--server', server.url, '--landmark', landmark.url, '--landmark', dead, '--json', '--timeout-s', '3', '--state-dir', mkdtempSync(join(tmpdir(), 'locus-agent-'))]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.ok).toBe(false);
    const get = (check: string) => report.checks.filter((c) => c.check === check);
    expect(get('server')).toEqual([{ check: 'server', status: 'ok', detail: expect.stringMatching(new RegExp(`^${server.url}/healthz answered in \\d+ ms; it reads protocol version\\(s\\) 1, this agent writes 1$`)) }]);
    expect(get('landmark').map((c) => c.status)).toEqual(['ok', 'fail']);
    expect(get('landmark')[1]).toMatchObject({ detail: `${dead}: ECONNREFUSED`, fix: expect.stringMatching(/outbound TCP/) });
    // Without an NVIDIA driver (as on the machines that run this suite) it is said, with the fix.
    expect(get('driver')[0]).toMatchObject(hasDriver ? { status: 'ok' } : { status: 'fail', fix: expect.stringMatching(/Install the NVIDIA/) });
    expect(get('state-dir')[0]!.status).toBe('ok');
    for (const c of report.checks.filter((c) => c.status === 'fail' || c.status === 'warn')) expect(c.fix, c.check).toBeTruthy();
  });

  it('prints a table with a fix under each problem', async () => {
    const r = await runLocus(['agent', 'precheck', '--server', server.url, '--timeout-s', '3', '--state-dir', mkdtempSync(join(tmpdir(), 'locus-agent-'))]);
    expect(r.stdout).toMatch(/^OK +server +http:\/\/127\.0\.0\.1:\d+\/healthz answered in \d+ ms; it reads protocol version\(s\) 1, this agent writes 1$/m);
    if (!hasDriver) {
      expect(r.stdout).toMatch(/^FAIL +driver +no NVIDIA kernel driver loaded.*\n +fix: Install the NVIDIA data-centre driver/m);
      expect(r.stdout).toMatch(/\d+ check\(s\) failed/);
    }
    // The summary counts each status as the table shows it.
    const shown = (status: string) => (r.stdout.match(new RegExp(`^${status} `, 'gm')) ?? []).length;
    const summary = [shown('FAIL') > 0 ? `${shown('FAIL')} check(s) failed` : 'ready', shown('WARN') > 0 ? `${shown('WARN')} warning(s)` : '', shown('UNKNOWN') > 0 ? `${shown('UNKNOWN')} unknown` : ''].filter((x) => x !== '');
    expect(r.stdout.endsWith(`\n\n${summary.join('; ')}\n`)).toBe(true);
  });

  it.each([
    [['--server', 'ftp://x'], /--server must be an http/],
    [['--landmark', 'http://x'], /--landmark must be a ws/],
    [['--timeout-s', '0'], /--timeout-s must be a number of seconds from 0.1 to 120, got "0"/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j with a usage error', async (args, message) => {
    const r = await runLocus(['agent', 'precheck', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('documents every check and its exit codes in --help', async () => {
    const r = await runLocus(['agent', 'precheck', '--help']);
    for (const check of ['driver', 'nvml', 'nvidia-smi', 'devices', 'kernel-log', 'state-dir', 'clock', 'server', 'landmark']) expect(r.stdout).toMatch(new RegExp(`^  ${check} `, 'm'));
    expect(r.stdout).toMatch(/Exit codes: 0 nothing failed \(warnings allowed\); 1 at least one check failed; 2 bad input\./);
  });
});

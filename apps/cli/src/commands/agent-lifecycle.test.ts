import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { AGENT_VERSION, Outbox, agentFiles } from '@locus/agent';
import { startServer, type RunningServer } from '@locus/server';
import { runLocus } from '../test-support.js';

const TOKEN = 'locus_lifecycle-admin';
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'locus-srv-')), adminToken: TOKEN, world: naturalEarthWorld() });
});
afterAll(async () => server.close());

async function enrollmentTokenFile(): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/enrollment-tokens`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
  const file = join(mkdtempSync(join(tmpdir(), 'locus-token-')), 'token');
  writeFileSync(file, `${((await res.json()) as { token: string }).token}\n`);
  return file;
}

const stateDir = () => mkdtempSync(join(tmpdir(), 'locus-agent-'));

describe('agent enrollment from the command line', () => {
  it('enrolls once, shows its status, refuses to enroll twice, and unenrolls cleanly', async () => {
    const dir = stateDir();
    const enroll = await runLocus(['agent', 'enroll', '--server', server.url, '--token-file', await enrollmentTokenFile(), '--simulate', '4xH200', '--name', 'gpu-07', '--state-dir', dir]);
    expect(enroll.stderr).toBe('');
    expect(enroll.stdout).toMatch(/^enrolled with http:\/\/127\.0\.0\.1:\d+ as node \S+ \(org default\)/);
    expect(existsSync(join(dir, 'agent.key'))).toBe(true);
    const status = JSON.parse((await runLocus(['agent', 'status', '--json', '--state-dir', dir])).stdout) as { enrolled: boolean; enrollment: { server: string } };
    expect(status).toMatchObject({ agentVersion: AGENT_VERSION, protocolVersion: 1, enrolled: true, enrollment: { server: server.url } });
    const twice = await runLocus(['agent', 'enroll', '--server', server.url, '--token-file', await enrollmentTokenFile(), '--simulate', '4xH200', '--state-dir', dir]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/LOCUS_ERR_AGENT_STATE: .*already enrolled/);
    const leave = await runLocus(['agent', 'unenroll', '--state-dir', dir]);
    // Enrolled but never run: no queue yet, so only what was there is named.
    expect(leave.stdout).toMatch(new RegExp(`^left http.* \\(node \\S+\\)\\ndeleted the host key and enrollment in ${dir}\\n$`));
    expect(existsSync(join(dir, 'agent.key'))).toBe(false);
    expect((await runLocus(['agent', 'status', '--state-dir', dir])).stdout).toMatch(/^locus agent \d+\.\d+\.\d+, writing protocol version 1\nnot enrolled/);
    // Again: nothing left to leave or delete, and it says so rather than 'deleted'.
    const again = await runLocus(['agent', 'unenroll', '--state-dir', dir]);
    expect(again).toMatchObject({ code: 0, stderr: '', stdout: `not enrolled: no server to leave\nnothing to delete in ${dir}\n` });
    // A key left by an enrollment that never finished: deleted, and named alone.
    writeFileSync(join(dir, 'agent.key'), 'stray');
    expect((await runLocus(['agent', 'unenroll', '--state-dir', dir])).stdout).toBe(`not enrolled: no server to leave\ndeleted the host key in ${dir}\n`);
  });

  it("shows when the server last stored a batch of the agent's, and the last one it refused for good", async () => {
    const dir = stateDir();
    const status = async () => (await runLocus(['agent', 'status', '--state-dir', dir])).stdout;
    const outbox = await Outbox.open(agentFiles(dir).outbox);
    const batched = async (at: string) => {
      await outbox.addSample({ at, gpus: [] }, Date.parse(at));
      return (await outbox.nextBatch(10, () => `b-${at}`, Date.parse(at)))!;
    };
    expect(await status()).toMatch(/\nno batch delivered yet\n$/);
    await outbox.acknowledge((await batched('2026-12-03T10:00:00.000Z')).batchId, new Date('2026-12-03T10:00:01.000Z'));
    await outbox.dropRefused(await batched('2026-12-03T10:01:00.000Z'), { at: '2026-12-03T10:01:01.000Z', code: 'LOCUS_ERR_VALIDATION', message: 'LOCUS_ERR_VALIDATION: body sentAt: Invalid ISO datetime' });
    expect(await status()).toMatch(
      /outbox: 0 sample\(s\), 0 event\(s\) waiting\nlast delivered 2026-12-03T10:00:01.000Z\nlast refused batch 2026-12-03T10:01:01.000Z, 1 sample\(s\) and 0 event\(s\) dropped: LOCUS_ERR_VALIDATION: body sentAt: Invalid ISO datetime\nthe server refuses what this agent sends now: each such batch is dropped/,
    );
    // Delivered since: the refusal is history.
    await outbox.acknowledge((await batched('2026-12-03T10:02:00.000Z')).batchId, new Date('2026-12-03T10:02:01.000Z'));
    await outbox.close();
    expect(await status()).not.toMatch(/refuses what this agent sends now/);
    const json = JSON.parse((await runLocus(['agent', 'status', '--json', '--state-dir', dir])).stdout) as object;
    expect(json).toMatchObject({ lastDeliveredAt: '2026-12-03T10:02:01.000Z', lastRefusal: { at: '2026-12-03T10:01:01.000Z', code: 'LOCUS_ERR_VALIDATION', samples: 1, events: 0 } });
  });

  it('shows deliveries held since the server first refused the protocol version, until a batch is stored', async () => {
    const dir = stateDir();
    const status = async () => (await runLocus(['agent', 'status', '--state-dir', dir])).stdout;
    const outbox = await Outbox.open(agentFiles(dir).outbox);
    await outbox.addSample({ at: '2026-12-03T10:00:00.000Z', gpus: [] }, 0);
    const batch = (await outbox.nextBatch(10, () => 'b-1', 0))!;
    const message = 'LOCUS_ERR_PROTO_VERSION: the body is of protocol version 1; this server reads version 2: upgrade the server';
    await outbox.hold({ at: '2026-12-03T10:00:01.000Z', code: 'LOCUS_ERR_PROTO_VERSION', message });
    await outbox.hold({ at: '2026-12-03T10:05:01.000Z', code: 'LOCUS_ERR_PROTO_VERSION', message });
    expect(await status()).toMatch(
      new RegExp(`outbox: 1 sample\\(s\\), 0 event\\(s\\) waiting\nno batch delivered yet\ndeliveries held since 2026-12-03T10:00:01.000Z: the server does not read this agent's protocol version \\(last refused 2026-12-03T10:05:01.000Z: ${message}\\)\nnothing is dropped`),
    );
    const json = async () => JSON.parse((await runLocus(['agent', 'status', '--json', '--state-dir', dir])).stdout) as object;
    expect(await json()).toMatchObject({ queued: { samples: 1 }, held: { since: '2026-12-03T10:00:01.000Z', at: '2026-12-03T10:05:01.000Z', code: 'LOCUS_ERR_PROTO_VERSION', message }, lastRefusal: null });
    await outbox.acknowledge(batch.batchId, new Date('2026-12-03T10:10:00.000Z'));
    await outbox.close();
    expect(await status()).not.toMatch(/held/);
    expect(await json()).toMatchObject({ held: null, lastDeliveredAt: '2026-12-03T10:10:00.000Z' });
  });

  it('says why the server refused, and keeps nothing half-done', async () => {
    const dir = stateDir();
    const file = join(dir, 'bad-token');
    writeFileSync(file, 'locus_not-a-token');
    const r = await runLocus(['agent', 'enroll', '--server', server.url, '--token-file', file, '--simulate', '8xH100', '--state-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/LOCUS_ERR_SERVER_REFUSED: .*LOCUS_ERR_UNAUTHENTICATED: the enrollment token is unknown, expired or used up/);
    expect((await runLocus(['agent', 'status', '--state-dir', dir])).stdout).toMatch(/^locus agent \d+\.\d+\.\d+, writing protocol version 1\nnot enrolled/);
  });

  it.each([
    ['--claim xx', ['--claim', 'xx'], 'locus agent enroll: --claim: unknown country code "xx"'],
    ['--claim ZZ', ['--claim', 'ZZ'], 'locus agent enroll: --claim: unknown country code "ZZ"'],
    ['a name holding BEL (C0)', ['--name', 'gpu\u0007-07'], 'locus agent enroll: --name "gpu\\u0007-07" holds U+0007, a control character, which a name may not hold'],
    ['a name holding ESC (C0)', ['--name', 'gpu\u001b[2J'], 'locus agent enroll: --name "gpu\\u001b[2J" holds U+001B, a control character, which a name may not hold'],
    ['a name holding DEL', ['--name', 'gpu\u007f'], 'locus agent enroll: --name "gpu\\u007f" holds U+007F, a control character, which a name may not hold'],
    ['a name holding NEL (C1)', ['--name', 'gpu\u0085'], 'locus agent enroll: --name "gpu\\u0085" holds U+0085, a control character, which a name may not hold'],
    ['a name holding U+200E', ['--name', 'gpu\u200e'], 'locus agent enroll: --name "gpu\\u200e" holds U+200E, a control character, which a name may not hold'],
    ['a name holding U+202E', ['--name', 'gpu\u202e70-'], 'locus agent enroll: --name "gpu\\u202e70-" holds U+202E, a control character, which a name may not hold'],
    ['a name holding U+2069', ['--name', 'gpu\u2069'], 'locus agent enroll: --name "gpu\\u2069" holds U+2069, a control character, which a name may not hold'],
    ['an empty name', ['--name', ''], 'locus agent enroll: --name "" is empty'],
    ['a name of 201 characters', ['--name', 'g'.repeat(201)], `locus agent enroll: --name "${'g'.repeat(60)}…" is 201 characters long, more than the 200 a name may have`],
  ])('refuses %s as the server would, before it makes a host key or asks the server', async (_, args, message) => {
    const dir = stateDir();
    const r = await runLocus(['agent', 'enroll', '--server', server.url, '--token-file', await enrollmentTokenFile(), '--simulate', '8xH100', ...args, '--state-dir', dir]);
    expect(r.stderr.split('\n')[0]).toBe(`locus: error LOCUS_ERR_CLI_USAGE: ${message}`);
    expect(r.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes a name of 200 characters and a claim of XK', async () => {
    const dir = stateDir();
    const r = await runLocus(['agent', 'enroll', '--server', server.url, '--token-file', await enrollmentTokenFile(), '--simulate', '8xH100', '--name', 'g'.repeat(200), '--claim', 'xk', '--state-dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('names the --state-dir it was given in the command that starts the agent, quoted for a shell where it must be', async () => {
    const enroll = async (args: string[], env: Record<string, string> = {}) => {
      const r = await runLocus(['agent', 'enroll', '--server', server.url, '--token-file', await enrollmentTokenFile(), '--simulate', '8xH100', ...args], process.cwd(), env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return r.stdout.split('\n')[1];
    };
    const plain = stateDir();
    expect(await enroll(['--state-dir', plain])).toBe(`Start the agent: locus agent run --simulate 8xH100 --state-dir ${plain}`);
    const base = stateDir();
    expect(await enroll(['--state-dir', join(base, "gpu host's state")])).toBe(`Start the agent: locus agent run --simulate 8xH100 --state-dir '${base}/gpu host'\\''s state'`);
    // From LOCUS_AGENT_STATE_DIR, which `locus agent run` reads too: nothing to add.
    expect(await enroll([], { LOCUS_AGENT_STATE_DIR: stateDir() })).toBe('Start the agent: locus agent run --simulate 8xH100');
  });

  it.each([
    [['--token-file', 'x'], /missing --server URL/],
    [['--server', 'ftp://x', '--token-file', 'x'], /--server must be an http/],
    [['--server', 'http://127.0.0.1:9', '--token-file', '/nonexistent/token'], /cannot read the token from \/nonexistent\/token: no such file\nCheck the path/],
    [['--server', 'http://127.0.0.1:9', '--token-file', 'x', '--claim', 'DEU'], /locus agent enroll: --claim: unknown country code "DEU"/],
    [['--server', 'http://127.0.0.1:9', '--token-file', 'x', '--claim', 'D1'], /locus agent enroll: --claim: unknown country code "D1"/],
  ])('refuses %j', async (args, message) => {
    const r = await runLocus(['agent', 'enroll', ...args, '--state-dir', stateDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('needs an enrollment to run or show a payload', async () => {
    for (const cmd of ['run', 'show-payload']) {
      const r = await runLocus(['agent', cmd, '--simulate', '8xH100', '--state-dir', stateDir()]);
      expect(r.code, cmd).toBe(2);
      expect(r.stderr).toMatch(/LOCUS_ERR_AGENT_STATE: .*not enrolled[\s\S]*locus agent enroll/);
    }
  });

  it.each([
    [['--send-every', '0'], /--send-every must be a whole number of samples from 1 to 360, got "0"/],
    [['--send-every', '1.5'], /--send-every must be a whole number of samples from 1 to 360, got "1.5"/],
    [['--send-every', 'often'], /--send-every must be a whole number of samples from 1 to 360, got "often"/],
  ])('run refuses %j before it starts', async (args, message) => {
    const dir = stateDir();
    await runLocus(['agent', 'enroll', '--server', server.url, '--token-file', await enrollmentTokenFile(), '--simulate', '8xH100', '--state-dir', dir]);
    const r = await runLocus(['agent', 'run', '--simulate', '8xH100', ...args, '--state-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('unenrolls locally with --force when the server cannot be told', async () => {
    const dir = stateDir();
    await runLocus(['agent', 'enroll', '--server', server.url, '--token-file', await enrollmentTokenFile(), '--simulate', '8xH100', '--state-dir', dir]);
    writeFileSync(join(dir, 'enrollment.json'), JSON.stringify({ server: 'http://127.0.0.1:9', nodeId: 'n', orgId: 'o', enrolledAt: 'x', samplingIntervalS: 10 }));
    const refused = await runLocus(['agent', 'unenroll', '--state-dir', dir]);
    expect(refused.code).toBe(1);
    expect(existsSync(join(dir, 'agent.key'))).toBe(true);
    const forced = await runLocus(['agent', 'unenroll', '--force', '--state-dir', dir]);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/warning: the server was not told/);
    expect(existsSync(join(dir, 'agent.key'))).toBe(false);
  });
});

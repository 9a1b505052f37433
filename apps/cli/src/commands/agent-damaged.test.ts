import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentFiles, loadOrCreateKey, lockStateDir, writeEnrollment } from '@locus/agent';
import { runLocus } from '../test-support.js';

/** A state dir enrolled with a server nobody runs (these commands must fail before they send anything). */
function enrolledDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'locus-agent-damaged-'));
  loadOrCreateKey(dir);
  writeEnrollment(dir, { server: 'http://127.0.0.1:9', nodeId: 'node-1', orgId: 'org-1', enrolledAt: '2026-12-05T10:00:00.000Z', samplingIntervalS: 10 });
  return dir;
}

const line = (code: string, text: string | RegExp) => new RegExp(`^locus: error ${code}: ${typeof text === 'string' ? text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : text.source}`);

describe('an agent state dir with a damaged file', () => {
  it('names a queue that is no database, or cannot be read, in one line (exit 1) in every command that opens it', async () => {
    const dir = enrolledDir();
    const { outbox } = agentFiles(dir);
    writeFileSync(outbox, 'not a database, but long enough to have a header that SQLite reads and refuses\n'.repeat(20), { mode: 0o600 });
    for (const command of [['status'], ['show-payload', '--simulate', '1xH100'], ['run', '--simulate', '1xH100']]) {
      const result = await runLocus(['agent', ...command, '--state-dir', dir]);
      expect(result.code, command.join(' ')).toBe(1);
      expect(result.stderr).toMatch(line('LOCUS_ERR_DATABASE', `locus agent ${command[0]}: cannot open the queue ${outbox}: file is not a database`));
      expect(result.stderr).toMatch(/move it aside/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    if (process.getuid?.() !== 0) {
      chmodSync(outbox, 0o000);
      const result = await runLocus(['agent', 'status', '--state-dir', dir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(line('LOCUS_ERR_DATABASE', `locus agent status: cannot open the queue ${outbox}: `));
    }
  });

  it('status refuses a state dir that is a file (exit 2), with and without --json', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'locus-agent-damaged-')), 'afile');
    writeFileSync(file, 'not a directory\n');
    for (const json of [[], ['--json']]) {
      const result = await runLocus(['agent', 'status', ...json, '--state-dir', file]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(line('LOCUS_ERR_AGENT_STATE', `locus agent status: the state dir ${file} is not a directory`));
    }
  });

  it('does not read an enrollment it cannot parse as "not enrolled": it names the file, and unenroll keeps the identity unless forced', async () => {
    const dir = enrolledDir();
    const files = agentFiles(dir);
    writeFileSync(files.enrollment, '{"server": "http://127.0.0.1:9", "nodeId": ');
    const run = await runLocus(['agent', 'run', '--simulate', '1xH100', '--state-dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(line('LOCUS_ERR_AGENT_STATE', `locus agent run: the enrollment ${files.enrollment} is not JSON: `));
    expect(run.stderr).toMatch(/unenroll --force/);
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'locus_enroll-token\n');
    const enroll = await runLocus(['agent', 'enroll', '--server', 'http://127.0.0.1:9', '--token-file', tokenFile, '--simulate', '1xH100', '--state-dir', dir]);
    expect(enroll.code).toBe(2);
    expect(enroll.stderr).toMatch(line('LOCUS_ERR_AGENT_STATE', `locus agent enroll: the enrollment ${files.enrollment} is not JSON`));

    const status = await runLocus(['agent', 'status', '--state-dir', dir]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`\\nenrollment unknown: the enrollment ${files.enrollment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not JSON: .*\\n`));
    expect(JSON.parse((await runLocus(['agent', 'status', '--json', '--state-dir', dir])).stdout)).toMatchObject({ enrolled: false, enrollment: null, enrollmentError: expect.stringContaining('is not JSON') });

    // Without --force the host key and queue stay: the server could not be told.
    const leave = await runLocus(['agent', 'unenroll', '--state-dir', dir]);
    expect(leave.code).toBe(2);
    expect(leave.stderr).toMatch(line('LOCUS_ERR_AGENT_STATE', `locus agent unenroll: the enrollment ${files.enrollment} is not JSON: `));
    expect(leave.stderr).toMatch(/; the server cannot be told\n/);
    expect(existsSync(files.key)).toBe(true);
    expect(existsSync(files.enrollment)).toBe(true);

    const forced = await runLocus(['agent', 'unenroll', '--force', '--state-dir', dir]);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/^locus: warning: the enrollment .* is not JSON: .*; the server was not told, deleting the local identity anyway\n$/);
    expect(forced.stdout).toBe(`deleted the host key and enrollment in ${dir}\n`);
    expect(existsSync(files.key)).toBe(false);

    // An enrollment that parses but names no server is refused the same way.
    const other = enrolledDir();
    writeFileSync(agentFiles(other).enrollment, '{}\n');
    const refused = await runLocus(['agent', 'run', '--simulate', '1xH100', '--state-dir', other]);
    expect(refused.stderr).toMatch(line('LOCUS_ERR_AGENT_STATE', `locus agent run: the enrollment ${agentFiles(other).enrollment} does not name a server, node and organization`));
  });

  it('says a host key it cannot use is unusable, not present', async () => {
    const dir = enrolledDir();
    writeFileSync(agentFiles(dir).key, 'junk\n', { mode: 0o600 });
    const status = await runLocus(['agent', 'status', '--state-dir', dir]);
    expect(status.stdout).toMatch(new RegExp(`\\nstate dir ${dir}; host key unusable: ${agentFiles(dir).key}: `));
    expect(JSON.parse((await runLocus(['agent', 'status', '--json', '--state-dir', dir])).stdout)).toMatchObject({ hasKey: true, keyError: expect.stringContaining(agentFiles(dir).key) });
  });

  it('runs one agent per state dir: a second run, and unenroll, are refused while one runs', async () => {
    const dir = enrolledDir();
    const running = lockStateDir(dir);
    try {
      const second = await runLocus(['agent', 'run', '--simulate', '1xH100', '--state-dir', dir]);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(line('LOCUS_ERR_AGENT_STATE', `locus agent run: another agent runs on the state dir ${dir}`));
      const leave = await runLocus(['agent', 'unenroll', '--force', '--state-dir', dir]);
      expect(leave.code).toBe(2);
      expect(leave.stderr).toMatch(line('LOCUS_ERR_AGENT_STATE', `locus agent unenroll: another agent runs on the state dir ${dir}`));
      expect(existsSync(agentFiles(dir).key)).toBe(true);
    } finally {
      running.release();
    }
    expect((await runLocus(['agent', 'unenroll', '--force', '--state-dir', dir])).code).toBe(0);
  });
});

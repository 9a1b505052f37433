import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCUS_BIN } from './support/locus-shim.js';

/**
 * Commands that cannot start must say why, with their code, at once. Node's recursive mkdir
 * never returns for a path under /proc: every command that makes its directory must fail at once
 * there, naming it. Each runs as a process killed after 20 s, since a command spinning in native
 * code could not be stopped from within.
 */
function locus(args: readonly string[]) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [LOCUS_BIN, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
    // One process, whatever the cores: server start would otherwise re-launch itself.
    env: { ...process.env, LOCUS_SINGLE_THREADED_GC: 'off', LOCUS_ADMIN_TOKEN: 'locus_unmakeable_dirs_test_token' },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
}

const tokenFile = (): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'locus-token-')), 'token');
  writeFileSync(path, 'locus_enroll_not_used\n');
  return path;
};

const under = '/proc/locus-e2e/dir';
const cannot = `cannot create the directory ${under}: a directory cannot be made there`;
const stateDirHint = 'Choose a state dir you can write to: --state-dir DIR, or LOCUS_AGENT_STATE_DIR.';

describe('a directory under /proc, given to the built locus command', () => {
  it.each([
    ['agent enroll --state-dir', () => ['agent', 'enroll', '--server', 'http://127.0.0.1:9', '--token-file', tokenFile(), '--simulate', '8xH100', '--state-dir', under], `LOCUS_ERR_OUTPUT: locus agent enroll: ${cannot}\n${stateDirHint}`],
    ['agent scan --state-dir', () => ['agent', 'scan', '--simulate', '8xH100', '--state-dir', under], `LOCUS_ERR_OUTPUT: locus agent scan: ${cannot}\n${stateDirHint}`],
    ['agent inject-fault --state-dir', () => ['agent', 'inject-fault', 'xid=79', 'gpu=3', '--state-dir', under], `LOCUS_ERR_OUTPUT: locus agent inject-fault: ${cannot}\n${stateDirHint}`],
    ['server start --data-dir', () => ['server', 'start', '--host', '127.0.0.1', '--port', '0', '--data-dir', under], `LOCUS_ERR_DATABASE: locus server start: cannot open the database: ${cannot}\nChoose a data dir you can write to: --data-dir DIR.`],
    ['server start --database-url sqlite:', () => ['server', 'start', '--host', '127.0.0.1', '--port', '0', '--database-url', `sqlite:${under}/locus.db`], `LOCUS_ERR_DATABASE: locus server start: cannot open the database: ${cannot}\nChoose a database path you can write to.`],
    ['server start --database-url pglite:', () => ['server', 'start', '--host', '127.0.0.1', '--port', '0', '--database-url', `pglite:${under}`], `LOCUS_ERR_DATABASE: locus server start: cannot open the database: ${cannot}\nChoose a database path you can write to.`],
    ['server migrate --data-dir', () => ['server', 'migrate', '--data-dir', under], `LOCUS_ERR_DATABASE: locus server migrate: cannot open the database: ${cannot}\nChoose a data dir you can write to: --data-dir DIR.`],
    ['start --data-dir (the live world)', () => ['start', '--host', '127.0.0.1', '--port', '0', '--data-dir', under], `LOCUS_ERR_OUTPUT: locus start: ${cannot}\nChoose a data dir you can write to: --data-dir DIR.`],
    ['landmark keygen --out', () => ['landmark', 'keygen', '--out', under], `LOCUS_ERR_OUTPUT: locus landmark keygen: ${cannot}\nChoose a directory you can write to: --out DIR.`],
    ['demo --write', () => ['demo', '--write', under], `LOCUS_ERR_OUTPUT: locus demo: ${cannot}\nChoose a directory you can write to.`],
  ])('%s exits 1 at once, naming the directory', (_, args, error) => {
    const r = locus(args());
    expect(r.signal, `still running after ${Math.round(r.ms)} ms`).toBeNull();
    expect(r.stderr).toBe(`locus: error ${error}\n`);
    expect(r.code).toBe(1);
  }, 30_000);
});

describe('an address that is not this machine\'s, given to the built locus command', () => {
  // 192.0.2.1 is TEST-NET-1 (RFC 5737): on no interface here, so listen() fails; nothing is sent.
  const notHere = 'cannot listen on 192.0.2.1:0: listen EADDRNOTAVAIL: address not available 192.0.2.1';
  const hint = "The address is not one of this machine's: --host takes a local address, or 0.0.0.0 for all.";
  it.each([
    ['server start', (dir: string) => ['server', 'start', '--host', '192.0.2.1', '--port', '0', '--data-dir', dir]],
    ['start (the live world)', (dir: string) => ['start', '--host', '192.0.2.1', '--port', '0', '--data-dir', dir]],
  ])('%s exits 1 with LOCUS_ERR_LISTEN, not as a database or directory problem', (command, args) => {
    const r = locus(args(mkdtempSync(join(tmpdir(), 'locus-listen-'))));
    expect(r.signal, `still running after ${Math.round(r.ms)} ms`).toBeNull();
    expect(r.stderr).toBe(`locus: error LOCUS_ERR_LISTEN: locus ${command.split(' (')[0]}: ${notHere}\n${hint}\n`);
    expect(r.code).toBe(1);
  }, 30_000);
});

describe('a --host name that does not resolve, given to the built locus command', () => {
  // .invalid never resolves (RFC 6761): getaddrinfo fails before listen() is called.
  const host = 'no-such-host.invalid';
  const hint = 'No address of this machine has that name: --host takes a local address or name, or 0.0.0.0 for all.';
  it.each([
    ['server start', (dir: string) => ['server', 'start', '--host', host, '--port', '0', '--data-dir', dir]],
    ['start (the live world)', (dir: string) => ['start', '--host', host, '--port', '0', '--data-dir', dir]],
  ])('%s exits 1 with LOCUS_ERR_LISTEN, naming the host', (command, args) => {
    const r = locus(args(mkdtempSync(join(tmpdir(), 'locus-listen-'))));
    expect(r.signal, `still running after ${Math.round(r.ms)} ms`).toBeNull();
    expect(r.stderr).toMatch(new RegExp(`^locus: error LOCUS_ERR_LISTEN: locus ${command.split(' (')[0]}: cannot listen on ${host.replace(/\./g, '\\.')}:0: getaddrinfo \\w+ ${host.replace(/\./g, '\\.')}\n${hint.replace(/[.:]/g, '\\$&')}\n$`));
    expect(r.code).toBe(1);
  }, 30_000);
});

describe('a PGlite directory that cannot be used, given to the built locus command', () => {
  // PGlite's own failure here has no message ("undefined"), and its Postgres, exiting as it
  // fails, sets process.exitCode to 0 after the command has set its own.
  const locked = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'locus-pglite-locked-'));
    chmodSync(dir, 0o000);
    return dir;
  };
  const foreign = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'locus-pglite-foreign-'));
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    return dir;
  };
  it.each([
    ['server migrate, a directory it may not enter', 'migrate', locked, (dir: string) => `cannot use the directory ${dir}: permission denied\nMake ${dir} and everything in it readable and writable by this user (chmod -R u+rwX ${dir}).`],
    ['server start, a directory it may not enter', 'start', locked, (dir: string) => `cannot use the directory ${dir}: permission denied\nMake ${dir} and everything in it readable and writable by this user (chmod -R u+rwX ${dir}).`],
    ['server migrate, a directory of other files', 'migrate', foreign, (dir: string) => `${dir} is not empty and holds no PGlite database (it has no PG_VERSION file)\nGive pglite: a new or empty directory, or one a Locus server made.`],
  ])('%s: exits 1 with LOCUS_ERR_DATABASE, saying why', (_, command, made, error) => {
    const dir = made();
    const r = locus(['server', command, ...(command === 'start' ? ['--host', '127.0.0.1', '--port', '0'] : []), '--database-url', `pglite:${dir}`]);
    chmodSync(dir, 0o700);
    expect(r.signal, `still running after ${Math.round(r.ms)} ms`).toBeNull();
    expect(r.stderr).toBe(`locus: error LOCUS_ERR_DATABASE: locus server ${command}: cannot open the database: ${error(dir)}\n`);
    expect(r.code).toBe(1);
  }, 30_000);
});

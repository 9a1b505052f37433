import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCUS_BIN } from './support/locus-shim.js';
import { activeBackends, freshDatabaseSpec } from './support/storage-backends.js';

/**
 * `locus server start` with one-threaded garbage collection: the command re-launches itself
 * with --single-threaded-gc and stands in for the server process it started (signals in, exit
 * code out), and the server never outlives it. Forced on with LOCUS_SINGLE_THREADED_GC=on, so
 * that these run the same on any number of cores.
 */
const started: ChildProcess[] = [];
const servers: number[] = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  // A server process a failed test left behind.
  for (const pid of servers.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log(): string;
  /** Resolves once the log matches (rejects after 30 s or if the process ends first). */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

function startServer(gc: string, args: readonly string[] = ['--port', '0'], env: Readonly<Record<string, string>> = {}): Running {
  const child = spawn(process.execPath, [LOCUS_BIN, 'server', 'start', '--host', '127.0.0.1', '--data-dir', mkdtempSync(join(tmpdir(), 'locus-relaunch-')), ...args], {
    env: { ...process.env, LOCUS_ADMIN_TOKEN: 'locus_relaunch_test_token', LOCUS_SINGLE_THREADED_GC: gc, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const until = performance.now() + 30_000;
      const check = () => {
        const m = pattern.exec(log);
        if (m) return resolve(m);
        if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`ended before ${pattern}: ${log}`));
        if (performance.now() > until) return reject(new Error(`no ${pattern} in 30 s: ${log}`));
        setTimeout(check, 50);
      };
      check();
    });
  return { child, exited, log: () => log, waitFor };
}

/** Whether a process is still running (not a zombie), from /proc. */
const alive = (pid: number): boolean => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};
const gone = async (pid: number): Promise<boolean> => {
  for (const until = performance.now() + 15_000; performance.now() < until; await new Promise((r) => setTimeout(r, 100))) if (!alive(pid)) return true;
  return false;
};

/** The pid of the server process the one-threaded GC line names, checked to be the started process's child and to run with the flag. */
async function serverPid(running: Running): Promise<number> {
  const pid = Number((await running.waitFor(/garbage is collected on one thread \(--single-threaded-gc, process (\d+);/))[1]);
  servers.push(pid);
  expect(pid).not.toBe(running.child.pid);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The parent pid: the second field after the command name.
  expect(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]).toBe(String(running.child.pid));
  expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--single-threaded-gc');
  return pid;
}

describe.skipIf(!existsSync('/proc/self/stat'))('locus server start with one-threaded GC', () => {
  it('runs the server in a child process with --single-threaded-gc; SIGTERM stops it cleanly, exit 0', async () => {
    const running = startServer('on');
    const url = (await running.waitFor(/listening on (http:\/\/\S+) /))[1]!;
    const pid = await serverPid(running);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(running.log()).toMatch(/SIGTERM: stopping/);
    expect(running.log()).not.toMatch(/again/);
    expect(alive(pid)).toBe(false);
  });

  it('stops the server when the locus process is killed with SIGKILL', async () => {
    const running = startServer('on');
    const pid = await serverPid(running);
    running.child.kill('SIGKILL');
    expect(await running.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await gone(pid)).toBe(true);
  });

  it('takes a stop signalled twice (Ctrl-C reaching both processes) as one stop', async () => {
    const running = startServer('on');
    const pid = await serverPid(running);
    running.child.kill('SIGINT');
    process.kill(pid, 'SIGINT');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(running.log()).toMatch(/SIGINT: stopping/);
  });

  it('passes the server’s exit code back (a port in use)', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    try {
      const running = startServer('on', ['--port', String((busy.address() as { port: number }).port)]);
      expect(await running.exited).toEqual({ code: 1, signal: null });
      expect(running.log()).toMatch(/LOCUS_ERR_LISTEN/);
    } finally {
      busy.close();
    }
  });

  it('dies by the signal that killed the server process', async () => {
    const running = startServer('on');
    const pid = await serverPid(running);
    process.kill(pid, 'SIGKILL');
    expect(await running.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('runs in one process with LOCUS_SINGLE_THREADED_GC=off', async () => {
    const running = startServer('off');
    await running.waitFor(/listening on /);
    expect(readFileSync(`/proc/${running.child.pid}/task/${running.child.pid}/children`, 'utf8').trim()).toBe('');
    expect(running.log()).not.toMatch(/one thread/);
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
  });

  it("logs warnings and errors as JSON lines by default, more at LOCUS_LOG_LEVEL, and warms its decoder threads up before it listens, checking signatures with libsodium", async () => {
    const quiet = startServer('off');
    const url = (await quiet.waitFor(/listening on (http:\/\/\S+) /))[1]!;
    // The line after it: a write of its own, which may reach this process a moment later.
    // Their signatures by libsodium: sodium-native loads from the bundle in apps/cli/dist, as the decoder threads load it.
    await quiet.waitFor(/batches are decoded on \d+ worker thread\(s\) \(warmed up on (\d+) of \1 made-up batches in [\d.]+ s\), their signatures checked by libsodium/);
    // Nothing went wrong: nothing at warn.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    quiet.child.kill('SIGTERM');
    expect(await quiet.exited).toEqual({ code: 0, signal: null });
    expect(quiet.log()).not.toMatch(/^\{/m);
    const chatty = startServer('off', ['--port', '0'], { LOCUS_LOG_LEVEL: 'info' });
    const line = JSON.parse((await chatty.waitFor(/^\{.*"msg":"ingest: enrolled nodes, their addresses and series read"\}$/m))[0]) as { level: string; time: string };
    expect(line.level).toBe('info');
    expect(Date.parse(line.time)).toBeGreaterThan(0);
    // Stopped once it listens (the signal handlers come with it).
    await chatty.waitFor(/Locus server listening on /);
    chatty.child.kill('SIGTERM');
    expect(await chatty.exited).toEqual({ code: 0, signal: null });
    const wrong = startServer('off', ['--port', '0'], { LOCUS_LOG_LEVEL: 'loud' });
    expect(await wrong.exited).toEqual({ code: 2, signal: null });
    expect(wrong.log()).toMatch(/LOCUS_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(it is "loud"\)/);
    // The demo world (`npm start`) logs its server the same way, and refuses the same.
    const demo = spawnSync(process.execPath, [LOCUS_BIN, 'start', '--port', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'locus-demo-'))], { env: { ...process.env, LOCUS_LOG_LEVEL: 'loud' }, encoding: 'utf8', timeout: 30_000 });
    expect(demo.status).toBe(2);
    expect(demo.stderr).toMatch(/locus start: LOCUS_LOG_LEVEL must be one of/);
  });

  it('refuses a LOCUS_SINGLE_THREADED_GC it does not know, as a usage error', async () => {
    const running = startServer('sometimes');
    expect(await running.exited).toEqual({ code: 2, signal: null });
    expect(running.log()).toMatch(/LOCUS_ERR_CLI_USAGE: LOCUS_SINGLE_THREADED_GC must be auto, on or off \(it is "sometimes"\)/);
  });
});

describe.skipIf(!activeBackends().includes('postgres'))('locus server start on PostgreSQL', () => {
  it('holds the pool of connections --database-pool asks for', async () => {
    const running = startServer('off', ['--port', '0', '--database-url', await freshDatabaseSpec('postgres'), '--database-pool', '3']);
    await running.waitFor(/listening on http:\/\/\S+ \(database postgres:\/\/\S+ \(a pool of 3 connections\)\)/);
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
  });
});

import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocus } from '../test-support.js';

describe('a start whose port is in use', () => {
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it.each([
    ['locus server start', ['server', 'start', '--host', '127.0.0.1']],
    ['locus start', ['start', '--host', '127.0.0.1']],
  ])('%s says so and makes no data dir and no database', async (name, args) => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'locus-start-port-')), 'data');
    const result = await runLocus([...args, '--port', String(port), '--data-dir', dataDir], process.cwd(), { LOCUS_LOG_LEVEL: 'silent' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^locus: error LOCUS_ERR_LISTEN: ${name}: .*(port ${port} is in use|cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE)`, 'm'));
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('takes a port that is free again', async () => {
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const freePort = (free.address() as { port: number }).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));
    const { checkListenable } = await import('@locus/server');
    await expect(checkListenable('127.0.0.1', freePort)).resolves.toBeUndefined();
    // The check leaves the port free for the listen that follows.
    await expect(checkListenable('127.0.0.1', freePort)).resolves.toBeUndefined();
    await expect(checkListenable('127.0.0.1', port)).rejects.toMatchObject({ code: 'EADDRINUSE', syscall: 'listen' });
  });
});

describe('a start on a data dir another start runs on', () => {
  it('says so, exit 2, and touches nothing of that world', async () => {
    const { lockFile } = await import('@locus/storage/sqlite-file');
    const dataDir = mkdtempSync(join(tmpdir(), 'locus-start-twice-'));
    // The running world's lock, held here as that start would hold it.
    const held = lockFile(join(dataDir, 'world.lock'))!;
    try {
      const result = await runLocus(['start', '--host', '127.0.0.1', '--port', String(await freePort()), '--data-dir', dataDir], process.cwd(), { LOCUS_LOG_LEVEL: 'silent' });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^locus: error LOCUS_ERR_CLI_USAGE: locus start: another locus start runs on the data dir ${dataDir.replace(/[.]/g, '\\.')} \\(it holds .*world\\.lock\\)\n.*Stop it first`, 'm'));
      expect(existsSync(join(dataDir, 'server'))).toBe(false);
    } finally {
      held.release();
    }
  });
});

async function freePort(): Promise<number> {
  const free = createServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
  const port = (free.address() as { port: number }).port;
  await new Promise<void>((resolve) => free.close(() => resolve()));
  return port;
}

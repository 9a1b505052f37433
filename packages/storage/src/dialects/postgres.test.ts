import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { activeBackends, freshDatabaseSpec } from '../../../../test/support/storage-backends.js';
import { openStorage } from '../open.js';
import { migrateToLatest } from '../migrate.js';
import { listenPostgres, postgresPoolOf } from './postgres.js';

/** Waits, at most 5 s, for `done`. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(done()).toBe(true);
}

describe.skipIf(!activeBackends().includes('postgres'))('a PostgreSQL connection that fails', () => {
  it('fails its query, is reported and replaced, and never ends the process: in use or idle', async () => {
    const spec = await freshDatabaseSpec('postgres');
    const storage = await openStorage(spec);
    const reported: string[] = [];
    storage.reportConnectionErrors?.((message) => reported.push(message));
    const admin = new pg.Client({ connectionString: spec });
    await admin.connect();
    try {
      const database = new URL(spec).pathname.slice(1);
      // Client backends only: an autovacuum worker on the new database's tables is not the pool's.
      const terminateAll = () => admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and backend_type = 'client backend'", [database]);
      // In use: a Kysely query running when its backend is terminated.
      const running = sql`select pg_sleep(5)`.execute(storage.db).then(
        () => 'finished',
        (error: Error) => `failed: ${error.message}`,
      );
      for (let i = 0; i < 100; i++) {
        const { rows } = await admin.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = $1 and query like '%pg_sleep%' and pid <> pg_backend_pid()", [database]);
        if (rows[0]!.n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await terminateAll();
      expect(await running).toMatch(/^failed: terminating connection/);
      await until(() => reported.length >= 1);
      // Idle: two live connections held by the pool between queries (the batch store's too).
      const pool = postgresPoolOf(storage.db)!;
      const clients = await Promise.all([pool.connect(), pool.connect()]);
      for (const c of clients) await c.query('select 1');
      for (const c of clients) c.release();
      const before = reported.length;
      expect((await terminateAll()).rowCount).toBe(2);
      await until(() => reported.length >= before + 2);
      expect(reported.every((m) => /^a PostgreSQL connection failed \(.+\); the pool replaces it$/.test(m)), JSON.stringify(reported)).toBe(true);
      // The next queries get new connections.
      expect((await sql<{ one: number }>`select 1 as one`.execute(storage.db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
      await storage.close();
    }
  });
});

describe.skipIf(!activeBackends().includes('postgres'))('a NOTIFY channel between servers', () => {
  it('hears what any session sends, its own included, and listens again after its connection fails', async () => {
    const spec = await freshDatabaseSpec('postgres');
    const [one, two] = [await openStorage(spec), await openStorage(spec)];
    const heard: string[] = [];
    const reported: string[] = [];
    const channel = listenPostgres(one.db, 'locus_test', (payload) => heard.push(payload), (message) => reported.push(message))!;
    const other = listenPostgres(two.db, 'locus_test', () => {})!;
    const admin = new pg.Client({ connectionString: spec });
    await admin.connect();
    try {
      expect(listenPostgres({}, 'locus_test', () => {})).toBeUndefined();
      expect(() => listenPostgres(one.db, 'drop table x', () => {})).toThrow(/not a channel name/);
      await Promise.all([channel.listening, other.listening]);
      await other.notify(['from two', 'again']);
      await channel.notify(['from one']);
      await until(() => heard.length === 3);
      expect(heard).toEqual(['from two', 'again', 'from one']);
      // Its connection terminated: reported, and listening again after a second.
      const database = new URL(spec).pathname.slice(1);
      await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and query like 'listen %' and pid <> pg_backend_pid()", [database]);
      await until(() => reported.length === 1);
      expect(reported[0]).toMatch(/^listening for locus_test failed \(.*\); listening again in 1 s$/);
      for (let i = 0; i < 250 && heard.length < 4; i++) {
        await other.notify(['after']);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(heard.at(-1)).toBe('after');
    } finally {
      await admin.end();
      await Promise.all([channel.close(), other.close()]);
      await Promise.all([one.close(), two.close()]);
    }
  });
});

/**
 * This process's established TCP connections to a port on this machine, each with whether its
 * keep-alive timer runs (Linux: /proc/net/tcp, timer kind 2 on an idle established socket).
 */
function connectionsTo(port: number): { keepAlive: boolean }[] {
  const mine = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
      if (inode) mine.add(inode);
    } catch {
      // Closed since listed.
    }
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length > 9 && f[2]!.endsWith(`:${hexPort}`) && f[3] === '01' && mine.has(f[9]!))
    .map((f) => ({ keepAlive: f[5]!.startsWith('02:') }));
}

describe.skipIf(!activeBackends().includes('postgres') || !existsSync('/proc/net/tcp'))('PostgreSQL connections held open', () => {
  it("send TCP keep-alives: the pool's and the listening one", async () => {
    const spec = await freshDatabaseSpec('postgres');
    const storage = await openStorage(spec);
    const channel = listenPostgres(storage.db, 'locus_test', () => {})!;
    try {
      await sql`select 1`.execute(storage.db);
      await channel.listening;
      const connections = connectionsTo(Number(new URL(spec).port));
      expect(connections.length).toBeGreaterThanOrEqual(2);
      expect(connections.every((c) => c.keepAlive)).toBe(true);
    } finally {
      await channel.close();
      await storage.close();
    }
  });
});

describe('a PostgreSQL server that cannot be reached', () => {
  it('fails migration with why it cannot connect, not as a migration that failed', async () => {
    // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    const storage = await openStorage('postgres://locus@127.0.0.1:1/locus');
    try {
      await expect(migrateToLatest(storage)).rejects.toThrow(/^connect ECONNREFUSED 127\.0\.0\.1:1$/);
    } finally {
      await storage.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { activeBackends, freshDatabaseSpec } from '../../../../test/support/storage-backends.js';
import { openStorage } from '../open.js';
import { postgresPoolOf } from './postgres.js';

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
      const terminateAll = () => admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
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

import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../open.js';
import { migrateToLatest } from '../migrate.js';
import { directSqliteOf, openSqliteKysely } from './sqlite.js';
import { lockFile, openDirectSqlite } from './sqlite-file.js';

describe('a SQLite database file', () => {
  it('is made readable by its owner only, in a folder only its owner can enter, with its WAL files', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'locus-sqlite-mode-')), 'data');
    const storage = await openStorage(`sqlite:${join(dir, 'locus.db')}`);
    await migrateToLatest(storage);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toEqual(expect.arrayContaining(['locus.db', 'locus.db-wal']));
    for (const f of files) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    await storage.close();
  });
});

describe('a SQLite path the server cannot use', () => {
  const hint = 'Give sqlite: the path of a new file (made there) or of a database a Locus server made, such as DIR/locus.db.';
  it.each([
    ['a directory', (dir: string) => dir, (dir: string) => `${dir} is a directory; sqlite: names the database file`],
    ['a file that is no database', (dir: string) => {
      writeFileSync(join(dir, 'notes.txt'), 'these are not the pages of a database, but a file long enough to hold a header '.repeat(20));
      return join(dir, 'notes.txt');
    }, (dir: string) => `${join(dir, 'notes.txt')} is not a SQLite database (or is encrypted)`],
  ])('is refused, saying so, when it is %s', async (_, made, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'locus-sqlite-bad-'));
    await expect(openStorage(`sqlite:${made(dir)}`)).rejects.toMatchObject({ name: 'StorageOpenError', message: message(dir), hint });
  });
});

describe("a SQLite database's own connection (DirectSqlite)", () => {
  it('runs statements and queries in one transaction, kept when it returns and undone when it throws', async () => {
    const db = openSqliteKysely<unknown>(':memory:');
    const direct = directSqliteOf(db)!;
    await direct.transaction(() => direct.statement('create table t (k integer primary key, v text not null)')([]));
    const put = direct.statement('insert into t (k, v) values (?, ?)');
    const rows = direct.rows<{ k: number; v: string }>('select k, v from t where k >= ? order by k');
    const has = direct.exists('select 1 from t where k = ?');

    expect(await direct.transaction(() => [put([1, 'a']), put([2, 'b']), put([1, 'again'])])).toEqual([1, 1, 0]);
    expect(await direct.transaction(() => rows([0]))).toEqual([{ k: 1, v: 'a' }, { k: 2, v: 'b' }]);
    expect(await direct.transaction(() => rows([3]))).toEqual([]);
    await expect(
      direct.transaction(() => {
        put([3, 'c']);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await direct.transaction(() => [has([3]), has([2]), rows([2]).length])).toEqual([false, true, 1]);
    // Prepared once per text: the same function for the same text.
    expect(direct.rows('select k, v from t where k >= ? order by k')).toBe(rows);
    await db.destroy();
  });
});

describe('a SQLite file used without Kysely (openDirectSqlite, the agent outbox)', () => {
  it('is readable by its owner only, in WAL with every commit synced when asked, and runs schema text, statements and queries', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'locus-sqlite-direct-')), 'state');
    const db = openDirectSqlite(join(dir, 'queue.db'), 'full');
    db.exec('create table if not exists q (n integer primary key, body text not null); create index if not exists q_body on q (body);');
    const put = db.statement('insert into q (body) values (?)');
    expect(await db.transaction(() => put(['a']) + put(['b']))).toBe(2);
    expect(await db.transaction(() => db.rows<{ journal_mode: string }>('pragma journal_mode')([])[0]?.journal_mode)).toBe('wal');
    // 2: FULL.
    expect(await db.transaction(() => db.rows<{ synchronous: number }>('pragma synchronous')([])[0]?.synchronous)).toBe(2);
    db.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    // Reopened, the schema text finds its tables there and the rows kept.
    const again = openDirectSqlite(join(dir, 'queue.db'));
    again.exec('create table if not exists q (n integer primary key, body text not null);');
    expect(await again.transaction(() => again.rows<{ body: string }>('select body from q order by n')([]))).toEqual([{ body: 'a' }, { body: 'b' }]);
    again.close();
  });
});

describe('a lock on a file (lockFile, one agent per state dir)', () => {
  it('has one holder at a time, in one process or two, and ends with its holder however it stops', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'locus-lock-')), 'sub', 'agent.lock');
    const first = lockFile(path)!;
    expect(first).toBeDefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(lockFile(path)).toBeUndefined();
    first.release();
    first.release();
    const again = lockFile(path)!;
    expect(again).toBeDefined();
    again.release();
    expect(readdirSync(join(path, '..'))).toEqual(['agent.lock']);

    // Another process takes it, says so, and is killed without a chance to release it.
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const holder = spawn(process.execPath, ['-e', `const S = require(${JSON.stringify(sqlite)}); const db = new S(${JSON.stringify(path)}, { timeout: 0 }); db.pragma('journal_mode = MEMORY'); db.exec('begin exclusive'); console.log('held'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', () => resolve());
      holder.on('exit', (code) => reject(new Error(`the holder exited (${code})`)));
    });
    expect(lockFile(path)).toBeUndefined();
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    const after = lockFile(path);
    expect(after).toBeDefined();
    after!.release();
  });
});

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../schema.js';
import type { Storage } from '../storage.js';

/**
 * A SQLite file (or :memory:) as a Kysely database of any schema: WAL, so readers never wait
 * for the writer; `synchronous = FULL` when every commit must survive a power cut.
 */
export function openSqliteKysely<DB>(path: string, durability: 'normal' | 'full' = 'normal'): Kysely<DB> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
}

/** SQLite through better-sqlite3: the server's embedded default. */
export function openSqlite(path: string): Storage {
  const db = openSqliteKysely<Database>(path);
  return { db, dialect: 'sqlite', description: `sqlite:${path}`, close: () => db.destroy() };
}

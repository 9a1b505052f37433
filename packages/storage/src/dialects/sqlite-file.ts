import { closeSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { makeDirectory } from '@locus/protocol';

/** The file at `path` made (empty) when absent, its owner's alone (0600), in a folder of its owner's (0700). */
function makeOwnFile(path: string): void {
  makeDirectory(dirname(path), 0o700);
  closeSync(openSync(path, 'a', 0o600));
}

/**
 * A SQLite file (or :memory:) opened on better-sqlite3 alone, without Kysely: WAL, so readers
 * never wait for the writer; `synchronous = FULL` when every commit must survive a power cut;
 * then any further pragmas. The file and its folder are its owner's alone. Throws DirectoryError
 * when the file's directory cannot be made. This module imports neither Kysely nor any server
 * driver, so that the agent's standalone bundle (its outbox) holds none of them.
 */
export function openSqliteFile(path: string, durability: 'normal' | 'full' = 'normal', pragmas: readonly string[] = []): SQLite.Database {
  // The file holds token hashes and the report-signing key (the server's), or the queue (the
  // agent's): its owner's alone. SQLite gives the WAL and shared-memory files the file's mode.
  if (path !== ':memory:') makeOwnFile(path);
  const sqlite = new SQLite(path);
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    for (const pragma of pragmas) sqlite.pragma(pragma);
  } catch (error) {
    // A file that is no database fails here, at its first read: the handle is not left open.
    sqlite.close();
    throw error;
  }
  return sqlite;
}

/**
 * A prepared statement run on a SQLite database's own connection, past Kysely: the rows it
 * changed, or 0 when it broke a primary-key or unique constraint (SQLite then undoes that
 * statement alone, and the transaction goes on). For the hot paths where it matters: the server's
 * ingest, where a prepared single-row statement run per row costs a quarter less than one
 * multi-row statement, and the agent's outbox, written every pass of a daemon that must stay
 * under 0.1 % of a core; Kysely adds its own cost to every statement. It runs in whatever transaction
 * the connection is in: call it only inside a transaction of the same database (Kysely's, which
 * holds SQLite's one connection, or DirectSqlite.transaction).
 */
export type DirectStatement = (values: readonly unknown[]) => number;

/** A SQLite database's own connection, for the hot paths (see DirectStatement). */
export interface DirectSqlite {
  /** The statement of this text, prepared once. */
  statement(sql: string): DirectStatement;
  /** A query of this text, prepared once: whether it finds a row. */
  exists(sql: string): (values: readonly unknown[]) => boolean;
  /** A query of this text, prepared once: the rows it finds, each an object by column name. */
  rows<Row>(sql: string): (values: readonly unknown[]) => Row[];
  /**
   * Runs `work` (synchronous: no await in it) in one transaction on SQLite's connection. On a
   * database Kysely also holds, the connection is taken from Kysely as one of its queries would
   * be, so that no query or transaction of Kysely's runs in between. The transaction commits when
   * `work` returns and rolls back when it throws.
   */
  transaction<T>(work: () => T): Promise<T>;
}

/** A SQLite file that only DirectSqlite uses (no Kysely on it): also its schema's statements, and closing. */
export interface DirectSqliteFile extends DirectSqlite {
  /** Runs SQL text of one or more statements (a schema's), outside any transaction. */
  exec(sql: string): void;
  close(): void;
}

const KEY_CONFLICTS = new Set(['SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE']);

/**
 * DirectSqlite on `sqlite`. `exclusive` runs a transaction with the connection to itself: on a
 * database Kysely also holds, Kysely's hold on its one connection; on one it does not, nothing
 * (the work is synchronous, so nothing else runs on the connection during it).
 */
export function directOn(sqlite: SQLite.Database, exclusive: <T>(run: () => T) => Promise<T> = async (run) => run()): DirectSqlite {
  const made = new Map<string, DirectStatement>();
  const queries = new Map<string, (values: readonly unknown[]) => boolean>();
  const lists = new Map<string, (values: readonly unknown[]) => unknown[]>();
  const inTransaction = sqlite.transaction((work: () => unknown) => work());
  return {
    statement(text) {
      let run = made.get(text);
      if (!run) {
        const statement = sqlite.prepare(text);
        run = (values) => {
          try {
            return statement.run(values).changes;
          } catch (error) {
            if (KEY_CONFLICTS.has((error as { code?: string }).code ?? '')) return 0;
            throw error;
          }
        };
        made.set(text, run);
      }
      return run;
    },
    exists(text) {
      let query = queries.get(text);
      if (!query) {
        const statement = sqlite.prepare(text).pluck();
        query = (values) => statement.get(values) !== undefined;
        queries.set(text, query);
      }
      return query;
    },
    rows<Row>(text: string) {
      let query = lists.get(text);
      if (!query) {
        const statement = sqlite.prepare(text);
        query = (values) => statement.all(values);
        lists.set(text, query);
      }
      return query as (values: readonly unknown[]) => Row[];
    },
    // BEGIN IMMEDIATE: the write lock at once, so that a transaction never reads, then finds another
    // connection (the server's writer thread) has written since, which SQLite fails without waiting.
    transaction: <T>(work: () => T) => exclusive(() => inTransaction.immediate(work) as T),
  };
}

/** openSqliteFile, used through DirectSqlite alone: the agent's outbox. */
export function openDirectSqlite(path: string, durability: 'normal' | 'full' = 'normal'): DirectSqliteFile {
  const sqlite = openSqliteFile(path, durability);
  return { ...directOn(sqlite), exec: (text) => void sqlite.exec(text), close: () => void sqlite.close() };
}

/** A lock taken with lockFile; `release` gives it up (once; again does nothing). */
export interface FileLock {
  release(): void;
}

/**
 * An exclusive lock on the file at `path` (made, 0600, when absent), or undefined while another
 * holder has it. It is a SQLite EXCLUSIVE transaction on the file, that is, the kernel's record
 * lock: it ends with its process however that ends (kill -9 included), so a crash leaves no lock
 * to clean up, and it holds between processes (and containers) sharing the file, and between two
 * holders in one process. The file holds no data. Throws DirectoryError when its directory cannot
 * be made, and SQLite's or the system's error when it cannot be opened.
 */
export function lockFile(path: string): FileLock | undefined {
  makeOwnFile(path);
  const sqlite = new SQLite(path, { timeout: 0 });
  try {
    // No journal file beside it: the transaction never writes.
    sqlite.pragma('journal_mode = MEMORY');
    sqlite.exec('begin exclusive');
  } catch (error) {
    sqlite.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw error;
  }
  return { release: () => void (sqlite.open && sqlite.close()) };
}

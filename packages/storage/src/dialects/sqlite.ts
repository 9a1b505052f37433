import { closeSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import { makeDirectory } from '@locus/protocol';
import type { Database } from '../schema.js';
import { StorageOpenError, type Storage } from '../storage.js';

/**
 * The server's settings past the defaults, for a database that takes GPU samples all day: a
 * 64 MiB page cache (the default 2 MiB holds few of the pages that every host's batches touch),
 * and the writer checkpointing only past 10,000 WAL pages rather than 1,000: a page rewritten by
 * many batches is copied into the database once (ingest ran 3 times faster with 30-second
 * batches), and the checkpointer thread (below) normally gets there first.
 */
export const SQLITE_SERVER_PRAGMAS: readonly string[] = ['cache_size = -65536', 'wal_autocheckpoint = 10000'];

/**
 * A SQLite file (or :memory:) as a Kysely database of any schema: WAL, so readers never wait
 * for the writer; `synchronous = FULL` when every commit must survive a power cut; then any
 * further pragmas. Throws DirectoryError when the file's directory cannot be made.
 */
export function openSqliteKysely<DB>(path: string, durability: 'normal' | 'full' = 'normal', pragmas: readonly string[] = []): Kysely<DB> {
  if (path !== ':memory:') {
    makeDirectory(dirname(path), 0o700);
    // The file holds token hashes and the report-signing key: its owner's alone. SQLite gives
    // the WAL and shared-memory files the database file's mode.
    closeSync(openSync(path, 'a', 0o600));
  }
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  for (const pragma of pragmas) sqlite.pragma(pragma);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: reusingStatements(sqlite) }) });
  directs.set(db, directOn(sqlite, db as Kysely<unknown>));
  return db;
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
   * Runs `work` (synchronous: no await in it) in one transaction on SQLite's connection, taken
   * from Kysely as one of its queries would be, so that no query or transaction of Kysely's runs
   * in between. The transaction commits when `work` returns and rolls back when it throws.
   */
  transaction<T>(work: () => T): Promise<T>;
}

const directs = new WeakMap<object, DirectSqlite>();

/** A SQLite database's own connection (see DirectSqlite); undefined for other databases. */
export const directSqliteOf = (db: object): DirectSqlite | undefined => directs.get(db);

const KEY_CONFLICTS = new Set(['SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE']);

function directOn(sqlite: SQLite.Database, db: Kysely<unknown>): DirectSqlite {
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
    transaction: <T>(work: () => T) => db.connection().execute(async () => inTransaction(work) as T),
  };
}

/** Prepared statements kept per SQL text; past this many, the least recently used is dropped. */
const STATEMENT_CACHE_SIZE = 512;

/**
 * The database as Kysely's driver sees it, but preparing each SQL text once: Kysely prepares on
 * every query, and preparing costs as much as running a small insert. Reusing a statement is
 * safe here because Kysely holds SQLite's one connection for a whole query (or stream).
 */
function reusingStatements(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (text: string) => {
      let statement = statements.get(text);
      if (statement) {
        statements.delete(text);
      } else {
        statement = sqlite.prepare(text);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

const NEW_FILE = 'Give sqlite: the path of a new file (made there) or of a database a Locus server made, such as DIR/locus.db.';

/** openSqliteKysely for the server: a path that is a directory, or a file that is no database, said in words a person can act on. */
function openServerDatabase(path: string): Kysely<Database> {
  if (path !== ':memory:' && statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new StorageOpenError(`${resolve(path)} is a directory; sqlite: names the database file`, NEW_FILE);
  try {
    return openSqliteKysely<Database>(path, 'normal', SQLITE_SERVER_PRAGMAS);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_NOTADB') throw new StorageOpenError(`${resolve(path)} is not a SQLite database (or is encrypted)`, NEW_FILE);
    throw error;
  }
}

/** SQLite through better-sqlite3: the server's embedded default. Throws DirectoryError or StorageOpenError for a path it cannot use. */
export function openSqlite(path: string): Storage {
  const db = openServerDatabase(path);
  const checkpointer = path === ':memory:' ? undefined : startCheckpointer(path);
  return {
    db,
    dialect: 'sqlite',
    inProcess: true,
    description: `sqlite:${path}`,
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/** How often the checkpointer copies committed WAL pages into the database. */
const CHECKPOINT_EVERY_MS = 1_000;

/** The checkpointer's thread: CommonJS source, given the driver's resolved path (the CLI is bundled). */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const db = new (require(workerData.driver))(workerData.path);
db.pragma('busy_timeout = 5000');
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} };
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.once('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/**
 * Checkpoints from a connection on another thread. A checkpoint copies WAL pages into the
 * database and syncs it, and whichever commit crosses the threshold would otherwise do that on
 * the server's one thread: with 30-second batches from 10,000 hosts that was a stall of half a
 * second every few seconds. PASSIVE never blocks the writer.
 */
function startCheckpointer(path: string): { stop(): Promise<void> } {
  const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), path, everyMs: CHECKPOINT_EVERY_MS } });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => undefined);
  return {
    stop: async () => {
      worker.ref();
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}

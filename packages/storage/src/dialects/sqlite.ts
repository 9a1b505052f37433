import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import { directOn, openSqliteFile, type DirectSqlite } from './sqlite-file.js';
import { startSqliteWriter, stopWorker, type SqliteWriterThread } from './sqlite-writer.js';
import { sqliteBatchStoreOn, type SampleBatchStore } from '../repos/sqlite-batches.js';
import type { Database } from '../schema.js';
import { StorageOpenError, type Storage } from '../storage.js';

export type { DirectSqlite, DirectStatement } from './sqlite-file.js';

/**
 * The server's settings past the defaults, for a database that takes GPU samples all day: a
 * 64 MiB page cache (the default 2 MiB holds few of the pages that every host's batches touch),
 * and the writer checkpointing only past 10,000 WAL pages rather than 1,000: a page rewritten by
 * many batches is copied into the database once (ingest ran 3 times faster with 30-second
 * batches), and the checkpointer thread (below) normally gets there first.
 */
export const SQLITE_SERVER_PRAGMAS: readonly string[] = ['cache_size = -65536', 'wal_autocheckpoint = 10000'];

/**
 * A SQLite file (or :memory:) as a Kysely database of any schema, opened as openSqliteFile
 * opens it, with DirectSqlite on its connection (directSqliteOf). Throws DirectoryError when the
 * file's directory cannot be made.
 */
export function openSqliteKysely<DB>(path: string, durability: 'normal' | 'full' = 'normal', pragmas: readonly string[] = []): Kysely<DB> {
  const sqlite = openSqliteFile(path, durability, pragmas);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: reusingStatements(sqlite) }) });
  // A direct transaction takes SQLite's one connection from Kysely, as one of its queries would.
  directs.set(db, directOn(sqlite, (run) => db.connection().execute(async () => run())));
  return db;
}

const directs = new WeakMap<object, DirectSqlite>();

/** A SQLite database's own connection (see DirectSqlite); undefined for other databases. */
export const directSqliteOf = (db: object): DirectSqlite | undefined => directs.get(db);

const writers = new WeakMap<object, SqliteWriterThread>();

/** The batch store on the server's own connection, its statements prepared at its first use (after migrations). */
const inThread = (db: object): SampleBatchStore => {
  let store: SampleBatchStore | undefined;
  return (batches) => (store ??= sqliteBatchStoreOn(directSqliteOf(db)!))(batches);
};

/** The ingest writer's thread of a SQLite database opened with one (openSqlite's `writer`); undefined otherwise. */
export const writerThreadOf = (db: object): SqliteWriterThread | undefined => writers.get(db);

/**
 * How Kysely's transactions begin on SQLite: with the write lock taken at once. A deferred
 * transaction that reads, then writes after another connection (the ingest writer's thread,
 * startSqliteWriter) has committed, fails at once (SQLITE_BUSY_SNAPSHOT) rather than waiting;
 * one begun immediate waits for the other's commit (busy_timeout) and then sees it.
 */
const IMMEDIATE = 'begin immediate';

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
    prepare: (sqlText: string) => {
      // Kysely begins its transactions deferred; see IMMEDIATE.
      const text = sqlText === 'begin' ? IMMEDIATE : sqlText;
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

/**
 * SQLite through better-sqlite3: the server's embedded default. With `writer` (the bundled
 * sqlite-writer-worker), agents' samples are stored on a thread of their own (startSqliteWriter;
 * not for :memory:, which one connection alone sees). Throws DirectoryError or StorageOpenError
 * for a path it cannot use.
 */
export function openSqlite(path: string, writer?: URL): Storage {
  const db = openServerDatabase(path);
  const checkpointer = path === ':memory:' ? undefined : startCheckpointer(path);
  // What the thread says before the server has said where to report it waits for that.
  const early: string[] = [];
  let report = (message: string): void => void early.push(message);
  const thread = writer && path !== ':memory:' ? startSqliteWriter(writer, { path, pragmas: SQLITE_SERVER_PRAGMAS }, inThread(db), (message) => report(message)) : undefined;
  if (thread) writers.set(db, thread);
  return {
    db,
    dialect: 'sqlite',
    inProcess: true,
    description: `sqlite:${path}`,
    ...(thread && {
      reportConnectionErrors: (to: (message: string) => void) => {
        report = to;
        for (const message of early.splice(0)) to(message);
      },
    }),
    close: async () => {
      await thread?.stop();
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
    stop: () => stopWorker(worker, exited, 2_000),
  };
}

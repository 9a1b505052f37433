import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The two SQL families Locus speaks. PGlite is PostgreSQL compiled to WebAssembly. */
export type DialectName = 'sqlite' | 'postgres';

/**
 * An open database. Repositories take only `db`; where SQL must differ between the families,
 * the difference is a field here rather than a check of the dialect's name in a repository.
 */
export interface Storage {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /**
   * Whether a query holds the event loop while it runs (SQLite through better-sqlite3, PGlite in
   * WebAssembly: in-process), as against waiting on a server's answer (PostgreSQL). Long reads are
   * then cut smaller, with a turn of the event loop between them.
   */
  readonly inProcess: boolean;
  /** What was opened, without secrets, for logs. */
  readonly description: string;
  /**
   * Where to report a connection to a database server that failed and was replaced (PostgreSQL),
   * or the ingest writer's thread that stopped (SQLite; see openSqlite); absent where there is
   * neither. Until called, such failures pass silently.
   */
  readonly reportConnectionErrors?: (to: (message: string) => void) => void;
  close(): Promise<void>;
}

export class StorageSpecError extends Error {}

/** A database that cannot be opened, for a reason a person can act on: `message` says what is wrong, `hint` what to do. */
export class StorageOpenError extends Error {
  readonly hint: string;

  constructor(message: string, hint: string) {
    super(message);
    this.name = 'StorageOpenError';
    this.hint = hint;
  }
}

/** SQLSTATEs of a transaction that lost to another one and may simply be run again. */
const CONFLICTS = new Set(['40P01', '40001']);

/**
 * Whether an error is a transaction's loss to a concurrent one (PostgreSQL: a deadlock detected,
 * a serialization failure), which running it again resolves; not a fault of what it writes.
 */
export const lostToConcurrentTransaction = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && CONFLICTS.has(String((error as { code?: unknown }).code));

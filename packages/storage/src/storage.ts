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
  /** What was opened, without secrets, for logs. */
  readonly description: string;
  /**
   * Where to report a connection to a database server that failed and was replaced (PostgreSQL;
   * absent where there is none). Until called, such failures pass silently.
   */
  readonly reportConnectionErrors?: (to: (message: string) => void) => void;
  close(): Promise<void>;
}

export class StorageSpecError extends Error {}

import { openPglite } from './dialects/pglite.js';
import { openPostgres } from './dialects/postgres.js';
import { openSqlite } from './dialects/sqlite.js';
import { StorageSpecError, type Storage } from './storage.js';

export interface OpenOptions {
  /** Connections a PostgreSQL server's pool holds open (default DEFAULT_POSTGRES_POOL); other databases have none. */
  readonly poolSize?: number | undefined;
  /** The bundled ingest writer (sqlite-writer-worker) for a SQLite file: see openSqlite. */
  readonly sqliteWriter?: URL | undefined;
}

/**
 * Opens a database named by a URL-like spec:
 * `sqlite:PATH` or `sqlite::memory:`, `pglite:` (memory) or `pglite:DIR`, `postgres://…`.
 * Only this package's dialects import a driver.
 */
export async function openStorage(spec: string, { poolSize, sqliteWriter }: OpenOptions = {}): Promise<Storage> {
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (path === '') throw new StorageSpecError('sqlite: needs a path (or :memory:)');
    return openSqlite(path, sqliteWriter);
  }
  if (spec.startsWith('pglite:')) {
    const dir = spec.slice('pglite:'.length);
    return openPglite(dir === '' ? undefined : dir);
  }
  if (/^postgres(ql)?:\/\//.test(spec)) return openPostgres(spec, poolSize);
  throw new StorageSpecError(`unknown database "${spec}": use sqlite:PATH, pglite:[DIR] or postgres://…`);
}

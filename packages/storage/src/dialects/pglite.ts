import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { makeDirectory } from '@locus/protocol';
import type { Database } from '../schema.js';
import type { Storage } from '../storage.js';
import { checkPgliteDirectory, lockPgliteDirectory, pgliteOpenFailure } from './pglite-dir.js';

const INT8 = 20;

/**
 * PostgreSQL in-process (WebAssembly): Postgres semantics without a server. In memory unless given
 * a directory; throws DirectoryError or StorageOpenError when that directory cannot be used.
 */
export async function openPglite(dir?: string): Promise<Storage> {
  // Made here, as for SQLite, so that a directory that cannot be made says so (DirectoryError).
  let unlock = (): void => {};
  if (dir !== undefined) {
    makeDirectory(dir, 0o700);
    checkPgliteDirectory(dir);
    unlock = lockPgliteDirectory(dir);
  }
  let pg: PGlite;
  try {
    // Epoch milliseconds fit a double exactly; read BIGINT as a number, as SQLite does.
    pg = new PGlite(dir, { parsers: { [INT8]: (v: string) => Number(v) } });
    await pg.waitReady;
  } catch (error) {
    // The lock is given up whether PGlite failed as it was made or as it started.
    unlock();
    throw dir === undefined ? error : pgliteOpenFailure(dir, error);
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pg) });
  const close = async (): Promise<void> => {
    await db.destroy();
    unlock();
  };
  return { db, dialect: 'postgres', inProcess: true, description: `pglite:${dir ?? '(memory)'}`, close };
}

import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../schema.js';
import type { Storage } from '../storage.js';

const INT8 = 20;

const pools = new WeakMap<object, pg.Pool>();

/**
 * A PostgreSQL database's own connection pool, for ingest's hot path (postgresSampleBatchStore):
 * named prepared statements, which Kysely cannot send. Undefined for other databases.
 */
export const postgresPoolOf = (db: object): pg.Pool | undefined => pools.get(db);

/** A PostgreSQL server through a pg connection pool. */
export function openPostgres(url: string, poolSize = 10): Storage {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Epoch milliseconds fit a double exactly; read BIGINT as a number, as SQLite does.
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  const safe = url.replace(/\/\/[^@/]*@/, '//***@');
  return { db, dialect: 'postgres', description: safe, close: () => db.destroy() };
}

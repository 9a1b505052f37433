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

/** A connection taken from that pool. */
export type PostgresClient = pg.PoolClient;

/** A PostgreSQL server through a pg connection pool. */
export function openPostgres(url: string, poolSize = 10): Storage {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Epoch milliseconds fit a double exactly; read BIGINT as a number, as SQLite does.
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  // A connection that fails (PostgreSQL restarted or failed over, a backend terminated, the
  // network gone) emits 'error' on its client, in use or idle; unheard, that would end the
  // process. Its query, if one was running, fails by itself; the pool drops the connection and
  // opens another for the next query. So: heard on every client, and reported.
  let report = (_message: string): void => {};
  pool.on('connect', (client) => client.on('error', (error) => report(`a PostgreSQL connection failed (${error.message}); the pool replaces it`)));
  // The pool re-emits an idle client's error, already reported above.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  const safe = url.replace(/\/\/[^@/]*@/, '//***@');
  return {
    db,
    dialect: 'postgres',
    inProcess: false,
    description: safe,
    reportConnectionErrors: (to) => {
      report = to;
    },
    close: () => db.destroy(),
  };
}

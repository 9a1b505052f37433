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

/** Idle time after which a connection sends TCP keep-alives. */
const KEEPALIVE_AFTER_MS = 30_000;

/** Connections a server's pool holds open unless told otherwise. */
export const DEFAULT_POSTGRES_POOL = 10;

/** A PostgreSQL server through a pg connection pool of `poolSize` connections, kept open once made. */
export function openPostgres(url: string, poolSize = DEFAULT_POSTGRES_POOL): Storage {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Connections stay open: a new one is a new backend, slow on its first statements
    // (prepareSampleBatchStore readies them).
    min: poolSize,
    // Open connections that sit idle (a quiet server's pool, the listening connection of
    // listenPostgres) send TCP keep-alives after 30 s: a NAT or load balancer that forgets idle
    // flows (AWS's after 350 s, Azure's after 4 min) keeps theirs, and one that dropped it shows
    // as a failed connection within minutes, not as a query or a LISTEN that hangs.
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_AFTER_MS,
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
    description: `${safe} (a pool of ${poolSize} connections)`,
    reportConnectionErrors: (to) => {
      report = to;
    },
    close: () => db.destroy(),
  };
}

/** A channel of PostgreSQL's NOTIFY between the servers of one database (PostgresChannel). */
export interface PostgresChannel {
  /** Sends each payload (under 8,000 bytes) to every session listening, this one's included. */
  notify(payloads: readonly string[]): Promise<void>;
  /** Stops listening and closes the channel's connection. */
  close(): Promise<void>;
  /** Settles once the channel first listens. */
  readonly listening: Promise<void>;
}

/** Waits before listening again after the channel's connection failed: doubling from the first, up to the last. */
const RELISTEN_MS = [1_000, 30_000] as const;

/**
 * LISTEN on `channel` from a connection of its own (one outside the pool: a pooled connection
 * would stop hearing when given back), handing each payload to `heard`; opened again after a
 * wait if it fails (PostgreSQL restarted), reported through `report`. NOTIFY goes through the
 * pool. Undefined for databases other than PostgreSQL.
 */
export function listenPostgres(db: object, channel: string, heard: (payload: string) => void, report: (message: string) => void = () => {}): PostgresChannel | undefined {
  const pool = pools.get(db);
  if (!pool) return undefined;
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  let closed = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let wait: number = RELISTEN_MS[0];
  let listened = (): void => {};
  const listening = new Promise<void>((resolve) => (listened = resolve));
  const listen = async () => {
    const c = new pg.Client(pool.options);
    client = c;
    c.on('notification', (n) => {
      if (n.channel === channel && n.payload !== undefined) heard(n.payload);
    });
    c.on('error', (error) => again(c, error));
    try {
      await c.connect();
      await c.query(`listen ${channel}`);
      wait = RELISTEN_MS[0];
      listened();
    } catch (error) {
      again(c, error as Error);
    }
  };
  const again = (c: pg.Client, error: Error) => {
    if (closed || client !== c) return;
    client = undefined;
    void c.end().catch(() => undefined);
    report(`listening for ${channel} failed (${error.message}); listening again in ${wait / 1000} s`);
    timer = setTimeout(() => void listen(), wait);
    timer.unref();
    wait = Math.min(wait * 2, RELISTEN_MS[1]);
  };
  void listen();
  return {
    listening,
    notify: async (payloads) => {
      for (const payload of payloads) await pool.query('select pg_notify($1, $2)', [channel, payload]);
    },
    close: async () => {
      closed = true;
      clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openStorage, type Storage } from '@locus/storage';

export const ALL_BACKENDS = ['sqlite', 'pglite', 'postgres'] as const;
export type BackendName = (typeof ALL_BACKENDS)[number];

/** The backends the contract suite runs on: STORAGE=sqlite,pglite,postgres (the default: all). */
export function storageBackendNames(): BackendName[] {
  const wanted = (process.env.STORAGE ?? ALL_BACKENDS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !(ALL_BACKENDS as readonly string[]).includes(w));
  if (unknown.length > 0) throw new Error(`STORAGE names unknown backends: ${unknown.join(', ')}`);
  return wanted as BackendName[];
}

/** The spec of a fresh, empty database on the named backend (each PostgreSQL one is new). */
export async function freshDatabaseSpec(name: BackendName): Promise<string> {
  if (name === 'sqlite') return 'sqlite::memory:';
  if (name === 'pglite') return 'pglite:';
  const admin = new pg.Client({ connectionString: inject('postgresUrl') });
  await admin.connect();
  const db = `locus_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  return inject('postgresUrl').replace(/\/postgres$/, `/${db}`);
}

/** A fresh, empty database on the named backend. */
export const openFresh = async (name: BackendName): Promise<Storage> => openStorage(await freshDatabaseSpec(name));

/** The backends to run now: postgres only when the global setup started a cluster. */
export const activeBackends = (): BackendName[] => storageBackendNames().filter((b) => b !== 'postgres' || Boolean(inject('postgresUrl')));

import type { TestProject } from 'vitest/node';
import { postgresAvailable, startCluster, type Cluster } from './support/postgres-cluster.js';
import { storageBackendNames } from './support/storage-backends.js';

let cluster: Cluster | undefined;

/** One throwaway PostgreSQL cluster for the whole run, when the storage suite wants it. */
export async function setup(project: TestProject): Promise<void> {
  if (!storageBackendNames().includes('postgres')) return;
  if (!postgresAvailable()) {
    if (process.env.CI === 'true') throw new Error('CI=true but PostgreSQL server binaries are missing (apt-get install -y postgresql)');
    console.warn('skipping the PostgreSQL storage backend: no initdb found (set LOCUS_PG_BIN or install postgresql)');
    return;
  }
  cluster = await startCluster();
  project.provide('postgresUrl', cluster.url);
}

export function teardown(): void {
  cluster?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

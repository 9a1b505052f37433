import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { migrateToLatest, openStorage, type Role, type Storage } from '@locus/storage';
import { buildApp } from './app.js';
import { hashToken } from './auth.js';
import type { Clock } from './clock.js';
import { DEFAULT_SERVER_CONFIG } from './config.js';
import { reposOf } from './repos.js';

export const world = naturalEarthWorld();

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  #t: number;
  constructor(iso = '2026-11-29T12:00:00.000Z') {
    this.#t = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.#t);
  }
  advance(ms: number): void {
    this.#t += ms;
  }
}

export interface TestServer {
  readonly app: FastifyInstance;
  readonly storage: Storage;
  readonly clock: TestClock;
  /** Creates an org with a token of the given role; returns the bearer header. */
  tokenFor(orgId: string, role: Role): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

export async function testServer(spec = 'sqlite::memory:'): Promise<TestServer> {
  const storage = await openStorage(spec);
  await migrateToLatest(storage);
  const clock = new TestClock();
  const app = await buildApp({ storage, world, config: DEFAULT_SERVER_CONFIG, clock });
  const repos = reposOf(storage);
  return {
    app,
    storage,
    clock,
    tokenFor: async (orgId, role) => {
      await repos.orgs.ensure({ id: orgId, name: orgId, created_at: 0 });
      const token = `locus_${randomUUID()}`;
      await repos.tokens.create({ id: randomUUID(), org_id: orgId, name: role, role, hash: hashToken(token), created_at: 0, last_used_at: null });
      return { authorization: `Bearer ${token}` };
    },
    close: async () => {
      await app.close();
      await storage.close();
    },
  };
}

export { landmarkAt as landmark, signedMeasurement as measurementOf, type TestLandmark } from '../../../test/support/measurements.js';

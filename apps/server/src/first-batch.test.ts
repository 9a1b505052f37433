import { afterEach, describe, expect, it } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import { migrateToLatest, openStorage, type Storage } from '@locus/storage';
import type { FastifyInstance } from 'fastify';
import { h100Readings, signedBatch } from '../../../test/support/ingest-batches.js';
import { buildApp } from './app.js';
import { DEFAULT_SERVER_CONFIG } from './config.js';
import { enrollAgent, TestClock, world, type TestServer } from './test-support.js';
import { hashToken } from './auth.js';

/** Storage whose every query is counted (by kind: SelectQueryNode, InsertQueryNode …). */
function counted(storage: Storage): { storage: Storage; queries: string[] } {
  const queries: string[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      queries.push(args.node.kind);
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { storage: { ...storage, db: storage.db.withPlugin(plugin) }, queries };
}

let storage: Storage | undefined;
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await storage?.close();
  storage = undefined;
});

const GPUS = [
  { uuid: 'GPU-f1', serial: '1650000000101' },
  { uuid: 'GPU-f2', serial: '1650000000102' },
];

describe("an agent's first batch to a server", () => {
  it('costs the queries of any other batch, after its enrollment there and after the server restarts', async () => {
    storage = await openStorage('sqlite::memory:');
    await migrateToLatest(storage);
    const clock = new TestClock();
    const start = async () => {
      const c = counted(storage!);
      const app = await buildApp({ storage: c.storage, world, config: DEFAULT_SERVER_CONFIG, clock });
      apps.push(app);
      return { app, queries: c.queries };
    };
    await storage.db.insertInto('orgs').values({ id: 'default', name: 'default', created_at: 0 }).execute();
    await storage.db.insertInto('tokens').values({ id: 't', org_id: 'default', name: 't', role: 'owner', hash: hashToken('tok'), created_at: 0, last_used_at: null, expires_at: null }).execute();
    const first = await start();
    const agent = await enrollAgent({ app: first.app, storage, clock } as unknown as TestServer, { authorization: 'Bearer tok' }, { name: 'n1', gpus: GPUS });
    let minute = 0;
    /** Queries one batch of the agent costs the server. */
    const cost = async (app: FastifyInstance, queries: string[]) => {
      const at = new Date(clock.now().getTime() - 60 * 60_000 + ++minute * 60_000).toISOString();
      queries.length = 0;
      const res = await app.inject({ method: 'POST', url: '/api/v1/ingest', payload: signedBatch(agent.key, [{ at, gpus: GPUS.map((g) => h100Readings(g.uuid, 0.5)) }]) });
      expect(res.statusCode).toBe(200);
      return [...queries];
    };
    const afterEnrolling = await cost(first.app, first.queries);
    const steady = await cost(first.app, first.queries);
    expect(afterEnrolling).toEqual(steady);
    // A server started over the same database: the agent's next batch is its first there.
    await first.app.close();
    apps.splice(apps.indexOf(first.app), 1);
    const second = await start();
    const afterRestart = await cost(second.app, second.queries);
    expect(afterRestart).toEqual(await cost(second.app, second.queries));
    expect(afterRestart).toEqual(steady);
    // And each of these batches was stored.
    const { n } = await storage.db.selectFrom('gpu_samples').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(4 * GPUS.length);
  });
});

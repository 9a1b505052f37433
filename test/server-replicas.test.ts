import { describe, expect, it } from 'vitest';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { generateSigningKey } from '@locus/protocol';
import { MIGRATION_NAMES, migrateToLatest, openStorage } from '@locus/storage';
import { buildApp, DEFAULT_SERVER_CONFIG, hashToken } from '@locus/server';
import { TestClock, landmark, measurementOf } from '../apps/server/src/test-support.js';
import { activeBackends, freshDatabaseSpec } from './support/storage-backends.js';

const world = naturalEarthWorld();

describe.skipIf(!activeBackends().includes('postgres'))('two server replicas on one PostgreSQL database', () => {
  it('share landmarks, nodes and measurements, and store a measurement delivered to both exactly once', async () => {
    const spec = await freshDatabaseSpec('postgres');
    const [storageA, storageB] = await Promise.all([openStorage(spec), openStorage(spec)]);
    // Both replicas migrate at once, as two servers starting together would: one applies, one waits.
    const applied = await Promise.all([migrateToLatest(storageA), migrateToLatest(storageB)]);
    expect(applied.flat()).toEqual(MIGRATION_NAMES);
    const clock = new TestClock();
    const [a, b] = await Promise.all([buildApp({ storage: storageA, world, config: DEFAULT_SERVER_CONFIG, clock }), buildApp({ storage: storageB, world, config: DEFAULT_SERVER_CONFIG, clock })]);
    try {
      await storageA.db.insertInto('orgs').values({ id: 'default', name: 'default', created_at: 0 }).execute();
      await storageA.db.insertInto('tokens').values({ id: 't', org_id: 'default', name: 't', role: 'owner', hash: hashToken('tok'), created_at: 0, last_used_at: null }).execute();
      const headers = { authorization: 'Bearer tok' };
      const lms = [landmark('fra-1', 'DE', 50.11, 8.68), landmark('ams-1', 'NL', 52.37, 4.9), landmark('lon-1', 'GB', 51.51, -0.13)];
      for (const l of lms) expect((await a.inject({ method: 'POST', url: '/api/v1/landmarks', headers, payload: l.info })).statusCode).toBe(201);
      expect((await b.inject({ method: 'POST', url: '/api/v1/landmarks', headers, payload: lms[0]!.info })).statusCode).toBe(200);
      const key = generateSigningKey();
      const node = (await b.inject({ method: 'POST', url: '/api/v1/nodes', headers, payload: { name: 'n', hostKey: key.publicKey, claimedCountry: 'DE' } })).json() as { id: string };
      const batch = lms.map((l) => measurementOf(l, key.publicKey, { lat: 50.1, lon: 8.7 }, clock.now()));
      const [ra, rb] = await Promise.all([a, b].map((app) => app.inject({ method: 'POST', url: '/api/v1/measurements', payload: { measurements: batch } })));
      const outcomes = [ra!.json(), rb!.json()] as { accepted: number; duplicates: number }[];
      expect(outcomes.reduce((n, o) => n + o.accepted, 0)).toBe(3);
      expect(outcomes.reduce((n, o) => n + o.duplicates, 0)).toBe(3);
      const [va, vb] = await Promise.all([a, b].map(async (app) => (await app.inject({ method: 'GET', url: `/api/v1/nodes/${node.id}/verdict`, headers })).json()));
      expect(va).toEqual(vb);
      expect(va).toMatchObject({ measurements: 3, verdict: { restricted: 'excluded', claim: 'verified' } });
    } finally {
      await Promise.all([a, b].map((app) => app.close()));
      await storageA.close();
      await storageB.close();
    }
  });
});

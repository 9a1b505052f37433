import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, generateSigningKey, hashNonces, signMeasurement, toBase64url, type SignedMeasurement, type VerdictRecord } from '@locus/protocol';
import { randomBytes } from 'node:crypto';
import { activeBackends, openFresh } from '../../../test/support/storage-backends.js';
import { LATEST_MIGRATION, migrateToLatest } from './migrate.js';
import { LandmarkRepo } from './repos/landmarks.js';
import { MeasurementRepo } from './repos/measurements.js';
import { NodeRepo } from './repos/nodes.js';
import { OrgRepo } from './repos/orgs.js';
import { TokenRepo } from './repos/tokens.js';
import { VerdictRepo } from './repos/verdicts.js';
import type { Storage } from './storage.js';

const landmarkKey = generateSigningKey();
const fra = { id: 'fra-1', name: 'Frankfurt', country: 'DE', lat: 50.1109, lon: 8.6821, publicKey: landmarkKey.publicKey };
const hostKey = generateSigningKey().publicKey;

function measurement(at: string, rtt: number): SignedMeasurement {
  return signMeasurement(
    { v: PROTOCOL_VERSION, landmarkId: 'fra-1', landmarkAt: { lat: fra.lat, lon: fra.lon }, hostKey, noncesHash: hashNonces([toBase64url(randomBytes(32))]), rounds: 10, minRttMs: rtt, medianRttMs: rtt + 0.123456789, measuredAt: at },
    landmarkKey.privateKey,
  );
}

describe.each(activeBackends())('storage contract on %s', (backend) => {
  let storage: Storage;
  beforeEach(async () => {
    storage = await openFresh(backend);
    expect(await migrateToLatest(storage)).toEqual([LATEST_MIGRATION]);
    await new OrgRepo(storage.db).create({ id: 'org-a', name: 'A', created_at: 1_700_000_000_000 });
    await new OrgRepo(storage.db).create({ id: 'org-b', name: 'B', created_at: 1_700_000_000_000 });
  });
  afterEach(async () => {
    await storage.close();
  });

  it('migrates once: a second run applies nothing', async () => {
    expect(await migrateToLatest(storage)).toEqual([]);
  });

  it('keeps orgs idempotent with ensure', async () => {
    const orgs = new OrgRepo(storage.db);
    expect(await orgs.ensure({ id: 'org-a', name: 'renamed', created_at: 1 })).toEqual({ id: 'org-a', name: 'A', created_at: 1_700_000_000_000 });
  });

  it('finds tokens by hash only, and records their use', async () => {
    const tokens = new TokenRepo(storage.db);
    await tokens.create({ id: 't1', org_id: 'org-a', name: 'admin', role: 'admin', hash: 'h1', created_at: 5, last_used_at: null });
    await tokens.ensure({ id: 't2', org_id: 'org-a', name: 'again', role: 'admin', hash: 'h1', created_at: 6, last_used_at: null });
    expect(await tokens.findByHash('h2')).toBeUndefined();
    await tokens.touch('t1', 99);
    expect(await tokens.findByHash('h1')).toEqual({ id: 't1', org_id: 'org-a', name: 'admin', role: 'admin', hash: 'h1', created_at: 5, last_used_at: 99 });
  });

  it('registers a landmark once, and refuses to move it or change its key', async () => {
    const landmarks = new LandmarkRepo(storage.db);
    expect(await landmarks.register(fra, 10)).toBe('created');
    expect(await landmarks.register(fra, 11)).toBe('unchanged');
    expect(await landmarks.register({ ...fra, lat: 48.1 }, 12)).toBe('conflict');
    expect(await landmarks.register({ ...fra, publicKey: generateSigningKey().publicKey }, 12)).toBe('conflict');
    expect(await landmarks.list()).toEqual([fra]);
  });

  it('keeps nodes per org and refuses a host key twice', async () => {
    const nodes = new NodeRepo(storage.db);
    const node = { id: 'n1', org_id: 'org-a', name: 'gpu-01', host_key: hostKey, claimed_country: 'DE', created_at: 7, last_measured_at: null };
    expect(await nodes.create(node)).toBe(true);
    expect(await nodes.create({ ...node, id: 'n2', org_id: 'org-b' })).toBe(false);
    expect(await nodes.get('org-a', 'n1')).toEqual(node);
    expect(await nodes.get('org-b', 'n1')).toBeUndefined();
    expect(await nodes.list('org-b')).toEqual([]);
    await nodes.markMeasured(hostKey, 1234);
    expect((await nodes.byHostKey(hostKey))?.last_measured_at).toBe(1234);
  });

  it('stores a measurement byte for byte, once, and returns a host window oldest first', async () => {
    await new LandmarkRepo(storage.db).register(fra, 10);
    const repo = new MeasurementRepo(storage.db);
    const late = measurement('2026-11-29T03:00:02.000Z', 12.345678901234);
    const early = measurement('2026-11-29T03:00:01.000Z', 0.000001);
    const old = measurement('2026-11-28T03:00:00.000Z', 5);
    expect(await repo.insertIfNew(late, 20)).toBe(true);
    expect(await repo.insertIfNew(early, 20)).toBe(true);
    expect(await repo.insertIfNew(old, 20)).toBe(true);
    expect(await repo.insertIfNew(late, 21)).toBe(false);
    expect(await repo.forHost(hostKey, Date.parse('2026-11-29T00:00:00.000Z'))).toEqual([early, late]);
    expect(await repo.forHost('nobody', 0)).toEqual([]);
  });

  it('keeps verdict history newest first', async () => {
    await new NodeRepo(storage.db).create({ id: 'n1', org_id: 'org-a', name: 'gpu-01', host_key: hostKey, claimed_country: null, created_at: 1, last_measured_at: null });
    const verdicts = new VerdictRepo(storage.db);
    const record = (restricted: VerdictRecord['restricted']): VerdictRecord => ({ claimed: null, claim: null, restricted, possibleCountries: ['DE'], areaKm2: 10, radiusKm: 1.5, estimate: { lat: 50, lon: 8 }, countryEstimate: 'DE' });
    await verdicts.insert({ id: 'v1', nodeId: 'n1', computedAt: 100, measurements: 3, record: record('possible') });
    await verdicts.insert({ id: 'v2', nodeId: 'n1', computedAt: 200, measurements: 4, record: record('excluded') });
    expect((await verdicts.history('n1')).map((v) => [v.id, v.record.restricted, v.measurements])).toEqual([
      ['v2', 'excluded', 4],
      ['v1', 'possible', 3],
    ]);
    expect(await verdicts.history('n1', 1)).toHaveLength(1);
  });
});

describe('the storage suite', () => {
  it('runs on every backend it was asked for', () => {
    // Under CI every backend must be present: the global setup fails when Postgres is missing.
    if (process.env.CI === 'true') expect(activeBackends()).toEqual(['sqlite', 'pglite', 'postgres']);
    expect(activeBackends()).toEqual(expect.arrayContaining(['sqlite']));
  });
});

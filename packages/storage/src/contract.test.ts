import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, generateSigningKey, hashNonces, signMeasurement, toBase64url, type SignedMeasurement, type VerdictRecord } from '@locus/protocol';
import { randomBytes } from 'node:crypto';
import { activeBackends, openFresh } from '../../../test/support/storage-backends.js';
import { MIGRATION_NAMES, migrateToLatest } from './migrate.js';
import { LandmarkRepo } from './repos/landmarks.js';
import { MeasurementRepo } from './repos/measurements.js';
import { NodeRepo } from './repos/nodes.js';
import { OrgRepo } from './repos/orgs.js';
import { TokenRepo } from './repos/tokens.js';
import { VerdictRepo } from './repos/verdicts.js';
import { EnrollmentTokenRepo } from './repos/enrollment.js';
import { TelemetryRepo } from './repos/telemetry.js';
import { AlertRepo } from './repos/alerts.js';
import { ReportRepo } from './repos/reports.js';
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
    expect(await migrateToLatest(storage)).toEqual(MIGRATION_NAMES);
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
    await tokens.create({ id: 't1', org_id: 'org-a', name: 'admin', role: 'admin', hash: 'h1', created_at: 5, last_used_at: null, expires_at: null });
    await tokens.ensure({ id: 't2', org_id: 'org-a', name: 'again', role: 'admin', hash: 'h1', created_at: 6, last_used_at: null, expires_at: null });
    expect(await tokens.findByHash('h2')).toBeUndefined();
    await tokens.touch('t1', 99);
    expect(await tokens.findByHash('h1')).toEqual({ id: 't1', org_id: 'org-a', name: 'admin', role: 'admin', hash: 'h1', created_at: 5, last_used_at: 99, expires_at: null });
  });

  it('lists and revokes tokens per org, never the last owner token that still works', async () => {
    const tokens = new TokenRepo(storage.db);
    const base = { org_id: 'org-a', last_used_at: null, expires_at: null };
    await tokens.create({ ...base, id: 'o1', name: 'alice', role: 'owner', hash: 'ho1', created_at: 1 });
    await tokens.create({ ...base, id: 'o2', name: 'bob', role: 'owner', hash: 'ho2', created_at: 2, expires_at: 50 });
    await tokens.create({ ...base, id: 'v1', name: 'grafana', role: 'viewer', hash: 'hv1', created_at: 3 });
    await tokens.create({ ...base, id: 'b1', org_id: 'org-b', name: 'b', role: 'owner', hash: 'hb1', created_at: 4 });
    expect((await tokens.list('org-a')).map((t) => t.id)).toEqual(['o1', 'o2', 'v1']);
    expect(await tokens.revoke('org-a', 'b1', 10)).toBe('absent');
    expect(await tokens.revoke('org-a', 'v1', 10)).toBe('revoked');
    expect(await tokens.revoke('org-a', 'o1', 100)).toBe('last-owner');
    await tokens.create({ ...base, id: 'o3', name: 'carol', role: 'owner', hash: 'ho3', created_at: 5, expires_at: 60 });
    expect(await tokens.revoke('org-a', 'o3', 100)).toBe('revoked');
    expect(await tokens.revoke('org-a', 'o1', 10)).toBe('revoked');
    expect(await tokens.revoke('org-a', 'o2', 10)).toBe('last-owner');
    expect((await tokens.list('org-a')).map((t) => t.id)).toEqual(['o2']);
    expect(await tokens.get('org-b', 'b1')).toMatchObject({ name: 'b' });
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
    const node = { id: 'n1', org_id: 'org-a', name: 'gpu-01', host_key: hostKey, claimed_country: 'DE', created_at: 7, last_measured_at: null, unenrolled_at: null, zone_id: null };
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
    await new NodeRepo(storage.db).create({ id: 'n1', org_id: 'org-a', name: 'gpu-01', host_key: hostKey, claimed_country: null, created_at: 1, last_measured_at: null, unenrolled_at: null, zone_id: null });
    const verdicts = new VerdictRepo(storage.db);
    const record = (restricted: VerdictRecord['restricted']): VerdictRecord => ({ claimed: null, claim: null, restricted, possibleCountries: ['DE'], areaKm2: 10, radiusKm: 1.5, estimate: { lat: 50, lon: 8 }, countryEstimate: 'DE' });
    const note = { kind: 'impossible-travel' as const, message: 'two places', evidence: { a: 'fra-1', b: 'sin-1' } };
    await verdicts.insert({ id: 'v1', nodeId: 'n1', computedAt: 100, measurements: 3, record: record('possible'), notes: [note] });
    await verdicts.insert({ id: 'v2', nodeId: 'n1', computedAt: 200, measurements: 4, record: record('excluded'), notes: [] });
    expect((await verdicts.history('n1')).map((v) => [v.id, v.record.restricted, v.measurements, v.notes])).toEqual([
      ['v2', 'excluded', 4, []],
      ['v1', 'possible', 3, [note]],
    ]);
    expect(await verdicts.history('n1', 1)).toHaveLength(1);
  });
});

describe.each(activeBackends())('agent storage contract on %s', (backend) => {
  let storage: Storage;
  beforeEach(async () => {
    storage = await openFresh(backend);
    await migrateToLatest(storage);
    await new OrgRepo(storage.db).create({ id: 'org-a', name: 'A', created_at: 0 });
    for (const [id, key] of [['n1', 'k1'], ['n2', 'k2']]) {
      await new NodeRepo(storage.db).create({ id: id!, org_id: 'org-a', name: id!, host_key: key!, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
    }
  });
  afterEach(async () => {
    await storage.close();
  });

  it('spends an enrollment token exactly as many times as it allows, and never after it expires', async () => {
    const tokens = new EnrollmentTokenRepo(storage.db);
    await tokens.create({ id: 'e1', org_id: 'org-a', hash: 'h', uses_left: 2, expires_at: 1000, created_at: 0, zone_id: null });
    const attempts = await Promise.all([1, 2, 3].map(() => tokens.consume('h', 500)));
    expect(attempts.filter((o) => o?.orgId === 'org-a')).toHaveLength(2);
    expect(attempts.filter((o) => o === undefined)).toHaveLength(1);
    await tokens.create({ id: 'e2', org_id: 'org-a', hash: 'late', uses_left: 5, expires_at: 1000, created_at: 0, zone_id: null });
    expect(await tokens.consume('late', 1000)).toBeUndefined();
    expect(await tokens.consume('unknown', 0)).toBeUndefined();
  });

  it('takes each batch id once', async () => {
    const t = new TelemetryRepo(storage.db);
    expect(await t.claimBatch('b1', 'n1', 5)).toBe(true);
    expect(await t.claimBatch('b1', 'n1', 6)).toBe(false);
  });

  it('keeps the latest inventory and when each GPU was first and last seen', async () => {
    const t = new TelemetryRepo(storage.db);
    await t.setInventory('n1', { hostname: 'a' }, 1);
    await t.setInventory('n1', { hostname: 'b' }, 2);
    expect(await t.inventory('n1')).toEqual({ inventory: { hostname: 'b' }, updatedAt: 2 });
    await t.seeGpus('n1', [{ uuid: 'GPU-1', serial: 'S1', name: 'H100', pci_bus_id: '00000000:18:00.0' }], 10);
    await t.seeGpus('n1', [{ uuid: 'GPU-1', serial: 'S1', name: 'H100', pci_bus_id: '00000000:18:00.0' }], 20);
    expect(await t.gpus('n1')).toEqual([{ node_id: 'n1', uuid: 'GPU-1', serial: 'S1', name: 'H100', pci_bus_id: '00000000:18:00.0', first_seen_at: 10, last_seen_at: 20 }]);
  });

  it('finds the same GPU reported by another node, by UUID or serial', async () => {
    const t = new TelemetryRepo(storage.db);
    await t.seeGpus('n1', [{ uuid: 'GPU-1', serial: 'S1', name: 'H100', pci_bus_id: 'a' }], 1);
    await t.seeGpus('n2', [{ uuid: 'GPU-2', serial: 'S2', name: 'H100', pci_bus_id: 'b' }], 1);
    expect((await t.sameGpuElsewhere('n2', ['GPU-1'], [])).map((g) => g.node_id)).toEqual(['n1']);
    expect((await t.sameGpuElsewhere('n2', ['GPU-9'], ['S1'])).map((g) => g.uuid)).toEqual(['GPU-1']);
    expect(await t.sameGpuElsewhere('n1', ['GPU-1'], ['S1'])).toEqual([]);
    expect(await t.sameGpuElsewhere('n1', [], [])).toEqual([]);
  });

  it('stores samples and events, events once, and reads them back in time order', async () => {
    const t = new TelemetryRepo(storage.db);
    await t.addSamples('n1', [
      { gpuUuid: 'GPU-1', at: 20, metrics: { temperatureC: 61 } },
      { gpuUuid: 'GPU-1', at: 10, metrics: { temperatureC: 60 } },
      { gpuUuid: 'GPU-2', at: 15, metrics: { temperatureC: 50 } },
    ]);
    expect((await t.samples('n1', 'GPU-1', 0, 10)).map((s) => s.metrics)).toEqual([{ temperatureC: 60 }, { temperatureC: 61 }]);
    expect(await t.samples('n1', undefined, 15, 10)).toHaveLength(2);
    expect(await t.addEvent({ id: 'ev1', node_id: 'n1', kind: 'xid', at: 5, body: '{"xid":79}' })).toBe(true);
    expect(await t.addEvent({ id: 'ev1', node_id: 'n1', kind: 'xid', at: 5, body: '{"xid":79}' })).toBe(false);
    expect(await t.events('n1', 0, 10)).toEqual([{ id: 'ev1', kind: 'xid', at: 5, body: { xid: 79 } }]);
  });

  it('unenrolls a node once, keeping it for its history', async () => {
    const nodes = new NodeRepo(storage.db);
    expect(await nodes.unenroll('k1', 9)).toBe(true);
    expect(await nodes.unenroll('k1', 10)).toBe(false);
    expect((await nodes.byHostKey('k1'))?.unenrolled_at).toBe(9);
  });
});

describe.each(activeBackends())('alert storage contract on %s', (backend) => {
  let storage: Storage;
  let ids = 0;
  const newId = () => `id-${++ids}`;
  beforeEach(async () => {
    storage = await openFresh(backend);
    await migrateToLatest(storage);
    await new OrgRepo(storage.db).create({ id: 'org-a', name: 'A', created_at: 0 });
  });
  afterEach(async () => {
    await storage.close();
  });

  const cond = (key: string, summary = key) => ({ key, kind: key.split('|')[1]!, severity: 'critical', nodeId: 'n1', summary });

  it('fires, keeps, resolves and fires again, reporting each change once', async () => {
    const alerts = new AlertRepo(storage.db);
    const fired = await alerts.reconcile('org-a', 'node:n1|', [cond('node:n1|restricted'), cond('node:n1|empty')], 10, newId);
    expect(fired.map((t) => [t.alert.key, t.change])).toEqual([['node:n1|restricted', 'fired'], ['node:n1|empty', 'fired']]);
    expect(await alerts.reconcile('org-a', 'node:n1|', [cond('node:n1|restricted', 'new words'), cond('node:n1|empty')], 20, newId)).toEqual([]);
    const resolved = await alerts.reconcile('org-a', 'node:n1|', [cond('node:n1|restricted')], 30, newId);
    expect(resolved.map((t) => [t.alert.key, t.change, t.alert.resolved_at])).toEqual([['node:n1|empty', 'resolved', 30]]);
    const again = await alerts.reconcile('org-a', 'node:n1|', [cond('node:n1|restricted', 'newer words'), cond('node:n1|empty')], 40, newId);
    expect(again.map((t) => [t.alert.key, t.change])).toEqual([['node:n1|empty', 'fired']]);
    const list = await alerts.list('org-a', 'firing', 10);
    expect(list.map((a) => [a.key, a.summary, a.first_fired_at, a.last_fired_at])).toEqual([
      ['node:n1|empty', 'node:n1|empty', 10, 40],
      ['node:n1|restricted', 'newer words', 10, 10],
    ]);
  });

  it('touches only its scope, taken literally (underscores and percent signs are not wildcards)', async () => {
    const alerts = new AlertRepo(storage.db);
    await alerts.reconcile('org-a', 'node:a_b|', [cond('node:a_b|x')], 1, newId);
    await alerts.reconcile('org-a', 'node:axb|', [cond('node:axb|x')], 1, newId);
    await alerts.reconcile('org-a', 'node:a_b|', [], 2, newId);
    expect((await alerts.list('org-a', 'firing', 10)).map((a) => a.key)).toEqual(['node:axb|x']);
  });

  it('keeps mute rules until they expire, and webhook deliveries until they are due', async () => {
    const alerts = new AlertRepo(storage.db);
    await alerts.addMuteRule({ id: 'm1', org_id: 'org-a', kind: 'restricted', node_id: null, until: 100, reason: 'maintenance', created_at: 0 });
    expect(await alerts.muteRules('org-a', 50)).toHaveLength(1);
    expect(await alerts.muteRules('org-a', 100)).toHaveLength(0);
    await alerts.addWebhook({ id: 'w1', org_id: 'org-a', url: 'http://127.0.0.1:1/', secret: 's', created_at: 0 });
    const d = { id: 'd1', webhook_id: 'w1', alert_id: 'a1', event: 'fired', body: '{}', status: 'pending' as const, attempts: 0, next_attempt_at: 10, last_status_code: null, last_error: null, created_at: 0, delivered_at: null };
    await alerts.enqueueDelivery(d);
    expect(await alerts.dueDeliveries(9, 10)).toEqual([]);
    expect(await alerts.dueDeliveries(10, 10)).toEqual([d]);
    await alerts.recordAttempt('d1', { status: 'delivered', attempts: 1, next_attempt_at: 10, last_status_code: 200, last_error: null, delivered_at: 11 });
    expect(await alerts.dueDeliveries(100, 10)).toEqual([]);
    expect((await alerts.deliveries('w1', 10))[0]).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200 });
  });

  it('keeps the first server key stored, and reports per org, newest first, body only on get', async () => {
    const reports = new ReportRepo(storage.db);
    const first = await reports.ensureKey({ purpose: 'report', seed: 'seed-1', public_key: 'pk-1', created_at: 1 });
    const second = await reports.ensureKey({ purpose: 'report', seed: 'seed-2', public_key: 'pk-2', created_at: 2 });
    expect(second).toEqual(first);
    expect(await reports.key('report')).toEqual(first);
    const base = { org_id: 'org-a', format: 'csv', zone_id: null, created_by: 't1', body: 'a,b\n1,2\n', signature: '{}' };
    await reports.add({ ...base, id: 'r1', created_at: 10 });
    await reports.add({ ...base, id: 'r2', created_at: 20, body: 'x'.repeat(100_000) });
    await new OrgRepo(storage.db).create({ id: 'org-b', name: 'B', created_at: 0 });
    await reports.add({ ...base, id: 'r3', org_id: 'org-b', created_at: 30 });
    expect((await reports.list('org-a', 10)).map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(await reports.list('org-a', 10)).not.toContainEqual(expect.objectContaining({ body: expect.anything() }));
    expect((await reports.get('org-a', 'r2'))?.body).toHaveLength(100_000);
    expect(await reports.get('org-a', 'r3')).toBeUndefined();
  });
});

describe('the storage suite', () => {
  it('runs on every backend it was asked for', () => {
    // Under CI every backend must be present: the global setup fails when Postgres is missing.
    if (process.env.CI === 'true') expect(activeBackends()).toEqual(['sqlite', 'pglite', 'postgres']);
    expect(activeBackends()).toEqual(expect.arrayContaining(['sqlite']));
  });
});

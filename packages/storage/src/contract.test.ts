import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Migrator, sql, type Kysely } from 'kysely';
import { PROTOCOL_VERSION, generateSigningKey, hashNonces, signMeasurement, toBase64url, type GpuMetricsWire, type SignedMeasurement, type VerdictRecord } from '@locus/protocol';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { activeBackends, freshDatabaseSpec, openFresh } from '../../../test/support/storage-backends.js';
import { bucketsOf } from '../../../test/support/measurements.js';
import { openStorage } from './open.js';
import { ALL_MIGRATIONS, MIGRATION_NAMES, migrateToLatest } from './migrate.js';
import { LandmarkRepo } from './repos/landmarks.js';
import { refusalOf } from './repos/refusal.js';
import { MEASUREMENT_BUCKET_MS, MeasurementRepo, measurementRow } from './repos/measurements.js';
import { NodeRepo } from './repos/nodes.js';
import { OrgRepo } from './repos/orgs.js';
import { TokenRepo } from './repos/tokens.js';
import { VerdictRepo } from './repos/verdicts.js';
import { EnrollmentTokenRepo } from './repos/enrollment.js';
import { TelemetryRepo } from './repos/telemetry.js';
import { AlertRepo } from './repos/alerts.js';
import { ZoneRepo } from './repos/zones.js';
import { ReportRepo } from './repos/reports.js';
import { LeaseRepo } from './repos/leases.js';
import { UptimeRepo } from './repos/uptime.js';
import { GpuSampleRepo, type RangeSeries } from './repos/gpu-samples.js';
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

  it("keeps when each landmark's newest measurement was taken, whatever order they are stored in", async () => {
    const landmarks = new LandmarkRepo(storage.db);
    await landmarks.register(fra, 10);
    await landmarks.register({ ...fra, id: 'ams-1', publicKey: generateSigningKey().publicKey }, 12);
    expect((await landmarks.status()).map((s) => [s.landmark.id, s.registeredAt, s.lastMeasurementAt])).toEqual([['ams-1', 12, null], [fra.id, 10, null]]);
    await landmarks.markMeasured(new Map([[fra.id, 1_764_000_000_500]]));
    await landmarks.markMeasured(new Map([[fra.id, 1_764_000_000_000], ['nope', 5]]));
    expect((await landmarks.status()).map((s) => [s.landmark.id, s.lastMeasurementAt])).toEqual([['ams-1', null], [fra.id, 1_764_000_000_500]]);
    expect((await landmarks.status())[1]!.landmark).toEqual(fra);
    // Its newest refusal; an older one told later leaves it.
    await landmarks.markRefused(new Map([[fra.id, { at: 30, code: 'LOCUS_ERR_MEASUREMENT_STALE', message: 'dated 120 s in the future' }]]));
    await landmarks.markRefused(new Map([[fra.id, { at: 25, code: 'LOCUS_ERR_MEASUREMENT_UNKNOWN_HOST', message: 'no node has host key k' }], ['nope', { at: 40, code: 'x', message: 'y' }]]));
    expect((await landmarks.status()).map((s) => [s.landmark.id, s.lastRefusal])).toEqual([['ams-1', null], [fra.id, { at: 30, code: 'LOCUS_ERR_MEASUREMENT_STALE', message: 'dated 120 s in the future' }]]);
    // The software version its deliveries name: the latest one, on the landmarks named only.
    expect((await landmarks.status()).map((s) => s.version)).toEqual([null, null]);
    await landmarks.noteVersion([fra.id, 'nope'], '0.1.0');
    await landmarks.noteVersion([], '9.9.9');
    expect((await landmarks.status()).map((s) => [s.landmark.id, s.version])).toEqual([['ams-1', null], [fra.id, '0.1.0']]);
    await landmarks.noteVersion(['ams-1', fra.id], '0.2.0');
    expect((await landmarks.status()).map((s) => s.version)).toEqual(['0.2.0', '0.2.0']);
    await landmarks.revoke('ams-1', 20);
    expect((await landmarks.status()).map((s) => s.landmark.id)).toEqual([fra.id]);
  });

  it('revokes a landmark: left out of the trusted list, and its id never registered again', async () => {
    const landmarks = new LandmarkRepo(storage.db);
    expect(await landmarks.register(fra, 10)).toBe('created');
    expect(await landmarks.revoke('nope', 11)).toBe('absent');
    expect(await landmarks.revoke(fra.id, 11)).toBe('revoked');
    expect(await landmarks.revoke(fra.id, 12)).toBe('already');
    expect(await landmarks.list()).toEqual([]);
    expect(await landmarks.register(fra, 13)).toBe('conflict');
    expect(await landmarks.revokedAt([fra.id, 'nope'])).toEqual(new Map([[fra.id, 11]]));
    expect(await landmarks.revokedAt([])).toEqual(new Map());
  });

  it('keeps nodes per org and refuses a host key twice', async () => {
    const nodes = new NodeRepo(storage.db);
    const node = { id: 'n1', org_id: 'org-a', name: 'gpu-01', host_key: hostKey, claimed_country: 'DE', created_at: 7, last_measured_at: null, unenrolled_at: null, zone_id: null };
    expect(await nodes.create(node)).toBe(true);
    expect(await nodes.create({ ...node, id: 'n2', org_id: 'org-b' })).toBe(false);
    // Left out on insert: no refusal yet.
    const stored = { ...node, last_refusal_at: null, last_refusal_code: null, last_refusal_message: null, agent_version: null };
    expect(await nodes.get('org-a', 'n1')).toEqual(stored);
    expect(await nodes.get('org-b', 'n1')).toBeUndefined();
    expect(await nodes.list('org-b')).toEqual([]);
    expect(await nodes.markMeasured([hostKey, 'nobody'], 1234)).toEqual([{ ...stored, last_measured_at: 1234 }]);
    expect(await nodes.markMeasured([], 1235)).toEqual([]);
    expect(await nodes.knownHostKeys([hostKey, 'nobody', hostKey])).toEqual(new Set([hostKey]));
    expect(await nodes.knownHostKeys([])).toEqual(new Set());
    expect((await nodes.byHostKey(hostKey))?.last_measured_at).toBe(1234);
  });

  it('marks nodes measured and due from deliveries at once, sharing nodes, without a deadlock', async () => {
    const nodes = new NodeRepo(storage.db);
    const verdicts = new VerdictRepo(storage.db);
    const keys = Array.from({ length: 200 }, (_, i) => `host-${String(i).padStart(3, '0')}`);
    for (const [i, key] of keys.entries()) await nodes.create({ id: `n${i}`, org_id: 'org-a', name: key, host_key: key, claimed_country: null, created_at: 1, last_measured_at: null, unenrolled_at: null, zone_id: null });
    // With the table's statistics, PostgreSQL reads a few hundred nodes by a scan of the table.
    if (backend === 'postgres' || backend === 'pglite') await sql`analyze nodes`.execute(storage.db);
    // Eight landmarks' deliveries at a time, each naming the same nodes in an order of its own.
    for (let round = 0; round < 10; round++) {
      const marked = await Promise.all(
        Array.from({ length: 8 }, (_, l) => {
          const order = [...keys.slice(l * 25), ...keys.slice(0, l * 25)];
          // As a delivery does: the nodes measured, then each due at the end of its interval.
          return nodes.markMeasured(l % 2 === 0 ? order : order.reverse(), 100 + round).then(async (measured) => {
            await verdicts.dueBy(measured.map((n) => ({ nodeId: n.id, at: 1_000 - round * 10 - l })));
            return measured;
          });
        }),
      );
      for (const m of marked) expect(m.map((n) => n.host_key).sort()).toEqual(keys);
    }
    expect((await nodes.byHostKey('host-007'))?.last_measured_at).toBe(109);
    // Each due at the soonest time asked for.
    expect(await verdicts.expiry('n7')).toBe(1_000 - 90 - 7);
  });

  it('stores a measurement byte for byte, once, and returns a host window oldest first', async () => {
    await new LandmarkRepo(storage.db).register(fra, 10);
    const repo = new MeasurementRepo(storage.db);
    const late = measurement('2026-11-29T03:00:02.000Z', 12.345678901234);
    const early = measurement('2026-11-29T03:00:01.000Z', 0.000001);
    const old = measurement('2026-11-28T03:00:00.000Z', 5);
    expect(await repo.insertNew([late], 20)).toEqual(new Set([late.measurement.noncesHash]));
    expect(await repo.insertNew([early], 20)).toEqual(new Set([early.measurement.noncesHash]));
    expect(await repo.insertNew([old], 20)).toEqual(new Set([old.measurement.noncesHash]));
    expect(await repo.insertNew([late], 21)).toEqual(new Set());
    // Many in one statement: those already stored, and the second of two with the same nonces, are not.
    const other = measurement('2026-11-29T03:00:03.000Z', 7);
    expect(await repo.insertNew([late, other, other], 22)).toEqual(new Set([other.measurement.noncesHash]));
    expect(await repo.insertNew([], 22)).toEqual(new Set());
    expect((await repo.forHost(hostKey, Date.parse('2026-11-29T00:00:00.000Z'))).length).toBe(3);
    await storage.db.deleteFrom('measurements').where('nonces_hash', '=', other.measurement.noncesHash).execute();
    expect(await repo.forHost(hostKey, Date.parse('2026-11-29T00:00:00.000Z'))).toEqual([early, late]);
    expect(await repo.forHost('nobody', 0)).toEqual([]);
    // Expired: those before the time given, the oldest first, at most as many as asked.
    expect(await repo.expire(Date.parse('2026-11-29T03:00:02.000Z'), 1)).toBe(1);
    expect(await repo.forHost(hostKey, 0)).toEqual([early, late]);
    expect(await repo.expire(Date.parse('2026-11-29T03:00:02.000Z'), 10)).toBe(1);
    expect(await repo.expire(Date.parse('2026-11-29T03:00:02.000Z'), 10)).toBe(0);
    expect(await repo.forHost(hostKey, 0)).toEqual([late]);
  });

  it('sums a host window up per landmark and time bucket: the least RTT, when it was first taken, how many', async () => {
    const landmarks = new LandmarkRepo(storage.db);
    await landmarks.register(fra, 10);
    const otherKey = generateSigningKey();
    await landmarks.register({ ...fra, id: 'ams-1', name: 'Amsterdam', lat: 52.37, lon: 4.9, publicKey: otherKey.publicKey }, 10);
    const repo = new MeasurementRepo(storage.db);
    const at = (iso: string) => Date.parse(iso);
    const take = async (iso: string, rtt: number, landmark = 'fra-1', host = hostKey) => {
      const m = measurement(iso, rtt);
      const signed = landmark === 'fra-1' && host === hostKey ? m : signMeasurement({ ...m.measurement, landmarkId: landmark, hostKey: host }, landmark === 'fra-1' ? landmarkKey.privateKey : otherKey.privateKey);
      expect(await repo.insertNew([signed], 1)).toEqual(new Set([signed.measurement.noncesHash]));
    };
    // Buckets of 10 minutes: [03:00, 03:10) holds three of fra-1's, two with its least RTT.
    await take('2026-11-29T02:59:59.999Z', 0.5); // before the window asked for
    await take('2026-11-29T03:00:00.000Z', 4.25);
    await take('2026-11-29T03:04:00.000Z', 3.125);
    await take('2026-11-29T03:02:00.000Z', 3.125);
    await take('2026-11-29T03:09:59.999Z', 7);
    await take('2026-11-29T03:10:00.000Z', 9.5);
    await take('2026-11-29T03:12:00.000Z', 1.75, 'ams-1');
    await take('2026-11-29T03:12:00.000Z', 0.25, 'fra-1', 'another-host');
    await take('2026-11-29T03:20:00.001Z', 0.1); // after the window asked for
    const width = 600_000;
    const bucket = (iso: string) => Math.floor(at(iso) / width);
    expect(await repo.buckets(hostKey, at('2026-11-29T03:00:00.000Z'), at('2026-11-29T03:20:00.000Z'))).toEqual([
      { landmarkId: 'fra-1', bucket: bucket('2026-11-29T03:00:00.000Z'), minRttMs: 3.125, at: at('2026-11-29T03:02:00.000Z'), count: 4 },
      { landmarkId: 'ams-1', bucket: bucket('2026-11-29T03:10:00.000Z'), minRttMs: 1.75, at: at('2026-11-29T03:12:00.000Z'), count: 1 },
      { landmarkId: 'fra-1', bucket: bucket('2026-11-29T03:10:00.000Z'), minRttMs: 9.5, at: at('2026-11-29T03:10:00.000Z'), count: 1 },
    ]);
    // A window that cuts a bucket counts only what is inside it.
    expect(await repo.buckets(hostKey, at('2026-11-29T03:03:00.000Z'), at('2026-11-29T03:09:00.000Z'))).toEqual([
      { landmarkId: 'fra-1', bucket: bucket('2026-11-29T03:00:00.000Z'), minRttMs: 3.125, at: at('2026-11-29T03:04:00.000Z'), count: 1 },
    ]);
    expect(await repo.buckets('nobody', 0, at('2026-11-29T04:00:00.000Z'))).toEqual([]);
  });

  it('sums up what it stores as a window read from the measurements would, at any window, however they come', async () => {
    const otherKey = generateSigningKey();
    const landmarks = new LandmarkRepo(storage.db);
    await landmarks.register(fra, 10);
    await landmarks.register({ ...fra, id: 'ams-1', name: 'Amsterdam', lat: 52.37, lon: 4.9, publicKey: otherKey.publicKey }, 10);
    const repo = new MeasurementRepo(storage.db);
    const t0 = Date.parse('2026-11-29T03:00:00.000Z');
    const hosts = [hostKey, 'host-b'];
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        // Deliveries of measurements (some sent again, some in the same bucket, equal RTTs), and windows to read.
        fc.array(fc.array(fc.record({ host: fc.integer({ min: 0, max: 1 }), ams: fc.boolean(), minute: fc.integer({ min: 0, max: 90 }), second: fc.integer({ min: 0, max: 59 }), rtt: fc.constantFrom(1, 2, 2.5, 3) }), { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.integer({ min: -5 * 60, max: 95 * 60 }), fc.integer({ min: 0, max: 60 * 60 })), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 3 }),
        async (deliveries, windows, again) => {
          // Each run on hosts of its own.
          const keys = hosts.map((h) => `${h}-${run}`);
          run++;
          const sent: SignedMeasurement[] = [];
          for (const delivery of deliveries) {
            const batch = delivery.map((d) => {
              const m = measurement(new Date(t0 + d.minute * 60_000 + d.second * 1_000).toISOString(), d.rtt);
              return d.ams || d.host === 1 ? signMeasurement({ ...m.measurement, landmarkId: d.ams ? 'ams-1' : 'fra-1', hostKey: keys[d.host]! }, d.ams ? otherKey.privateKey : landmarkKey.privateKey) : signMeasurement({ ...m.measurement, hostKey: keys[0]! }, landmarkKey.privateKey);
            });
            sent.push(...batch);
            // Some of those sent before, again in this delivery.
            await repo.insertNew([...batch, ...sent.slice(0, again)], 1);
          }
          for (const [startS, lengthS] of windows) {
            const since = t0 + startS * 1_000;
            const until = since + lengthS * 1_000;
            for (const key of keys) expect(await repo.buckets(key, since, until)).toEqual(bucketsOf(await repo.forHost(key, since, until), MEASUREMENT_BUCKET_MS));
          }
        },
      ),
      { numRuns: backend === 'postgres' ? 15 : 30, seed: 20261201 },
    );
  }, 120_000);

  it('forgets the summary of buckets no window holds, a chunk at a time', async () => {
    await new LandmarkRepo(storage.db).register(fra, 10);
    const repo = new MeasurementRepo(storage.db);
    const bucketOf = (iso: string) => Math.floor(Date.parse(iso) / MEASUREMENT_BUCKET_MS);
    for (const iso of ['2026-11-29T03:01:00.000Z', '2026-11-29T03:11:00.000Z', '2026-11-29T03:21:00.000Z']) await repo.insertNew([measurement(iso, 3), signMeasurement({ ...measurement(iso, 4).measurement, hostKey: 'host-b' }, landmarkKey.privateKey)], 1);
    expect(await repo.expireBuckets(bucketOf('2026-11-29T03:20:00.000Z'), 3)).toBe(3);
    expect(await repo.expireBuckets(bucketOf('2026-11-29T03:20:00.000Z'), 3)).toBe(1);
    expect(await repo.expireBuckets(bucketOf('2026-11-29T03:20:00.000Z'), 3)).toBe(0);
    const rows = await storage.db.selectFrom('measurement_buckets').select(['host_key', 'bucket']).orderBy('host_key').execute();
    expect(rows.map((r) => [r.host_key, Number(r.bucket)])).toEqual([['host-b', bucketOf('2026-11-29T03:21:00.000Z')], [hostKey, bucketOf('2026-11-29T03:21:00.000Z')]].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
    // The measurements themselves stay (their retention is another).
    expect(await repo.forHost(hostKey, 0)).toHaveLength(3);
  });

  it("compacts a range of hosts' measurements to each landmark's least per bucket, those marked kept with them, and remembers how far it got", async () => {
    const landmarks = new LandmarkRepo(storage.db);
    await landmarks.register(fra, 10);
    expect(await landmarks.register({ ...fra, id: 'ams-1', name: 'Amsterdam', lat: 52.37, lon: 4.9, publicKey: generateSigningKey().publicKey }, 10)).toBe('created');
    const repo = new MeasurementRepo(storage.db);
    const at = (iso: string) => Date.parse(iso);
    const take = async (iso: string, rtt: number, host = hostKey, landmark = 'fra-1') => {
      const signed = signMeasurement({ ...measurement(iso, rtt).measurement, hostKey: host, landmarkId: landmark }, landmarkKey.privateKey);
      await repo.insertNew([signed], at(iso) + 1);
      return signed;
    };
    const rtts = async (host: string) => (await repo.forHost(host, 0)).map((m) => [m.measurement.landmarkId, m.measurement.measuredAt.slice(11, 19), m.measurement.minRttMs]);
    // Bucket [03:00, 03:10): the least of fra-1's (the first of two equal), and ams-1's only one.
    await take('2026-11-29T02:59:59.999Z', 1); // the bucket before: outside the range
    await take('2026-11-29T03:01:00.000Z', 5);
    await take('2026-11-29T03:02:00.000Z', 3);
    await take('2026-11-29T03:03:00.000Z', 3);
    await take('2026-11-29T03:04:00.000Z', 4);
    await take('2026-11-29T03:05:00.000Z', 2, hostKey, 'ams-1');
    // Marked kept (a verdict rests on it): it stays, and so does the least.
    await take('2026-11-29T03:06:00.000Z', 6);
    await repo.keep(hostKey, [{ landmarkId: 'fra-1', at: at('2026-11-29T03:06:00.000Z') }, { landmarkId: 'ams-1', at: at('2026-11-29T03:00:00.000Z') }]);
    await repo.keep(hostKey, []);
    await take('2026-11-29T03:10:00.000Z', 9); // the bucket after: outside the range
    await take('2026-11-29T03:03:00.000Z', 8, 'host-b');
    await take('2026-11-29T03:04:00.000Z', 7, 'host-b');
    await take('2026-11-29T03:05:00.000Z', 1, 'host-c'); // a host not in the statement
    await take('2026-11-29T03:06:00.000Z', 2, 'host-c');
    // Host keys in the database's order, one step of the index each.
    const walk = await repo.hostsAfter(null, 10);
    expect([...walk].sort()).toEqual(['host-b', 'host-c', hostKey].sort());
    expect(await repo.hostsAfter(walk[0]!, 1)).toEqual([walk[1]]);
    expect(await repo.hostsAfter(walk[0]!, 10)).toEqual(walk.slice(1));
    expect(await repo.hostsAfter(walk[2]!, 10)).toEqual([]);
    expect(await repo.firstSince(at('2026-11-29T03:00:00.000Z'))).toBe(at('2026-11-29T03:01:00.000Z'));
    expect(await repo.firstSince(at('2026-11-29T03:10:00.001Z'))).toBeNull();
    const width = 600_000;
    expect(await repo.compact([hostKey, 'host-b'], at('2026-11-29T03:00:00.000Z'), at('2026-11-29T03:10:00.000Z'), width)).toBe(4);
    expect(await rtts(hostKey)).toEqual([
      ['fra-1', '02:59:59', 1],
      ['fra-1', '03:02:00', 3],
      ['ams-1', '03:05:00', 2],
      ['fra-1', '03:06:00', 6],
      ['fra-1', '03:10:00', 9],
    ]);
    expect(await rtts('host-b')).toEqual([['fra-1', '03:04:00', 7]]);
    expect((await rtts('host-c')).length).toBe(2);
    // Again: nothing more to delete.
    expect(await repo.compact([hostKey, 'host-b'], at('2026-11-29T03:00:00.000Z'), at('2026-11-29T03:10:00.000Z'), width)).toBe(0);
    expect(await repo.compact([], 0, at('2026-11-29T04:00:00.000Z'), width)).toBe(0);
    // A range of several buckets compacts each on its own.
    expect(await repo.compact(['host-c', hostKey], 0, at('2026-11-29T04:00:00.000Z'), width)).toBe(1);
    expect(await rtts('host-c')).toEqual([['fra-1', '03:05:00', 1]]);
    expect((await rtts(hostKey)).length).toBe(5);
    // The mark: a database made with compaction starts from the beginning.
    expect(await repo.compactedBefore()).toBe(0);
    await repo.setCompactedBefore(at('2026-11-29T03:10:00.000Z'));
    await repo.setCompactedBefore(at('2026-11-29T03:20:00.000Z'));
    expect(await repo.compactedBefore()).toBe(at('2026-11-29T03:20:00.000Z'));
    // What the server held at a time: received by then.
    expect((await repo.forHost(hostKey, 0, at('2026-11-29T03:06:00.000Z'))).length).toBe(4);
    expect((await repo.forHost(hostKey, 0, at('2026-11-29T03:06:00.000Z'), at('2026-11-29T03:06:00.000Z'))).length).toBe(3);
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
    await new NodeRepo(storage.db).create({ id: 'n2', org_id: 'org-a', name: 'gpu-02', host_key: `${hostKey}-2`, claimed_country: null, created_at: 1, last_measured_at: null, unenrolled_at: null, zone_id: null });
    await verdicts.insert({ id: 'v3', nodeId: 'n2', computedAt: 50, measurements: 1, record: record('certain'), notes: [] });
    await verdicts.insert({ id: 'v4', nodeId: 'n2', computedAt: 50, measurements: 2, record: record('possible'), notes: [] });
    const latest = await verdicts.latestByOrg('org-a');
    expect([...latest].map(([node, v]) => [node, v.id]).sort()).toEqual([['n1', 'v2'], ['n2', 'v4']]);
    expect(latest.get('n2')).toEqual({ ...(await verdicts.history('n2', 1))[0], unexcludedAt: null });
  });

  it("reads each node's newest verdict of one org in one go, never another org's", async () => {
    const nodes = new NodeRepo(storage.db);
    const node = (id: string, org: string) => nodes.create({ id, org_id: org, name: id, host_key: `key-${id}`, claimed_country: null, created_at: 1, last_measured_at: null, unenrolled_at: null, zone_id: null });
    await node('n1', 'org-a');
    await node('n2', 'org-a');
    await node('n3', 'org-a');
    await node('n4', 'org-b');
    const verdicts = new VerdictRepo(storage.db);
    const record = (restricted: VerdictRecord['restricted']): VerdictRecord => ({ claimed: null, claim: null, restricted, possibleCountries: [], areaKm2: 1, radiusKm: 1, estimate: null, countryEstimate: null });
    await verdicts.insert({ id: 'a', nodeId: 'n1', computedAt: 100, measurements: 1, record: record('possible'), notes: [] });
    await verdicts.insert({ id: 'b', nodeId: 'n1', computedAt: 300, measurements: 2, record: record('excluded'), notes: [] });
    await verdicts.insert({ id: 'c', nodeId: 'n1', computedAt: 200, measurements: 3, record: record('certain'), notes: [] });
    await verdicts.insert({ id: 'd', nodeId: 'n2', computedAt: 50, measurements: 1, record: record('certain'), notes: [] });
    await verdicts.insert({ id: 'e', nodeId: 'n2', computedAt: 50, measurements: 1, record: record('possible'), notes: [] });
    await verdicts.insert({ id: 'f', nodeId: 'n4', computedAt: 999, measurements: 1, record: record('certain'), notes: [] });
    const latest = await verdicts.latestByOrg('org-a');
    expect([...latest].map(([n, v]) => [n, v.id, v.record.restricted]).sort()).toEqual([
      ['n1', 'b', 'excluded'],
      ['n2', 'e', 'possible'],
    ]);
    expect([...(await verdicts.latestByOrg('org-b')).keys()]).toEqual(['n4']);
    expect([...(await verdicts.latestByOrg('org-a', ['n2', 'n3', 'n4'])).keys()]).toEqual(['n2']);
    expect((await verdicts.latestByOrg('org-a', [])).size).toBe(0);
    // Counted by the database, with the same newest; an unenrolled node's verdict no longer counts.
    expect(await verdicts.latestRestrictedCounts('org-a')).toEqual({ excluded: 1, possible: 1 });
    expect(await verdicts.latestRestrictedCounts('org-b')).toEqual({ certain: 1 });
    await nodes.unenroll('key-n1', 400);
    expect(await verdicts.latestRestrictedCounts('org-a')).toEqual({ possible: 1 });
    // History past its retention goes, the oldest first, but never a node's newest (of two in one millisecond, the larger id).
    expect(await verdicts.expire(1_000, 1)).toBe(1);
    expect((await verdicts.history('n2')).map((v) => v.id)).toEqual(['e']);
    expect((await verdicts.history('n1')).map((v) => v.id)).toEqual(['b', 'c', 'a']);
    expect(await verdicts.expire(150, 10)).toBe(1);
    expect(await verdicts.expire(1_000, 10)).toBe(1);
    expect(await verdicts.expire(1_000, 10)).toBe(0);
    expect((await verdicts.history('n1')).map((v) => v.id)).toEqual(['b']);
    expect((await verdicts.history('n2')).map((v) => v.id)).toEqual(['e']);
    expect((await verdicts.history('n4')).map((v) => v.id)).toEqual(['f']);
    expect([...(await verdicts.latestByOrg('org-a'))].map(([n, v]) => [n, v.id]).sort()).toEqual([['n1', 'b'], ['n2', 'e']]);
  });

  it('searches an org\'s nodes by part of the name (any case, wildcards literal), zone and claimed country', async () => {
    const nodes = new NodeRepo(storage.db);
    const node = (id: string, name: string, zone: string | null, country: string | null, org = 'org-a') =>
      nodes.create({ id, org_id: org, name, host_key: `key-${id}`, claimed_country: country, created_at: 1, last_measured_at: null, unenrolled_at: null, zone_id: zone });
    await node('n1', 'SIN-H100-01', 'z1', 'SG');
    await node('n2', 'sin-h100_02', 'z1', null);
    await node('n3', 'va-100%-03', null, 'US');
    await node('n4', 'sin-h100-09', 'z1', 'SG', 'org-b');
    const names = async (filter: Parameters<NodeRepo['search']>[1]) => (await nodes.search('org-a', filter)).map((n) => n.name);
    expect(await names({})).toEqual(['SIN-H100-01', 'sin-h100_02', 'va-100%-03']);
    expect(await names({ q: 'sin-H100' })).toEqual(['SIN-H100-01', 'sin-h100_02']);
    expect(await names({ q: '_' })).toEqual(['sin-h100_02']);
    expect(await names({ q: '%' })).toEqual(['va-100%-03']);
    expect(await names({ zoneId: null })).toEqual(['va-100%-03']);
    expect(await names({ zoneId: 'z1', claimedCountry: null })).toEqual(['sin-h100_02']);
    expect(await names({ claimedCountry: 'SG' })).toEqual(['SIN-H100-01']);
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

  it('takes each batch id once, and none for a node that is not enrolled', async () => {
    const t = new TelemetryRepo(storage.db);
    expect(await t.claimBatch('b1', 'n1', 5)).toBe('claimed');
    expect(await t.claimBatch('b1', 'n1', 6)).toBe('duplicate');
    expect(await t.claimBatch('b2', 'nobody', 6)).toBe('not-enrolled');
    expect(await new NodeRepo(storage.db).unenroll('k1', 7)).toBe(true);
    expect(await t.claimBatch('b1', 'n1', 8)).toBe('not-enrolled');
    expect(await t.claimBatch('b3', 'n1', 8)).toBe('not-enrolled');
    expect((await storage.db.selectFrom('ingest_batches').selectAll().execute()).map((b) => [b.batch_id, b.node_id, Number(b.received_at)])).toEqual([['b1', 'n1', 5]]);
  });

  it("tells when each enrolled node of an org last delivered a batch", async () => {
    const t = new TelemetryRepo(storage.db);
    for (const [id, node, at] of [['b1', 'n1', 5], ['b2', 'n1', 9], ['b3', 'n1', 7], ['b4', 'n2', 3]] as const) expect(await t.claimBatch(id, node, at)).toBe('claimed');
    expect(await t.lastIngestsByOrg('org-a')).toEqual(new Map([['n1', 9], ['n2', 3]]));
    expect(await t.lastIngestsByOrg('org-a', ['n2'])).toEqual(new Map([['n2', 3]]));
    expect(await t.lastIngestsByOrg('org-a', [])).toEqual(new Map());
    expect(await t.lastIngestsByOrg('org-b')).toEqual(new Map());
    expect(await t.lastIngestsByOrg('org-b', ['n1'])).toEqual(new Map());
    await new NodeRepo(storage.db).unenroll('k2', 10);
    expect(await t.lastIngestsByOrg('org-a')).toEqual(new Map([['n1', 9]]));
  });

  it('finds, a slice of nodes at a time, those whose silence is not what their alerts say', async () => {
    const t = new TelemetryRepo(storage.db);
    const nodes = new NodeRepo(storage.db);
    const alerts = new AlertRepo(storage.db);
    await new OrgRepo(storage.db).create({ id: 'org-b', name: 'B', created_at: 0 });
    await nodes.create({ id: 'n3', org_id: 'org-a', name: 'n3', host_key: 'k3', claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
    await nodes.create({ id: 'n4', org_id: 'org-b', name: 'n4', host_key: 'k4', claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
    for (const [id, node, at] of [['b1', 'n1', 5], ['b2', 'n1', 9], ['b3', 'n2', 3], ['b4', 'n4', 2]] as const) expect(await t.claimBatch(id, node, at)).toBe('claimed');
    const all = async (cutoff: number, limit = 10, newlySilentBefore = cutoff) => {
      const found: string[] = [];
      const lasts: string[] = [];
      for (let after = ''; ; ) {
        const { nodes: slice, last } = await t.silenceChanges('node-silent', { silentBefore: cutoff, newlySilentBefore }, after, limit);
        found.push(...slice.map((n) => `${n.org_id}/${n.id}`));
        if (last === undefined) return { found, lasts };
        lasts.push(last);
        after = last;
      }
    };
    const fire = (org: string, node: string, kind: string) => alerts.reconcile(org, `node:${node}|`, [{ key: `node:${node}|${kind}`, kind, severity: 'warning', nodeId: node, summary: kind }], 10, () => `${org}-${node}-${kind}`);
    // Before 6, n2 and n4 went quiet; n1 reported at 9; n3 never reported (no agent: never silent).
    expect(await all(6)).toEqual({ found: ['org-a/n2', 'org-b/n4'], lasts: ['n4'] });
    expect(await all(6, 2)).toEqual({ found: ['org-a/n2', 'org-b/n4'], lasts: ['n2', 'n4'] });
    expect(await all(1)).toEqual({ found: [], lasts: ['n4'] });
    expect((await t.silenceChanges('node-silent', { silentBefore: 6, newlySilentBefore: 6 }, '', 10)).nodes[0]).toMatchObject({ id: 'n2', org_id: 'org-a', name: 'n2', host_key: 'k2', unenrolled_at: null });
    // Alerted silence is what the alerts say; an alert of another kind, or a resolved one, is not.
    await fire('org-a', 'n2', 'node-silent');
    await fire('org-b', 'n4', 'gpu-health');
    expect(await all(6)).toEqual({ found: ['org-b/n4'], lasts: ['n4'] });
    await fire('org-b', 'n4', 'node-silent');
    expect(await all(6)).toEqual({ found: [], lasts: ['n4'] });
    await alerts.reconcile('org-b', 'node:n4|', [], 11, () => 'unused');
    expect(await all(6)).toEqual({ found: ['org-b/n4'], lasts: ['n4'] });
    // A firing silence alert on a node that reported since, or that left, is a change too.
    await fire('org-a', 'n1', 'node-silent');
    expect(await all(6)).toEqual({ found: ['org-a/n1', 'org-b/n4'], lasts: ['n4'] });
    await nodes.unenroll('k2', 12);
    expect(await all(6)).toEqual({ found: ['org-a/n1', 'org-a/n2', 'org-b/n4'], lasts: ['n4'] });
    expect(await all(1)).toEqual({ found: ['org-a/n1', 'org-a/n2'], lasts: ['n4'] });
    // Servers not up long enough to tell (nothing newly silent before 0): n4, quiet since 2, is not
    // yet silent; with its alert firing, it stays so until it reports (at or after the cutoff).
    expect(await all(6, 10, 0)).toEqual({ found: ['org-a/n1', 'org-a/n2'], lasts: ['n4'] });
    await fire('org-b', 'n4', 'node-silent');
    expect(await all(6, 10, 0)).toEqual({ found: ['org-a/n1', 'org-a/n2'], lasts: ['n4'] });
    expect(await all(1, 10, 0)).toEqual({ found: ['org-a/n1', 'org-a/n2', 'org-b/n4'], lasts: ['n4'] });
  });

  it("keeps a node's newest refused batch, and counts one never stored but refused as quiet since it enrolled", async () => {
    const t = new TelemetryRepo(storage.db);
    const nodes = new NodeRepo(storage.db);
    await nodes.create({ id: 'n3', org_id: 'org-a', name: 'n3', host_key: 'k3', claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
    await nodes.create({ id: 'n5', org_id: 'org-a', name: 'n5', host_key: 'k5', claimed_country: null, created_at: 8, last_measured_at: null, unenrolled_at: null, zone_id: null });
    expect(await t.claimBatch('b1', 'n1', 9)).toBe('claimed');
    const quiet = async (before: number) => (await t.silenceChanges('node-silent', { silentBefore: before, newlySilentBefore: before }, '', 10)).nodes.map((n) => n.id);
    // No batch and no refusal: an agent not started, never silent (n2, n3, n5); n1 reported at 9.
    expect(await quiet(9)).toEqual([]);
    expect(await quiet(100)).toEqual(['n1']);
    await nodes.markRefused('n3', { at: 10, code: 'LOCUS_ERR_VALIDATION', message: 'body v: is not 1' });
    await nodes.markRefused('n3', { at: 7, code: 'LOCUS_ERR_VALIDATION', message: 'older' });
    await nodes.markRefused('n5', { at: 11, code: 'LOCUS_ERR_VALIDATION', message: 'body v: is not 1' });
    await nodes.markRefused('n1', { at: 4, code: 'LOCUS_ERR_VALIDATION', message: 'before its batch' });
    expect(await nodes.get('org-a', 'n3')).toMatchObject({ last_refusal_at: 10, last_refusal_code: 'LOCUS_ERR_VALIDATION', last_refusal_message: 'body v: is not 1' });
    expect(refusalOf((await nodes.get('org-a', 'n2'))!)).toBeNull();
    // Quiet since enrollment: n3 (at 0) before 6; n5 (at 8) not; n1 by its batch at 9, refusal or not.
    expect(await quiet(6)).toEqual(['n3']);
    expect(await quiet(10)).toEqual(['n1', 'n3', 'n5']);
    expect(await t.lastIngest('n1')).toBe(9);
    expect(await t.lastIngest('n3')).toBeNull();
    await nodes.unenroll('k1', 12);
    expect(await t.lastIngest('n1')).toBe(9);
  });

  it("lists the enrolled nodes, their addresses and their GPUs' series, for a server that starts", async () => {
    const t = new TelemetryRepo(storage.db);
    await t.setAddress('n1', '10.0.0.1', 1);
    await t.setAddress('n2', '10.0.0.2', 1);
    const made = new GpuSampleRepo(storage.db);
    const n1 = await made.seriesFor('n1', ['GPU-a', 'GPU-b']);
    await made.seriesFor('n2', ['GPU-c']);
    await new NodeRepo(storage.db).unenroll('k2', 2);
    expect((await new NodeRepo(storage.db).enrolled(10)).map((n) => n.id)).toEqual(['n1']);
    expect(await t.addresses(10)).toEqual([{ node_id: 'n1', address: '10.0.0.1' }]);
    await new NodeRepo(storage.db).create({ id: 'n3', org_id: 'org-a', name: 'n3', host_key: 'k3', claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
    expect(await new NodeRepo(storage.db).enrolled(1)).toHaveLength(1);
    // A fresh store remembers n1's two series (not unenrolled n2's), the ids made before.
    const fresh = new GpuSampleRepo(storage.db);
    expect(await fresh.remember()).toBe(2);
    expect(await fresh.seriesFor('n1', ['GPU-b', 'GPU-a'])).toEqual(n1);
  });

  it("keeps on each node the agent version its latest inventory names, and lists nodes by it", async () => {
    const nodes = new NodeRepo(storage.db);
    const t = new TelemetryRepo(storage.db);
    const mine = (list: readonly { id: string }[]) => list.map((n) => n.id).filter((id) => id.startsWith('ver-'));
    for (const id of ['ver-a', 'ver-b', 'ver-c']) await nodes.create({ id, org_id: 'org-a', name: id, host_key: `key-${id}`, claimed_country: null, created_at: 1, last_measured_at: null, unenrolled_at: null, zone_id: null });
    await t.setInventory('ver-a', { hostname: 'a', agentVersion: '0.1.0' }, 1);
    await t.setInventory('ver-b', { hostname: 'b', agentVersion: '0.1.0' }, 1);
    await t.setInventory('ver-b', { hostname: 'b', agentVersion: '0.2.0' }, 2);
    // An agent that does not say (one older than the member), or says something that is no text.
    await t.setInventory('ver-c', { hostname: 'c', agentVersion: 7 }, 1);
    expect((await nodes.list('org-a')).filter((n) => n.id.startsWith('ver-')).map((n) => [n.id, n.agent_version])).toEqual([['ver-a', '0.1.0'], ['ver-b', '0.2.0'], ['ver-c', null]]);
    expect(mine(await nodes.search('org-a', { agentVersion: '0.2.0' }))).toEqual(['ver-b']);
    expect(mine(await nodes.search('org-a', { agentVersion: null }))).toEqual(['ver-c']);
    expect(await nodes.search('org-b', { agentVersion: '0.1.0' })).toEqual([]);
    await t.setInventory('ver-a', { hostname: 'a' }, 3);
    expect((await nodes.get('org-a', 'ver-a'))?.agent_version).toBeNull();
  });

  it('keeps the latest inventory and when each GPU was first and last seen', async () => {
    const t = new TelemetryRepo(storage.db);
    await t.setInventory('n1', { hostname: 'a' }, 1);
    await t.setInventory('n1', { hostname: 'b' }, 2);
    expect(await t.inventory('n1')).toEqual({ inventory: { hostname: 'b' }, updatedAt: 2 });
    await t.seeGpus('n1', [{ uuid: 'GPU-1', serial: 'S1', name: 'H100', pci_bus_id: '00000000:18:00.0' }], 10);
    await t.seeGpus('n1', [{ uuid: 'GPU-1', serial: 'S1', name: 'H100', pci_bus_id: '00000000:18:00.0' }], 20);
    expect(await t.gpus('n1')).toEqual([{ node_id: 'n1', uuid: 'GPU-1', serial: 'S1', name: 'H100', pci_bus_id: '00000000:18:00.0', first_seen_at: 10, last_seen_at: 20, missing_since: null }]);
  });

  it('keeps each node\'s latest health per component and GPU, whatever order events arrive in', async () => {
    const t = new TelemetryRepo(storage.db);
    const h = (id: string, at: number, component: string, gpu: string | null, health: string) => ({ id, at, component, gpu, health, reason: `${component} ${health}`, suggestedAction: health === 'unhealthy' ? 'reboot' : null });
    await t.noteHealth('n1', h('e2', 20, 'xid', 'GPU-1', 'unhealthy'));
    await t.noteHealth('n1', h('e1', 10, 'xid', 'GPU-1', 'healthy'));
    await t.noteHealth('n1', h('e3', 15, 'thermal', null, 'degraded'));
    await t.noteHealth('n1', h('e5', 20, 'xid', 'GPU-2', 'healthy'));
    await t.noteHealth('n1', h('e4', 20, 'xid', 'GPU-2', 'unhealthy'));
    await t.noteHealth('n2', h('e6', 30, 'xid', 'GPU-9', 'healthy'));
    expect((await t.latestHealth(['n1'])).map((x) => [x.component, x.gpu, x.health, x.suggestedAction, x.at])).toEqual([
      ['thermal', null, 'degraded', null, 15],
      ['xid', 'GPU-1', 'unhealthy', 'reboot', 20],
      // Two at the same instant: the one stored later.
      ['xid', 'GPU-2', 'unhealthy', 'reboot', 20],
    ]);
    expect((await t.latestHealth(['n1', 'n2'])).map((x) => x.nodeId).sort()).toEqual(['n1', 'n1', 'n1', 'n2']);
    expect(await t.latestHealth([])).toEqual([]);
    await t.seeGpus('n1', [{ uuid: 'GPU-1', serial: 'S1', name: 'H100', pci_bus_id: 'b' }], 1);
    await t.seeGpus('n2', [{ uuid: 'GPU-9', serial: 'S9', name: 'H200', pci_bus_id: 'a' }], 1);
    expect((await t.gpusOf(['n1', 'n2'])).map((g) => [g.node_id, g.uuid])).toEqual([['n1', 'GPU-1'], ['n2', 'GPU-9']]);
  });

  it('fills the latest-health table from the health events stored before it', async () => {
    const old = await openFresh(backend);
    const migrations = Object.fromEntries(MIGRATION_NAMES.filter((n) => n < '0011').map((n) => [n, ALL_MIGRATIONS[n]!]));
    await new Migrator({ db: old.db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
    await new OrgRepo(old.db).create({ id: 'org-a', name: 'A', created_at: 0 });
    await new NodeRepo(old.db).create({ id: 'n1', org_id: 'org-a', name: 'n1', host_key: 'k', claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
    const t = new TelemetryRepo(old.db);
    const event = (id: string, at: number, body: object) => t.addEvent({ id, node_id: 'n1', kind: 'health', at, body: JSON.stringify({ kind: 'health', id, at: new Date(at).toISOString(), ...body }) });
    for (let i = 0; i < 1_200; i++) await event(`e${String(i).padStart(5, '0')}`, i, { component: 'thermal', gpu: 'GPU-1', health: i % 2 ? 'degraded' : 'healthy', reason: `r${i}`, suggestedAction: null });
    await event('x1', 5, { component: 'xid', gpu: null, health: 'unhealthy', reason: 'Xid 79', suggestedAction: 'reboot' });
    await t.addEvent({ id: 'i1', node_id: 'n1', kind: 'inventory', at: 9, body: '{}' });
    expect(await migrateToLatest(old)).toEqual(MIGRATION_NAMES.filter((n) => n >= '0011'));
    expect((await new TelemetryRepo(old.db).latestHealth(['n1'])).map((x) => [x.component, x.gpu, x.health, x.reason, x.suggestedAction])).toEqual([
      ['xid', null, 'unhealthy', 'Xid 79', 'reboot'],
      ['thermal', 'GPU-1', 'degraded', 'r1199', null],
    ]);
    await old.close();
  });

  it("keeps when each node's verdict loses a bound, and lists those lost by then, the first first", async () => {
    const nodes = new NodeRepo(storage.db);
    const verdicts = new VerdictRepo(storage.db);
    for (const id of ['n3']) await nodes.create({ id, org_id: 'org-a', name: id, host_key: `k-${id}`, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
    await verdicts.setExpiry('n1', 30);
    await verdicts.setExpiry('n2', 10);
    await verdicts.setExpiry('n3', 50);
    await verdicts.setExpiry('n3', 20);
    expect((await verdicts.expiring(9, 10)).map((n) => n.id)).toEqual([]);
    expect((await verdicts.expiring(30, 10)).map((n) => n.id)).toEqual(['n2', 'n3', 'n1']);
    expect((await verdicts.expiring(30, 2)).map((n) => n.id)).toEqual(['n2', 'n3']);
    expect([await verdicts.due(9), await verdicts.due(20), await verdicts.due(30)]).toEqual([
      { count: 0, since: null },
      { count: 2, since: 10 },
      { count: 3, since: 10 },
    ]);
    await verdicts.setExpiry('n2', null);
    await verdicts.setExpiry('n2', null);
    expect((await verdicts.expiring(100, 10)).map((n) => [n.id, n.name])).toEqual([['n3', 'n3'], ['n1', 'n1']]);
    // Parameters: the first noted changes nothing, the same again neither, others do; all lose their bound then.
    expect(await verdicts.noteParameters('{"restricted":["CN"]}', 1)).toBe(false);
    expect(await verdicts.noteParameters('{"restricted":["CN"]}', 2)).toBe(false);
    expect(await verdicts.noteParameters('{"restricted":["CN","SG"]}', 3)).toBe(true);
    // Every node with a verdict, those resting on no measurement (no expiry noted) too; none judged later than it was due.
    const record: VerdictRecord = { claimed: null, claim: null, restricted: 'excluded', possibleCountries: [], areaKm2: 1, radiusKm: 1, estimate: null, countryEstimate: null };
    await verdicts.insert({ id: 'v-n2', nodeId: 'n2', computedAt: 1, measurements: 0, record, notes: [] });
    await verdicts.insert({ id: 'v-n1', nodeId: 'n1', computedAt: 1, measurements: 3, record, notes: [] });
    await verdicts.expireAll(25);
    expect((await verdicts.expiring(25, 10)).map((n) => n.id)).toEqual(['n3', 'n1', 'n2']);
    // Taken by servers at once: each by one, due again when the claim ends.
    const taken: string[] = [];
    for (let round = 0; round < 3; round++) {
      const claims = await Promise.all([verdicts.claimExpiring(25, 1_000, 2), new VerdictRepo(storage.db).claimExpiring(25, 1_000, 2)]);
      taken.push(...claims.flat().map((n) => n.id));
    }
    expect(taken.sort()).toEqual(['n1', 'n2', 'n3']);
    expect(await verdicts.expiring(999, 10)).toEqual([]);
    expect((await verdicts.expiring(1_000, 10)).map((n) => [n.id, n.name])).toEqual([['n1', 'n1'], ['n2', 'n2'], ['n3', 'n3']]);
    expect(await verdicts.expiry('n1')).toBe(1_000);
  });

  it('lets one server take a due node, even when another takes at the same time', async () => {
    const nodes = new NodeRepo(storage.db);
    const verdicts = new VerdictRepo(storage.db);
    for (const id of ['n1', 'n2', 'n3']) {
      await nodes.create({ id, org_id: 'org-a', name: id, host_key: `k-${id}`, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
      await verdicts.setExpiry(id, 10);
    }
    // The second server's claim starts while the first's is not committed: it waits for the
    // rows (PostgreSQL) or the connection (SQLite, PGlite), then finds them due later.
    let second: Promise<{ id: string }[]> | undefined;
    const first = await storage.db.transaction().execute(async (trx) => {
      const mine = await new VerdictRepo(trx).claimExpiring(25, 1_000, 10);
      second = verdicts.claimExpiring(25, 1_000, 10);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return mine;
    });
    expect(first.map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
    expect(await second).toEqual([]);
    expect(await verdicts.claimExpiring(1_000, 2_000, 10)).toHaveLength(3);
  });

  it('judges again, after the upgrade, every node judged before verdicts kept their expiry', async () => {
    const old = await openFresh(backend);
    const migrations = Object.fromEntries(MIGRATION_NAMES.filter((n) => n < '0018').map((n) => [n, ALL_MIGRATIONS[n]!]));
    await new Migrator({ db: old.db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
    await new OrgRepo(old.db).create({ id: 'org-a', name: 'A', created_at: 0 });
    for (const [id, measured] of [['measured', 5], ['never', null]] as const) await new NodeRepo(old.db).create({ id, org_id: 'org-a', name: id, host_key: `k-${id}`, claimed_country: null, created_at: 0, last_measured_at: measured, unenrolled_at: null, zone_id: null });
    const record: VerdictRecord = { claimed: null, claim: null, restricted: 'excluded', possibleCountries: ['SG'], areaKm2: 1, radiusKm: 1, estimate: null, countryEstimate: 'SG' };
    for (const id of ['v1', 'v2']) await new VerdictRepo(old.db).insert({ id, nodeId: 'measured', computedAt: 5, measurements: 4, record, notes: [] });
    expect(await migrateToLatest(old)).toEqual(MIGRATION_NAMES.filter((n) => n >= '0018'));
    expect((await new VerdictRepo(old.db).expiring(0, 10)).map((n) => n.id)).toEqual(['measured']);
    await old.close();
  });

  it("keeps, after the upgrade, an alert's deliveries made before in order behind each other", async () => {
    const old = await openFresh(backend);
    const migrations = Object.fromEntries(MIGRATION_NAMES.filter((n) => n < '0032').map((n) => [n, ALL_MIGRATIONS[n]!]));
    await new Migrator({ db: old.db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
    await new OrgRepo(old.db).create({ id: 'org-a', name: 'A', created_at: 0 });
    await old.db.insertInto('webhooks').values({ id: 'w1', org_id: 'org-a', url: 'http://127.0.0.1:1/', secret: 's', created_at: 0, group_wait_ms: 0, min_severity: 'warning', kinds: null }).execute();
    const made = (id: string, alert_id: string, event: string, created_at: number, next_attempt_at: number) => ({ id, webhook_id: 'w1', alert_id, event, body: '{}', status: 'pending', attempts: 1, next_attempt_at, last_status_code: 500, last_error: 'HTTP 500', created_at, delivered_at: null, changes: 1 });
    // Rows as the release before wrote them (no last_attempt_at): a1 fired, retried at 100; a1 resolved, due; a test.
    await (old.db as unknown as Kysely<Record<string, Record<string, unknown>>>).insertInto('webhook_deliveries').values([made('fired', 'a1', 'fired', 10, 100), made('resolved', 'a1', 'resolved', 20, 20), made('test', '', 'test', 30, 20)]).execute();
    expect(await migrateToLatest(old)).toEqual(MIGRATION_NAMES.filter((n) => n >= '0032'));
    const alerts = new AlertRepo(old.db);
    expect((await alerts.dueDeliveries(50, 10)).map((d) => [d.id, d.last_attempt_at])).toEqual([['test', null]]);
    expect((await alerts.dueDeliveries(100, 10)).map((d) => d.id)).toEqual(['test', 'fired']);
    expect(await alerts.laterOfItsAlerts({ id: 'fired', webhook_id: 'w1', created_at: 10 })).toEqual({ id: 'resolved', event: 'resolved', status: 'pending' });
    await old.close();
  });

  it('notes when each node was last judged, which its current verdict carries, and makes a node due sooner, never later', async () => {
    const nodes = new NodeRepo(storage.db);
    const verdicts = new VerdictRepo(storage.db);
    for (const id of ['n1', 'n2']) await nodes.create({ id, org_id: 'org-a', name: id, host_key: `k-${id}`, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
    const record: VerdictRecord = { claimed: null, claim: null, restricted: 'excluded', possibleCountries: ['SG'], areaKm2: 1, radiusKm: 1, estimate: null, countryEstimate: 'SG' };
    expect(await verdicts.lastJudged(['n1'])).toEqual(new Map());
    await verdicts.insert({ id: 'v1', nodeId: 'n1', computedAt: 10, measurements: 4, record, notes: [] });
    await verdicts.insert({ id: 'v2', nodeId: 'n2', computedAt: 10, measurements: 2, record, notes: [] });
    await verdicts.judged('n1', 10, 4, record);
    await verdicts.judged('n1', 40, 5, { ...record, restricted: 'possible' });
    // Judged again to the same verdict with another area (its bounds grown or tightened): no history row, the last record listed.
    await verdicts.judged('n1', 70, 9, { ...record, areaKm2: 5 });
    expect(await verdicts.lastJudged(['n1', 'n2', 'n3'])).toEqual(new Map([['n1', { at: 70, measurements: 9 }]]));
    expect(await verdicts.lastJudged([])).toEqual(new Map());
    const latest = await verdicts.latestByOrg('org-a');
    // Judged since its verdict was stored: as of then, on as many measurements; never judged: as stored.
    // The last judgement that did not exclude the restricted countries, kept while they stay excluded; none for n2.
    expect(latest.get('n1')).toMatchObject({ id: 'v1', computedAt: 70, measurements: 9, record: { ...record, areaKm2: 5 }, unexcludedAt: 40 });
    expect(latest.get('n2')).toMatchObject({ id: 'v2', computedAt: 10, measurements: 2, record, unexcludedAt: null });
    expect((await verdicts.latestByOrg('org-a', ['n1'])).get('n1')).toMatchObject({ computedAt: 70, measurements: 9 });
    expect((await verdicts.history('n1')).map((v) => [v.id, v.computedAt, v.measurements])).toEqual([['v1', 10, 4]]);
    // Judged with the expiry seen before: replaced if unchanged since, else the sooner kept.
    await verdicts.setExpiry('n1', 400);
    expect(await verdicts.expiry('n1')).toBe(400);
    expect(await verdicts.expiry('n2')).toBeNull();
    await verdicts.setExpiry('n1', 900, 400);
    expect(await verdicts.expiry('n1')).toBe(900);
    await verdicts.setExpiry('n1', 950, 400);
    expect(await verdicts.expiry('n1')).toBe(900);
    await verdicts.setExpiry('n1', 800, 400);
    expect(await verdicts.expiry('n1')).toBe(800);
    await verdicts.setExpiry('n1', null, 400);
    expect(await verdicts.expiry('n1')).toBe(800);
    await verdicts.setExpiry('n1', null, 800);
    expect(await verdicts.expiry('n1')).toBeNull();
    await verdicts.dueBy([{ nodeId: 'n1', at: 650 }]);
    // None seen, one since: kept (the sooner), and not deleted.
    await verdicts.setExpiry('n1', 700, null);
    await verdicts.setExpiry('n1', null, null);
    expect(await verdicts.expiry('n1')).toBe(650);
    await verdicts.setExpiry('n2', 700, null);
    expect(await verdicts.expiry('n2')).toBe(700);
    await verdicts.setExpiry('n2', null);
    // Due: sooner than a later expiry, never later than a sooner one; a node with none gets one.
    await verdicts.setExpiry('n1', 500);
    await verdicts.dueBy([{ nodeId: 'n1', at: 100 }]);
    await verdicts.dueBy([
      { nodeId: 'n1', at: 300 },
      { nodeId: 'n2', at: 200 },
    ]);
    await verdicts.dueBy([]);
    expect((await verdicts.expiring(150, 10)).map((n) => n.id)).toEqual(['n1']);
    expect((await verdicts.expiring(200, 10)).map((n) => n.id)).toEqual(['n1', 'n2']);
  });

  it('fills when each node was last judged from its newest verdict', async () => {
    const old = await openFresh(backend);
    const migrations = Object.fromEntries(MIGRATION_NAMES.filter((n) => n < '0020').map((n) => [n, ALL_MIGRATIONS[n]!]));
    await new Migrator({ db: old.db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
    await new OrgRepo(old.db).create({ id: 'org-a', name: 'A', created_at: 0 });
    for (const id of ['judged', 'never']) await new NodeRepo(old.db).create({ id, org_id: 'org-a', name: id, host_key: `k-${id}`, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
    const record: VerdictRecord = { claimed: null, claim: null, restricted: 'excluded', possibleCountries: ['SG'], areaKm2: 1, radiusKm: 1, estimate: null, countryEstimate: 'SG' };
    for (const [id, at, measurements] of [['v1', 5, 4], ['v3', 9, 6], ['v2', 9, 5]] as const) await new VerdictRepo(old.db).insert({ id, nodeId: 'judged', computedAt: at, measurements, record, notes: [] });
    expect(await migrateToLatest(old)).toEqual(MIGRATION_NAMES.filter((n) => n >= '0020'));
    const judged = await old.db.selectFrom('node_judgements').selectAll().execute();
    expect(judged.map((j) => [j.node_id, Number(j.judged_at), j.measurements])).toEqual([['judged', 9, 6]]);
    await old.close();
  });

  it('compacts none of the measurements stored before compaction came (their verdicts did not mark what they rest on)', async () => {
    for (const stored of [['2026-11-29T03:04:00.000Z', '2026-11-29T03:11:00.000Z'], []]) {
      const old = await openFresh(backend);
      const migrations = Object.fromEntries(MIGRATION_NAMES.filter((n) => n < '0021').map((n) => [n, ALL_MIGRATIONS[n]!]));
      await new Migrator({ db: old.db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
      await new LandmarkRepo(old.db).register(fra, 10);
      for (const at of stored) await old.db.insertInto('measurements').values(measurementRow(measurement(at, 3), 1)).execute();
      expect(await migrateToLatest(old)).toEqual(MIGRATION_NAMES.filter((n) => n >= '0021'));
      // After the bucket of the newest: 03:10 to 03:20.
      expect(await new MeasurementRepo(old.db).compactedBefore()).toBe(stored.length ? Date.parse('2026-11-29T03:20:00.000Z') : 0);
      await old.close();
    }
  });

  it('sums up, when the summary comes, the measurements of the 7 hours before the newest (migration 0022)', async () => {
    const old = await openFresh(backend);
    const migrations = Object.fromEntries(MIGRATION_NAMES.filter((n) => n < '0022').map((n) => [n, ALL_MIGRATIONS[n]!]));
    await new Migrator({ db: old.db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
    await new LandmarkRepo(old.db).register(fra, 10);
    // The newest at 12:05; the summary starts at 05:00, the start of the bucket 7 h before.
    const stored = ['2026-11-29T04:59:59.999Z', '2026-11-29T05:00:00.000Z', '2026-11-29T05:04:00.000Z', '2026-11-29T05:06:00.000Z', '2026-11-29T09:30:00.000Z', '2026-11-29T12:05:00.000Z'].map((at, i) => measurement(at, [2, 5, 3, 3, 1, 4][i]!));
    await old.db.insertInto('measurements').values(stored.map((m) => measurementRow(m, 1))).execute();
    expect(await migrateToLatest(old)).toEqual(MIGRATION_NAMES.filter((n) => n >= '0022'));
    const repo = new MeasurementRepo(old.db);
    const summary = await old.db.selectFrom('measurement_buckets').select(['bucket', 'min_rtt_ms', 'first_at', 'n']).orderBy('bucket').execute();
    const bucketOf = (iso: string) => Math.floor(Date.parse(iso) / MEASUREMENT_BUCKET_MS);
    expect(summary.map((r) => [Number(r.bucket), Number(r.min_rtt_ms), Number(r.first_at), Number(r.n)])).toEqual([
      [bucketOf('2026-11-29T05:00:00.000Z'), 3, Date.parse('2026-11-29T05:04:00.000Z'), 3],
      [bucketOf('2026-11-29T09:30:00.000Z'), 1, Date.parse('2026-11-29T09:30:00.000Z'), 1],
      [bucketOf('2026-11-29T12:05:00.000Z'), 4, Date.parse('2026-11-29T12:05:00.000Z'), 1],
    ]);
    // And goes on from there.
    await repo.insertNew([measurement('2026-11-29T05:08:00.000Z', 3), measurement('2026-11-29T05:09:00.000Z', 2.5)], 2);
    const since = Date.parse('2026-11-29T05:00:00.000Z');
    expect(await repo.buckets(hostKey, since, Date.parse('2026-11-29T12:10:00.000Z'))).toEqual(bucketsOf(await repo.forHost(hostKey, since), MEASUREMENT_BUCKET_MS));
    await old.close();
  });

  it('keeps the address each node last came from, and since when', async () => {
    const t = new TelemetryRepo(storage.db);
    expect(await t.address('n1')).toBeUndefined();
    await t.setAddress('n1', '203.0.113.7', 5);
    await t.setAddress('n1', '2001:db8::1', 9);
    await t.setAddress('n1', '2001:db8::1', 12);
    await t.setAddress('n2', '198.51.100.2', 7);
    expect(await t.address('n1')).toEqual({ address: '2001:db8::1', since: 9 });
    expect(await t.address('n2')).toEqual({ address: '198.51.100.2', since: 7 });
  });

  it('finds the GPUs missing from the latest inventory, and forgets only those', async () => {
    const t = new TelemetryRepo(storage.db);
    const board = (uuid: string) => ({ uuid, serial: `S-${uuid}`, name: 'H100', pci_bus_id: uuid });
    const missing = async (node: string) => ((await t.missingGpus([node])).get(node) ?? []).map((g) => [g.uuid, g.last_seen_at, g.missing_since]);
    await t.seeGpus('n1', [board('GPU-1'), board('GPU-2')], 10);
    // Before any inventory nothing is missing, whatever was seen.
    expect(await missing('n1')).toEqual([]);
    await t.setInventory('n1', { gpus: 2 }, 10);
    expect(await missing('n1')).toEqual([]);
    await t.setInventory('n1', { gpus: 1 }, 20);
    await t.seeGpus('n1', [board('GPU-1')], 20);
    expect(await missing('n1')).toEqual([['GPU-2', 10, 20]]);
    // A later inventory that still lacks it (another change) leaves when it went missing.
    await t.setInventory('n1', { gpus: 1, driver: 'new' }, 22);
    await t.seeGpus('n1', [board('GPU-1')], 22);
    expect(await missing('n1')).toEqual([['GPU-2', 10, 20]]);
    expect((await t.gpus('n1')).map((g) => [g.uuid, g.last_seen_at, g.missing_since])).toEqual([['GPU-1', 22, null], ['GPU-2', 10, 20]]);
    // Listed again, then lacking again: missing since the second time.
    await t.setInventory('n1', { gpus: 2 }, 24);
    await t.seeGpus('n1', [board('GPU-1'), board('GPU-2')], 24);
    expect(await missing('n1')).toEqual([]);
    expect((await t.gpus('n1')).map((g) => g.missing_since)).toEqual([null, null]);
    await t.setInventory('n1', { gpus: 1 }, 26);
    await t.seeGpus('n1', [board('GPU-1')], 26);
    expect(await missing('n1')).toEqual([['GPU-2', 24, 26]]);
    // Several nodes at once: each its own, none for a node missing none.
    await t.seeGpus('n2', [board('GPU-3'), board('GPU-4')], 15);
    await t.setInventory('n2', { gpus: 0 }, 25);
    const both = await t.missingGpus(['n1', 'n2']);
    expect([...both].map(([node, gpus]) => [node, gpus.map((g) => g.uuid)]).sort()).toEqual([['n1', ['GPU-2']], ['n2', ['GPU-3', 'GPU-4']]]);
    // An inventory stored without its GPUs recorded: missing since that inventory.
    expect((await missing('n2')).map(([, , since]) => since)).toEqual([25, 25]);
    expect((await t.missingGpus([])).size).toBe(0);
    expect(await t.forgetMissingGpu('n1', 'GPU-1')).toBe(false);
    expect(await t.forgetMissingGpu('n2', 'GPU-2')).toBe(false);
    expect(await t.forgetMissingGpu('n1', 'GPU-2')).toBe(true);
    expect(await missing('n1')).toEqual([]);
    expect((await t.gpus('n1')).map((g) => g.uuid)).toEqual(['GPU-1']);
    // Back on the bus, it is seen again like any GPU.
    await t.setInventory('n1', { gpus: 0 }, 30);
    expect((await missing('n1')).map(([uuid]) => uuid)).toEqual(['GPU-1']);
  });

  it('gives the GPUs missing before the upgrade their node\'s latest inventory time as missing since', async () => {
    const old = await openFresh(backend);
    const migrations = Object.fromEntries(MIGRATION_NAMES.filter((n) => n < '0028').map((n) => [n, ALL_MIGRATIONS[n]!]));
    await new Migrator({ db: old.db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
    await new OrgRepo(old.db).create({ id: 'org-a', name: 'A', created_at: 0 });
    for (const id of ['n1', 'n2']) await new NodeRepo(old.db).create({ id, org_id: 'org-a', name: id, host_key: `k-${id}`, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
    const board = (node: string, uuid: string, seen: number) => ({ node_id: node, uuid, serial: null, name: 'H100', pci_bus_id: uuid, first_seen_at: 1, last_seen_at: seen });
    await old.db.insertInto('gpus').values([board('n1', 'GPU-1', 30), board('n1', 'GPU-2', 10), board('n2', 'GPU-3', 10)]).execute();
    await old.db.insertInto('node_inventory').values({ node_id: 'n1', inventory: '{}', updated_at: 30 }).execute();
    expect(await migrateToLatest(old)).toEqual(MIGRATION_NAMES.filter((n) => n >= '0028'));
    // n2 sent no inventory: nothing of it is missing.
    expect((await new TelemetryRepo(old.db).gpusOf(['n1', 'n2'])).map((g) => [g.uuid, g.missing_since])).toEqual([['GPU-1', null], ['GPU-2', 30], ['GPU-3', null]]);
    await old.close();
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

  it('stores events once, and reads them back in time order', async () => {
    const t = new TelemetryRepo(storage.db);
    expect(await t.addEvent({ id: 'ev1', node_id: 'n1', kind: 'xid', at: 5, body: '{"xid":79}' })).toBe(true);
    expect(await t.addEvent({ id: 'ev1', node_id: 'n1', kind: 'xid', at: 5, body: '{"xid":79}' })).toBe(false);
    expect(await t.events('n1', 0, 10)).toEqual([{ id: 'ev1', kind: 'xid', at: 5, body: { xid: 79 } }]);
  });

  it("keeps each node's latest event of a kind by key, oldest first", async () => {
    const t = new TelemetryRepo(storage.db);
    const dup = (id: string, node: string, at: number, gpu: string, other: string) => t.addEvent({ id, node_id: node, kind: 'duplicate-gpu', at, body: JSON.stringify({ gpu, otherNode: other, at }) });
    await dup('d1', 'n1', 5, 'GPU-1', 'n2');
    await dup('d2', 'n1', 6, 'GPU-2', 'n2');
    await dup('d3', 'n1', 7, 'GPU-1', 'n2');
    await dup('d4', 'n2', 5, 'GPU-1', 'n1');
    await t.addEvent({ id: 'x1', node_id: 'n2', kind: 'xid', at: 8, body: '{"xid":79}' });
    const latest = await t.latestEvents<{ gpu: string; at: number }>(['n1', 'n2'], 'duplicate-gpu', (b) => b.gpu);
    expect([...latest].map(([node, bodies]) => [node, bodies.map((b) => [b.gpu, b.at])]).sort()).toEqual([
      ['n1', [['GPU-2', 6], ['GPU-1', 7]]],
      ['n2', [['GPU-1', 5]]],
    ]);
    expect((await t.latestEvents(['n2'], 'inventory', () => '')).size).toBe(0);
    expect((await t.latestEvents([], 'duplicate-gpu', () => '')).size).toBe(0);
  });

  it('counts the GPUs of each node of an org, or of some of its nodes', async () => {
    const t = new TelemetryRepo(storage.db);
    await t.seeGpus('n1', [{ uuid: 'GPU-1', serial: null, name: 'H100', pci_bus_id: 'a' }, { uuid: 'GPU-2', serial: null, name: 'H100', pci_bus_id: 'b' }], 1);
    expect([...(await t.gpuCountsByOrg('org-a'))]).toEqual([['n1', 2]]);
    expect((await t.gpuCountsByOrg('org-b')).size).toBe(0);
    expect((await t.gpuCountsByOrg('org-a', ['n2'])).size).toBe(0);
    expect((await t.gpuCountsByOrg('org-a', [])).size).toBe(0);
    await t.seeGpus('n1', [{ uuid: 'GPU-3', serial: null, name: 'B200', pci_bus_id: 'c' }], 2);
    expect(await t.gpuModelCounts('org-a')).toEqual({ B200: 1, H100: 2 });
    expect(await t.gpuModelCounts('org-b')).toEqual({});
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

  it('reports a firing alert whose severity changed, once, even when replicas reconcile the same read', async () => {
    const alerts = new AlertRepo(storage.db);
    const restricted = (severity: string, summary: string) => ({ ...cond('node:n1|restricted', summary), severity });
    await alerts.reconcile('org-a', 'node:n1|', [restricted('warning', 'possible')], 10, newId);
    const read = await alerts.ofNodes('org-a', ['n1']);
    const [first, second] = [await alerts.reconcile('org-a', 'node:n1|', [restricted('critical', 'certain')], 20, newId, read), await alerts.reconcile('org-a', 'node:n1|', [restricted('critical', 'certain')], 20, newId, read)];
    expect(first.map((t) => [t.change, t.alert.severity, t.alert.summary, t.change === 'severity-changed' ? t.previousSeverity : null])).toEqual([['severity-changed', 'critical', 'certain', 'warning']]);
    expect(second).toEqual([]);
    // New words alone are no change; back to a warning is.
    expect(await alerts.reconcile('org-a', 'node:n1|', [restricted('critical', 'certain, in other words')], 30, newId)).toEqual([]);
    const eased = await alerts.reconcile('org-a', 'node:n1|', [restricted('warning', 'possible again')], 40, newId);
    expect(eased.map((t) => [t.change, t.alert.severity, t.change === 'severity-changed' ? t.previousSeverity : null])).toEqual([['severity-changed', 'warning', 'critical']]);
    expect((await alerts.list('org-a', 'firing', 10)).map((a) => [a.severity, a.summary, a.last_fired_at])).toEqual([['warning', 'possible again', 10]]);
  });

  it('keeps which firing alerts no webhook was told of, and which resolutions, each claimed once by replicas claiming at once', async () => {
    const alerts = new AlertRepo(storage.db);
    const fired = await alerts.reconcile('org-a', 'node:n1|', [cond('node:n1|a'), cond('node:n1|b'), cond('node:n1|c')], 10, newId);
    const id = (key: string) => fired.find((t) => t.alert.key === key)!.alert.id;
    expect(fired.every((t) => t.alert.untold === 0)).toBe(true);
    expect(await alerts.untold()).toEqual([]);
    await alerts.noteUntold([id('node:n1|a'), id('node:n1|b'), id('node:n1|c')], 1);
    await alerts.noteUntold([id('node:n1|c')], 0);
    // b resolves while untold: not told when its mute ends.
    await alerts.reconcile('org-a', 'node:n1|', [cond('node:n1|a'), cond('node:n1|c')], 20, newId);
    expect((await alerts.untold()).map((a) => [a.key, a.untold])).toEqual([['node:n1|a', 1]]);
    // c, told it fired, resolves while muted: its resolution is untold (2) while it stays resolved.
    await alerts.reconcile('org-a', 'node:n1|', [cond('node:n1|a')], 30, newId);
    await alerts.noteUntold([id('node:n1|c')], 2);
    // 3 (a change untold of an alert the webhooks hold open) is looked for while it fires, as 1 is.
    await alerts.noteUntold([id('node:n1|a')], 3);
    expect((await alerts.untold()).map((a) => [a.key, a.state, a.untold]).sort()).toEqual([['node:n1|a', 'firing', 3], ['node:n1|c', 'resolved', 2]]);
    const all = [id('node:n1|a'), id('node:n1|b'), id('node:n1|c')];
    const [one, other] = await Promise.all([alerts.claimUntold(all), alerts.claimUntold(all)]);
    expect([...one, ...other].map((a) => [a.key, a.state, a.untold]).sort()).toEqual([['node:n1|a', 'firing', 0], ['node:n1|c', 'resolved', 0]]);
    expect(await alerts.untold()).toEqual([]);
  });

  it('holds a condition that cannot be judged yet: what fires stays firing, what does not fire stays so', async () => {
    const alerts = new AlertRepo(storage.db);
    const held = (key: string) => ({ ...cond(key), hold: true });
    await alerts.reconcile('org-a', 'node:n1|', [cond('node:n1|silent')], 10, newId);
    // Held, a firing alert neither resolves nor fires again; an alert not firing (never, or resolved) does not fire.
    expect(await alerts.reconcile('org-a', 'node:n1|', [held('node:n1|silent'), held('node:n1|other')], 20, newId)).toEqual([]);
    expect((await alerts.list('org-a', undefined, 10)).map((a) => [a.key, a.state, a.last_fired_at])).toEqual([['node:n1|silent', 'firing', 10]]);
    expect((await alerts.reconcile('org-a', 'node:n1|', [], 30, newId)).map((t) => [t.alert.key, t.change])).toEqual([['node:n1|silent', 'resolved']]);
    expect(await alerts.reconcile('org-a', 'node:n1|', [held('node:n1|silent')], 40, newId)).toEqual([]);
    expect((await alerts.list('org-a', 'firing', 10)).map((a) => a.key)).toEqual([]);
    // Once judged, it fires as any other.
    expect((await alerts.reconcile('org-a', 'node:n1|', [cond('node:n1|silent')], 50, newId)).map((t) => [t.alert.key, t.change])).toEqual([['node:n1|silent', 'fired']]);
  });

  it("keeps a mute rule's zone, and tells the zones of an org's nodes", async () => {
    const alerts = new AlertRepo(storage.db);
    const nodes = new NodeRepo(storage.db);
    const zones = new ZoneRepo(storage.db);
    await new OrgRepo(storage.db).create({ id: 'org-b', name: 'B', created_at: 0 });
    await zones.create({ id: 'z1', org_id: 'org-a', name: 'fra', claimed_country: 'DE', created_at: 0 });
    for (const [id, org] of [['n1', 'org-a'], ['n2', 'org-a'], ['n3', 'org-b']] as const) await nodes.create({ id, org_id: org, name: id, host_key: `k-${id}`, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
    expect(await zones.assign('org-a', 'n1', 'z1')).toBe(true);
    expect(await nodes.zonesOf('org-a', ['n1', 'n2', 'n3', 'nobody'])).toEqual(new Map([['n1', 'z1']]));
    expect(await nodes.zonesOf('org-b', ['n1'])).toEqual(new Map());
    expect(await nodes.zonesOf('org-a', [])).toEqual(new Map());
    await alerts.addMuteRule({ id: 'm1', org_id: 'org-a', kind: null, node_id: null, zone_id: 'z1', until: 100, reason: 'site maintenance', created_at: 0 });
    expect(await alerts.muteRules('org-a', 50)).toEqual([{ id: 'm1', org_id: 'org-a', kind: null, node_id: null, zone_id: 'z1', until: 100, reason: 'site maintenance', created_at: 0 }]);
  });

  it('touches only its scope, taken literally (underscores and percent signs are not wildcards)', async () => {
    const alerts = new AlertRepo(storage.db);
    await alerts.reconcile('org-a', 'node:a_b|', [cond('node:a_b|x')], 1, newId);
    await alerts.reconcile('org-a', 'node:axb|', [cond('node:axb|x')], 1, newId);
    await alerts.reconcile('org-a', 'node:a_b|', [], 2, newId);
    expect((await alerts.list('org-a', 'firing', 10)).map((a) => a.key)).toEqual(['node:axb|x']);
  });

  it("reads the alerts of several nodes at once, and reconciles from such a read, stale or not, reporting each change once", async () => {
    const alerts = new AlertRepo(storage.db);
    const of = (node: string, kind: string) => ({ key: `node:${node}|${kind}`, kind, severity: 'critical', nodeId: node, summary: kind });
    await alerts.reconcile('org-a', 'node:n1|', [of('n1', 'restricted'), of('n1', 'empty')], 10, newId);
    await alerts.reconcile('org-a', 'node:n2|', [of('n2', 'restricted')], 10, newId);
    await alerts.reconcile('org-a', 'landmark:', [{ key: 'landmark:l1|x', kind: 'x', severity: 'critical', nodeId: null, summary: 'x' }], 10, newId);
    await new OrgRepo(storage.db).create({ id: 'org-b', name: 'B', created_at: 0 });
    await alerts.reconcile('org-b', 'node:n1|', [of('n1', 'restricted')], 10, newId);
    const read = await alerts.ofNodes('org-a', ['n1', 'n2']);
    expect(read.map((a) => a.key).sort()).toEqual(['node:n1|empty', 'node:n1|restricted', 'node:n2|restricted']);
    expect(await alerts.ofNodes('org-a', [])).toEqual([]);
    const n1 = read.filter((a) => a.node_id === 'n1');
    // From the read: empty resolves. Then, from the same read, now stale, a second replica's
    // reconcile finds nothing left to resolve.
    expect((await alerts.reconcile('org-a', 'node:n1|', [of('n1', 'restricted')], 20, newId, n1)).map((t) => [t.alert.key, t.change])).toEqual([['node:n1|empty', 'resolved']]);
    expect(await alerts.reconcile('org-a', 'node:n1|', [of('n1', 'restricted')], 21, newId, n1)).toEqual([]);
    // A fresh read: empty fires again once, though two reconcile from the same read.
    const fresh = (await alerts.ofNodes('org-a', ['n1'])).filter((a) => a.node_id === 'n1');
    expect((await alerts.reconcile('org-a', 'node:n1|', [of('n1', 'restricted'), of('n1', 'empty')], 30, newId, fresh)).map((t) => [t.alert.key, t.change])).toEqual([['node:n1|empty', 'fired']]);
    expect(await alerts.reconcile('org-a', 'node:n1|', [of('n1', 'restricted'), of('n1', 'empty')], 31, newId, fresh)).toEqual([]);
    // Another scope's alerts in what is passed are not this scope's.
    expect(await alerts.reconcile('org-a', 'node:n2|', [of('n2', 'restricted')], 40, newId, read)).toEqual([]);
    expect((await alerts.list('org-a', 'firing', 10)).map((a) => [a.key, a.last_fired_at]).sort()).toEqual([
      ['landmark:l1|x', 10],
      ['node:n1|empty', 30],
      ['node:n1|restricted', 10],
      ['node:n2|restricted', 10],
    ]);
  });

  it('keeps mute rules until they expire, and webhook deliveries until they are due', async () => {
    const alerts = new AlertRepo(storage.db);
    await alerts.addMuteRule({ id: 'm1', org_id: 'org-a', kind: 'restricted', node_id: null, zone_id: null, until: 100, reason: 'maintenance', created_at: 0 });
    expect(await alerts.muteRules('org-a', 50)).toHaveLength(1);
    expect(await alerts.muteRules('org-a', 100)).toHaveLength(0);
    await alerts.addWebhook({ id: 'w1', org_id: 'org-a', url: 'http://127.0.0.1:1/', secret: 's', created_at: 0, group_wait_ms: 0, min_severity: 'warning', kinds: null });
    const d = { id: 'd1', webhook_id: 'w1', alert_id: 'a1', event: 'fired', body: '{}', status: 'pending' as const, attempts: 0, next_attempt_at: 10, last_status_code: null, last_error: null, created_at: 0, delivered_at: null, last_attempt_at: null, changes: 1 };
    await alerts.enqueueDelivery(d);
    expect(await alerts.dueDeliveries(9, 10)).toEqual([]);
    expect(await alerts.dueDeliveries(10, 10)).toEqual([d]);
    // Claimed by one sender until 70: another, at the same moment, finds it taken; it is due again at 70.
    expect(await alerts.claimDelivery('d1', 10, 70)).toBe(true);
    expect(await alerts.claimDelivery('d1', 10, 70)).toBe(false);
    expect(await alerts.dueDeliveries(69, 10)).toEqual([]);
    expect(await alerts.claimDelivery('d1', 70, 130)).toBe(true);
    await alerts.recordAttempt('d1', { status: 'delivered', attempts: 1, next_attempt_at: 10, last_status_code: 200, last_error: null, delivered_at: 11, last_attempt_at: 11 });
    expect(await alerts.dueDeliveries(100, 10)).toEqual([]);
    expect(await alerts.claimDelivery('d1', 200, 260)).toBe(false);
    expect((await alerts.deliveries('w1', 10))[0]).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200 });
  });

  it("gives a webhook's delivery log newest first, a page at a time, of one status or all, and deletes finished deliveries by age, never pending ones", async () => {
    const alerts = new AlertRepo(storage.db);
    for (const id of ['w1', 'w2']) await alerts.addWebhook({ id, org_id: 'org-a', url: 'http://127.0.0.1:1/', secret: 's', created_at: 0, group_wait_ms: 0, min_severity: 'warning', kinds: null });
    const made = [
      ['a', 'w1', 10, 'delivered'],
      ['b', 'w1', 20, 'failed'],
      ['c', 'w1', 20, 'delivered'],
      ['d', 'w1', 30, 'pending'],
      ['e', 'w2', 25, 'failed'],
      ['f', 'w1', 5, 'pending'],
    ] as const;
    for (const [id, webhook_id, created_at, status] of made) await alerts.enqueueDelivery({ id, webhook_id, alert_id: `alert-${id}`, event: 'fired', body: '{}', status, attempts: 1, next_attempt_at: 100, last_status_code: null, last_error: null, created_at, delivered_at: null, last_attempt_at: created_at + 1, changes: 1 });
    const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);
    expect(ids(await alerts.deliveries('w1', 10))).toEqual(['d', 'c', 'b', 'a', 'f']);
    // Pages of two: the next starts after the last one given, one of the same time included.
    const first = await alerts.deliveries('w1', 2);
    expect(ids(first)).toEqual(['d', 'c']);
    const after = (row: { created_at: number; id: string }) => ({ createdAt: row.created_at, id: row.id });
    const second = await alerts.deliveries('w1', 2, { before: after(first[1]!) });
    expect(ids(second)).toEqual(['b', 'a']);
    expect(ids(await alerts.deliveries('w1', 2, { before: after(second[1]!) }))).toEqual(['f']);
    expect(ids(await alerts.deliveries('w1', 10, { status: 'pending' }))).toEqual(['d', 'f']);
    expect(ids(await alerts.deliveries('w1', 10, { status: 'failed', before: { createdAt: 20, id: 'c' } }))).toEqual(['b']);
    expect((await alerts.deliveries('w1', 1))[0]).toMatchObject({ last_attempt_at: 31 });
    // Finished ones made before 25, two a statement: a, b and c of w1; not e (25), nor f (pending, however old).
    expect(await alerts.expireDeliveries(25, 2)).toBe(2);
    expect(await alerts.expireDeliveries(25, 2)).toBe(1);
    expect(await alerts.expireDeliveries(25, 2)).toBe(0);
    expect(ids(await alerts.deliveries('w1', 10))).toEqual(['d', 'f']);
    expect(ids(await alerts.deliveries('w2', 10))).toEqual(['e']);
  });

  it("lists the webhooks with deliveries due, the first due first, and each webhook's due deliveries in order", async () => {
    const alerts = new AlertRepo(storage.db);
    for (const id of ['w1', 'w2', 'w3']) await alerts.addWebhook({ id, org_id: 'org-a', url: 'http://127.0.0.1:1/', secret: 's', created_at: 0, group_wait_ms: 0, min_severity: 'warning', kinds: null });
    // Each of an alert of its own (see below for two of one alert).
    const enqueue = (id: string, webhook_id: string, next_attempt_at: number, created_at = 0) => alerts.enqueueDelivery({ id, webhook_id, alert_id: `alert-${id}`, event: 'fired', body: '{}', status: 'pending', attempts: 0, next_attempt_at, last_status_code: null, last_error: null, created_at, delivered_at: null, last_attempt_at: null, changes: 1 });
    await enqueue('a', 'w1', 30);
    await enqueue('b', 'w2', 20);
    await enqueue('c', 'w1', 10, 2);
    await enqueue('d', 'w1', 10, 1);
    await enqueue('e', 'w3', 50);
    expect(await alerts.webhooksDue(5)).toEqual([]);
    expect(await alerts.webhooksDue(40)).toEqual(['w1', 'w2']);
    expect((await alerts.dueDeliveries(40, 10, 'w1')).map((d) => d.id)).toEqual(['d', 'c', 'a']);
    expect((await alerts.dueDeliveries(40, 2, 'w1')).map((d) => d.id)).toEqual(['d', 'c']);
    expect((await alerts.dueDeliveries(40, 10, 'w3')).map((d) => d.id)).toEqual([]);
    expect((await alerts.dueDeliveries(40, 10)).map((d) => d.id)).toEqual(['d', 'c', 'b', 'a']);
    await alerts.recordAttempt('d', { status: 'delivered', attempts: 1, next_attempt_at: 10, last_status_code: 200, last_error: null, delivered_at: 11, last_attempt_at: 11 });
    await alerts.recordAttempt('c', { status: 'pending', attempts: 1, next_attempt_at: 45, last_status_code: 500, last_error: 'HTTP 500', delivered_at: null, last_attempt_at: 40 });
    expect(await alerts.webhooksDue(40)).toEqual(['w2', 'w1']);
    expect(await alerts.webhooksDue(60)).toEqual(['w2', 'w1', 'w3']);
  });

  it("holds a delivery of an alert while an earlier one of it to the same webhook is pending, so that a receiver gets an alert's changes in order", async () => {
    const alerts = new AlertRepo(storage.db);
    for (const id of ['w1', 'w2']) await alerts.addWebhook({ id, org_id: 'org-a', url: 'http://127.0.0.1:1/', secret: 's', created_at: 0, group_wait_ms: 0, min_severity: 'warning', kinds: null });
    const enqueue = (id: string, webhook_id: string, alert_id: string, event: string, next_attempt_at: number, created_at: number) => alerts.enqueueDelivery({ id, webhook_id, alert_id, event, body: '{}', status: 'pending', attempts: 0, next_attempt_at, last_status_code: null, last_error: null, created_at, delivered_at: null, last_attempt_at: null, changes: 1 });
    // a1 resolved (told at 10, refused, to be retried at 100), then fired again (at 20, due now).
    await enqueue('resolved', 'w1', 'a1', 'resolved', 100, 10);
    await enqueue('fired', 'w1', 'a1', 'fired', 20, 20);
    // Another alert, another webhook, and a test (of no alert): due by their time alone.
    await enqueue('other', 'w1', 'a2', 'fired', 20, 20);
    await enqueue('elsewhere', 'w2', 'a1', 'fired', 20, 20);
    await enqueue('test', 'w1', '', 'test', 20, 30);
    expect((await alerts.dueDeliveries(50, 10)).map((d) => d.id)).toEqual(['elsewhere', 'other', 'test']);
    expect((await alerts.dueDeliveries(50, 10, 'w1')).map((d) => d.id)).toEqual(['other', 'test']);
    for (const id of ['other', 'test', 'elsewhere']) await alerts.recordAttempt(id, { status: 'delivered', attempts: 1, next_attempt_at: 20, last_status_code: 200, last_error: null, delivered_at: 50, last_attempt_at: 50 });
    // Only the held one is left before 100: no webhook has a delivery due (a dispatch would otherwise spin on w1).
    expect(await alerts.webhooksDue(50)).toEqual([]);
    expect((await alerts.dueDeliveries(100, 10)).map((d) => d.id)).toEqual(['resolved']);
    await alerts.recordAttempt('resolved', { status: 'delivered', attempts: 2, next_attempt_at: 100, last_status_code: 200, last_error: null, delivered_at: 100, last_attempt_at: 100 });
    expect(await alerts.webhooksDue(100)).toEqual(['w1']);
    expect((await alerts.dueDeliveries(100, 10)).map((d) => d.id)).toEqual(['fired']);
  });

  it("holds a delivery while an earlier one to the same webhook that told one of its alerts is pending, alone or in a group, and names the later one of its alerts", async () => {
    const alerts = new AlertRepo(storage.db);
    await alerts.addWebhook({ id: 'w1', org_id: 'org-a', url: 'http://127.0.0.1:1/', secret: 's', created_at: 0, group_wait_ms: 30_000, min_severity: 'warning', kinds: null });
    const enqueue = (id: string, event: string, created_at: number, next_attempt_at: number, alertIds: string[]) =>
      alerts.enqueueDelivery({ id, webhook_id: 'w1', alert_id: event === 'group' ? '' : alertIds[0]!, event, body: '{}', status: 'pending', attempts: 0, next_attempt_at, last_status_code: null, last_error: null, created_at, delivered_at: null, last_attempt_at: null, changes: alertIds.length }, alertIds);
    // a1 fired in a group of zone z1 (refused, retried at 100); its node moved to z2 and a1 resolved in a group of z2 (due at 20).
    await enqueue('g-z1', 'group', 10, 100, ['a1', 'a2']);
    await enqueue('g-z2', 'group', 20, 20, ['a1', 'a3']);
    // The webhook stopped grouping: a2 resolved alone (due at 30); a4, told of in no earlier delivery, is due.
    await enqueue('a2-resolved', 'resolved', 30, 30, ['a2']);
    await enqueue('a4-fired', 'fired', 30, 30, ['a4']);
    expect((await alerts.dueDeliveries(50, 10)).map((d) => d.id)).toEqual(['a4-fired']);
    await alerts.recordAttempt('g-z1', { status: 'delivered', attempts: 2, next_attempt_at: 100, last_status_code: 200, last_error: null, delivered_at: 100, last_attempt_at: 100 });
    expect((await alerts.dueDeliveries(100, 10)).map((d) => d.id)).toEqual(['g-z2', 'a2-resolved', 'a4-fired']);
    // The later one of its alerts, of any status: none for the newest.
    expect(await alerts.laterOfItsAlerts({ id: 'g-z1', webhook_id: 'w1', created_at: 10 })).toEqual({ id: 'g-z2', event: 'group', status: 'pending' });
    expect(await alerts.laterOfItsAlerts({ id: 'g-z2', webhook_id: 'w1', created_at: 20 })).toBeUndefined();
    expect(await alerts.laterOfItsAlerts({ id: 'a4-fired', webhook_id: 'w1', created_at: 30 })).toBeUndefined();
    // A removed delivery (retention) takes its alerts with it.
    await alerts.recordAttempt('g-z2', { status: 'failed', attempts: 14, next_attempt_at: 0, last_status_code: 500, last_error: 'HTTP 500', delivered_at: null, last_attempt_at: 20 });
    await alerts.recordAttempt('a2-resolved', { status: 'delivered', attempts: 1, next_attempt_at: 30, last_status_code: 200, last_error: null, delivered_at: 30, last_attempt_at: 30 });
    expect(await alerts.expireDeliveries(25, 10)).toBe(2);
    expect(await alerts.laterOfItsAlerts({ id: 'gone', webhook_id: 'w1', created_at: 0 })).toBeUndefined();
    expect(await storage.db.selectFrom('webhook_delivery_alerts').select(['delivery_id', 'alert_id']).orderBy('delivery_id').orderBy('alert_id').execute()).toEqual([
      { delivery_id: 'a2-resolved', alert_id: 'a2' },
      { delivery_id: 'a4-fired', alert_id: 'a4' },
    ]);
  });

  it("holds alert changes for a grouping webhook, and makes one delivery of a group's changes, each taken once", async () => {
    const alerts = new AlertRepo(storage.db);
    await alerts.addWebhook({ id: 'w1', org_id: 'org-a', url: 'http://127.0.0.1:1/', secret: 's', created_at: 0, group_wait_ms: 30_000, min_severity: 'warning', kinds: null });
    await alerts.addWebhook({ id: 'w2', org_id: 'org-a', url: 'http://127.0.0.1:2/', secret: 's', created_at: 0, group_wait_ms: 0, min_severity: 'warning', kinds: null });
    expect(await alerts.updateWebhook('org-b', 'w2', { group_wait_ms: 60_000 })).toBe(false);
    expect(await alerts.updateWebhook('org-a', 'w2', { group_wait_ms: 60_000 })).toBe(true);
    expect(await alerts.updateWebhook('org-a', 'w1', { min_severity: 'critical', kinds: '["restricted"]' })).toBe(true);
    expect(await alerts.updateWebhook('org-a', 'w1', {})).toBe(true);
    expect(await alerts.updateWebhook('org-b', 'w1', {})).toBe(false);
    expect((await alerts.webhooks('org-a')).map((w) => [w.id, w.group_wait_ms, w.min_severity, w.kinds])).toEqual([['w1', 30_000, 'critical', '["restricted"]'], ['w2', 60_000, 'warning', null]]);
    const change = (id: string, webhook_id: string, kind: string, zone_id: string, created_at: number) => ({ id, webhook_id, kind, zone_id, event: 'fired' as const, previous_severity: null, alert: JSON.stringify({ id }), created_at, due_at: created_at + 30_000 });
    await alerts.hold([change('c3', 'w1', 'node-silent', 'z1', 20), change('c1', 'w1', 'node-silent', 'z1', 10), change('c2', 'w1', 'node-silent', 'z1', 10), change('x1', 'w1', 'node-silent', '', 15), change('y1', 'w2', 'gpu-health', 'z1', 12)]);
    // A group may go once its first change is due: its later changes go with it.
    expect(await alerts.groupsDue(30_009)).toEqual([]);
    expect(await alerts.groupsDue(30_010)).toEqual([{ webhookId: 'w1', kind: 'node-silent', zoneId: 'z1' }]);
    expect(await alerts.groupsDue(40_000)).toEqual([
      { webhookId: 'w1', kind: 'node-silent', zoneId: 'z1' },
      { webhookId: 'w2', kind: 'gpu-health', zoneId: 'z1' },
      { webhookId: 'w1', kind: 'node-silent', zoneId: '' },
    ]);
    const deliver = (changes: readonly { id: string }[]) => ({ delivery: { id: `d-${changes.map((c) => c.id).join('+')}`, webhook_id: 'w1', alert_id: '', event: 'group', body: '{}', status: 'pending' as const, attempts: 0, next_attempt_at: 40_000, last_status_code: null, last_error: null, created_at: 40_000, delivered_at: null, last_attempt_at: null, changes: changes.length }, alertIds: changes.map((c) => `alert-${c.id}`) });
    const group = { webhookId: 'w1', kind: 'node-silent', zoneId: 'z1' };
    expect((await alerts.takeGroup(group, 2, deliver)).map((c) => c.id)).toEqual(['c1', 'c2']);
    expect((await alerts.takeGroup(group, 2, deliver)).map((c) => c.id)).toEqual(['c3']);
    expect(await alerts.takeGroup(group, 2, deliver)).toEqual([]);
    expect((await alerts.deliveries('w1', 10)).map((d) => [d.id, d.changes]).sort()).toEqual([['d-c1+c2', 2], ['d-c3', 1]]);
    expect(await alerts.groupsDue(40_000)).toEqual([{ webhookId: 'w2', kind: 'gpu-health', zoneId: 'z1' }, { webhookId: 'w1', kind: 'node-silent', zoneId: '' }]);
    // A delivery that cannot be stored takes nothing: its changes stay held.
    await expect(alerts.takeGroup({ webhookId: 'w1', kind: 'node-silent', zoneId: '' }, 10, () => ({ ...deliver([]), delivery: { ...deliver([]).delivery, id: 'd-c1+c2' } }))).rejects.toThrow();
    expect(await alerts.groupsDue(40_000)).toHaveLength(2);
    // A removed webhook's held changes go with it.
    await alerts.deleteWebhook('org-a', 'w2');
    expect(await alerts.groupsDue(40_000)).toEqual([{ webhookId: 'w1', kind: 'node-silent', zoneId: '' }]);
  });

  it('gives each held change to one delivery when servers take the same group at once (on PostgreSQL, through connections of their own)', async () => {
    const alerts = new AlertRepo(storage.db);
    await alerts.addWebhook({ id: 'w1', org_id: 'org-a', url: 'http://127.0.0.1:1/', secret: 's', created_at: 0, group_wait_ms: 1, min_severity: 'warning', kinds: null });
    const ids = Array.from({ length: 60 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    await alerts.hold(ids.map((id, i) => ({ id, webhook_id: 'w1', kind: 'node-silent', zone_id: 'z1', event: 'fired', previous_severity: null, alert: '{}', created_at: i, due_at: i + 1 })));
    const group = { webhookId: 'w1', kind: 'node-silent', zoneId: 'z1' };
    let made = 0;
    const deliver = (changes: readonly { id: string }[]) => ({ delivery: { id: `d${made++}`, webhook_id: 'w1', alert_id: '', event: 'group', body: '{}', status: 'pending' as const, attempts: 0, next_attempt_at: 100, last_status_code: null, last_error: null, created_at: 100, delivered_at: null, last_attempt_at: null, changes: changes.length }, alertIds: changes.map((c) => `alert-${c.id}`) });
    const taker = async () => {
      const got: string[] = [];
      for (let taken = await alerts.takeGroup(group, 7, deliver); taken.length > 0; taken = await alerts.takeGroup(group, 7, deliver)) got.push(...taken.map((c) => c.id));
      return got;
    };
    const [a, b, c] = await Promise.all([taker(), taker(), taker()]);
    expect([...a!, ...b!, ...c!].sort()).toEqual(ids);
    const stored = await alerts.deliveries('w1', 100);
    expect(stored.reduce((n, d) => n + d.changes, 0)).toBe(60);
    expect(stored.every((d) => d.changes > 0 && d.changes <= 7)).toBe(true);
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

describe.each(activeBackends())('background lease and uptime contract on %s', (backend) => {
  let spec: string;
  let storage: Storage;
  beforeEach(async () => {
    spec = await freshDatabaseSpec(backend);
    storage = await openStorage(spec);
    await migrateToLatest(storage);
  });
  afterEach(async () => {
    await storage.close();
  });

  it('gives a task to one holder until its lease expires or it gives it up; the holder renews it', async () => {
    const leases = new LeaseRepo(storage.db);
    expect(await leases.acquire('sweep', 'a', 0, 45)).toBe(true);
    expect(await leases.acquire('sweep', 'b', 15, 60)).toBe(false);
    expect(await leases.acquire('retention', 'b', 15, 60)).toBe(true);
    expect(await leases.acquire('sweep', 'a', 15, 60)).toBe(true);
    expect(await leases.holderOf('sweep')).toEqual({ holder: 'a', expires_at: 60 });
    // Renewed to 60: still a's at 59; b's at 60, as a stopped renewing.
    expect(await leases.acquire('sweep', 'b', 59, 104)).toBe(false);
    expect(await leases.acquire('sweep', 'b', 60, 105)).toBe(true);
    expect(await leases.acquire('sweep', 'a', 61, 106)).toBe(false);
    // b gives up both of its leases: a takes the sweep at once.
    await leases.release('b');
    expect(await leases.holderOf('retention')).toBeUndefined();
    expect(await leases.acquire('sweep', 'a', 62, 107)).toBe(true);
  });

  it('of holders asking at once (on PostgreSQL, through connections of their own), gives the task to one', async () => {
    // An in-memory database has one connection; PostgreSQL gets three servers' pools.
    const handles = backend === 'postgres' ? await Promise.all([0, 1, 2].map(() => openStorage(spec))) : [storage, storage, storage];
    try {
      for (let round = 0; round < 5; round++) {
        const at = round * 100;
        const won = await Promise.all(handles.map((h, i) => new LeaseRepo(h.db).acquire('sweep', `h${round}-${i}`, at, at + 50)));
        expect(won.filter(Boolean)).toHaveLength(1);
      }
    } finally {
      if (backend === 'postgres') await Promise.all(handles.map((h) => h.close()));
    }
  });

  it('keeps the time a service came up while notes come within the gap, from any server, and starts it again after a longer break', async () => {
    const uptime = new UptimeRepo(storage.db);
    const start = 1_800_000_000_000;
    expect(await uptime.since('ingest')).toBeUndefined();
    expect(await uptime.beat('ingest', start, 60_000)).toBe(start);
    // Notes 15 s apart, and one exactly a gap after the last: no break.
    expect(await uptime.beat('ingest', start + 15_000, 60_000)).toBe(start);
    expect(await uptime.beat('ingest', start + 75_000, 60_000)).toBe(start);
    // A replica whose clock is behind changes nothing, not even the last note.
    expect(await uptime.beat('ingest', start + 10_000, 60_000)).toBe(start);
    expect(await uptime.beat('ingest', start + 135_000, 60_000)).toBe(start);
    // Other services are apart.
    expect(await uptime.beat('other', start + 135_000, 60_000)).toBe(start + 135_000);
    // A break a millisecond longer than the gap: up again since the note after it.
    expect(await uptime.beat('ingest', start + 195_001, 60_000)).toBe(start + 195_001);
    expect(await uptime.since('ingest')).toBe(start + 195_001);
    expect(await uptime.beat('ingest', start + 200_000, 60_000)).toBe(start + 195_001);
  });

  it('keeps one time when servers note at once (on PostgreSQL, through connections of their own)', async () => {
    const handles = backend === 'postgres' ? await Promise.all([0, 1, 2].map(() => openStorage(spec))) : [storage, storage, storage];
    try {
      const start = 1_800_000_000_000;
      const first = await Promise.all(handles.map((h, i) => new UptimeRepo(h.db).beat('ingest', start + i, 60_000)));
      // Whichever note came first started it; every later one finds that.
      expect(new Set(first).size).toBe(1);
      expect(first[0]).toBeGreaterThanOrEqual(start);
      expect(first[0]).toBeLessThanOrEqual(start + 2);
      const later = await Promise.all(handles.map((h, i) => new UptimeRepo(h.db).beat('ingest', start + 10_000 + i, 60_000)));
      expect(later).toEqual([first[0], first[0], first[0]]);
    } finally {
      if (backend === 'postgres') await Promise.all(handles.map((h) => h.close()));
    }
  });
});

describe.each(activeBackends())('telemetry store contract on %s', (backend) => {
  let storage: Storage;
  const T0 = Date.parse('2026-11-29T12:00:00.000Z');
  const MIN = 60_000;
  /** A GPU's readings as an agent sends them; every field present, as the wire requires. */
  const gpu = (uuid: string, temperatureC: number | null, more: Partial<GpuMetricsWire> = {}): GpuMetricsWire => ({
    uuid,
    temperatureC,
    memoryTemperatureC: null,
    powerDrawW: 612.5,
    powerLimitW: 700,
    energyMj: 123_456_789_012.5,
    smClockMHz: 1980,
    memoryClockMHz: 2619,
    gpuUtilizationPct: 97,
    memoryUtilizationPct: 41,
    framebufferUsedMiB: 60_001,
    framebufferTotalMiB: 81_559,
    eccVolatileUncorrected: 0,
    eccAggregateUncorrected: 2,
    remappedRowsPending: false,
    pcieReplayCounter: 0,
    clockEventReasons: ['SwPowerCap'],
    ...more,
  });
  const temps = (series: readonly RangeSeries[]) => series.map((s) => ({ node: s.nodeId, gpu: s.gpuUuid, points: s.points.map((p) => [(p.at - T0) / MIN, p.min, p.avg, p.max, p.count]) }));

  beforeEach(async () => {
    storage = await openFresh(backend);
    await migrateToLatest(storage);
    await new OrgRepo(storage.db).create({ id: 'org-a', name: 'A', created_at: 0 });
    for (const id of ['n1', 'n2']) await new NodeRepo(storage.db).create({ id, org_id: 'org-a', name: id, host_key: `k-${id}`, claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
  });
  afterEach(async () => {
    await storage.close();
  });

  it('gives each GPU of each node one series id, the same from every handle', async () => {
    const repo = new GpuSampleRepo(storage.db);
    const first = await repo.seriesFor('n1', ['GPU-1', 'GPU-2', 'GPU-1']);
    expect([...first.ids.keys()]).toEqual(['GPU-1', 'GPU-2']);
    expect(await new GpuSampleRepo(storage.db).seriesFor('n1', ['GPU-2', 'GPU-1'])).toEqual(first);
    const other = await repo.seriesFor('n2', ['GPU-1']);
    expect(other.ids.get('GPU-1')).not.toBe(first.ids.get('GPU-1'));
    expect(other.nodeKey).not.toBe(first.nodeKey);
    expect(await repo.seriesFor('n1', [])).toEqual({ nodeKey: first.nodeKey, ids: new Map() });
  });

  it('stores samples in the caller\'s transaction: none of them when it rolls back, each once when it commits', async () => {
    const repo = new GpuSampleRepo(storage.db);
    const series = await repo.seriesFor('n1', ['GPU-1']);
    const instants = [0, 1, 2].map((i) => ({ at: T0 + i * 10_000, gpus: [gpu('GPU-1', 40 + i)] }));
    await expect(
      storage.db.transaction().execute(async (trx) => {
        expect(await repo.withDb(trx).addSamples(series, instants)).toEqual({ stored: 3, duplicates: 0 });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await repo.samples('n1', 'GPU-1', 0, 10)).toEqual([]);
    expect(await storage.db.transaction().execute((trx) => repo.withDb(trx).addSamples(series, instants))).toEqual({ stored: 3, duplicates: 0 });
    expect(await storage.db.transaction().execute((trx) => repo.withDb(trx).addSamples(series, [...instants, { at: T0 + 30_000, gpus: [gpu('GPU-1', 43)] }]))).toEqual({ stored: 1, duplicates: 3 });
    expect((await repo.samples('n1', 'GPU-1', 0, 10)).map((s) => s.readings.temperatureC)).toEqual([40, 41, 42, 43]);
  });

  it('stores every reading and reads it back as sent, oldest first', async () => {
    const repo = new GpuSampleRepo(storage.db);
    const series = await repo.seriesFor('n1', ['GPU-1', 'GPU-2']);
    const late = gpu('GPU-1', 61.25, { remappedRowsPending: true, clockEventReasons: [], powerDrawW: null });
    const early = gpu('GPU-1', 60, { clockEventReasons: null, remappedRowsPending: null });
    const other = gpu('GPU-2', 50);
    expect(await repo.addSamples(series, [{ at: T0 + 20_000, gpus: [late] }, { at: T0 + 10_000, gpus: [early, other] }])).toEqual({ stored: 3, duplicates: 0 });
    const { uuid: _l, ...lateReadings } = late;
    const { uuid: _e, ...earlyReadings } = early;
    expect(await repo.samples('n1', 'GPU-1', 0, 10)).toEqual([
      { gpuUuid: 'GPU-1', at: T0 + 10_000, readings: earlyReadings },
      { gpuUuid: 'GPU-1', at: T0 + 20_000, readings: lateReadings },
    ]);
    expect((await repo.samples('n1', undefined, T0 + 10_000, 10)).map((s) => s.gpuUuid)).toEqual(['GPU-1', 'GPU-2', 'GPU-1']);
    expect(await repo.samples('n1', undefined, 0, 1)).toHaveLength(1);
    expect(await repo.samples('n2', undefined, 0, 10)).toEqual([]);
  });

  it('finds when each GPU was last sampled: its newest raw sample since a time, whichever bucket holds it', async () => {
    const repo = new GpuSampleRepo(storage.db);
    const series = await repo.seriesFor('n1', ['GPU-1', 'GPU-2', 'GPU-3']);
    await repo.seriesFor('n2', ['GPU-1']);
    // GPU-2 stops after the first hour; GPU-1 goes on for three (samples every 10 s, late within a bucket too).
    const instants = Array.from({ length: 3 * 360 }, (_, i) => ({ at: T0 + i * 10_000 + 7, gpus: i < 360 ? [gpu('GPU-1', 40), gpu('GPU-2', 50)] : [gpu('GPU-1', 41)] }));
    await repo.addSamples(series, instants);
    const last = instants.at(-1)!.at;
    expect(await repo.lastSampled('n1', ['GPU-1', 'GPU-2', 'GPU-3', 'GPU-9'], 0)).toEqual(new Map([['GPU-1', last], ['GPU-2', instants[359]!.at]]));
    // Another node's GPU of the same UUID has its own (none); nothing from before `since`.
    expect(await repo.lastSampled('n2', ['GPU-1'], 0)).toEqual(new Map());
    expect(await repo.lastSampled('n1', ['GPU-1', 'GPU-2'], instants[359]!.at + 1)).toEqual(new Map([['GPU-1', last]]));
    // A `since` inside the bucket of the newest sample still finds it; past it, nothing.
    expect(await repo.lastSampled('n1', ['GPU-2'], instants[359]!.at)).toEqual(new Map([['GPU-2', instants[359]!.at]]));
    expect(await repo.lastSampled('n1', ['GPU-1'], last + 1)).toEqual(new Map());
    expect(await repo.lastSampled('n1', [], 0)).toEqual(new Map());
  });

  it('stores a catch-up batch larger than one statement takes (300 instants × 8 GPUs)', async () => {
    const repo = new GpuSampleRepo(storage.db);
    const uuids = Array.from({ length: 8 }, (_, g) => `GPU-${g}`);
    const series = await repo.seriesFor('n1', uuids);
    const instants = Array.from({ length: 300 }, (_, i) => ({ at: T0 + i * 10_000, gpus: uuids.map((u, g) => gpu(u, i + g)) }));
    expect(await repo.addSamples(series, instants)).toEqual({ stored: 2400, duplicates: 0 });
    expect(await repo.samples('n1', 'GPU-7', 0, 10_000)).toHaveLength(300);
    const all = await repo.range({ nodeIds: ['n1'], metric: 'temperatureC', from: T0, to: T0 + 50 * MIN, stepMs: 60 * MIN, resolution: '5m', groupBy: 'all' });
    expect(temps(all)).toEqual([{ node: null, gpu: null, points: [[0, 0, 153, 306, 2400]] }]);
  });

  it('rolls samples up into 5-minute min, avg and max, late ones and repeated ones included exactly once', async () => {
    const repo = new GpuSampleRepo(storage.db);
    const series = await repo.seriesFor('n1', ['GPU-1']);
    await repo.addSamples(series, [{ at: T0 + 6 * MIN, gpus: [gpu('GPU-1', 70)] }]);
    // Late: an earlier bucket, and one more sample in the open one.
    await repo.addSamples(series, [{ at: T0, gpus: [gpu('GPU-1', 40)] }, { at: T0 + 4 * MIN, gpus: [gpu('GPU-1', 50)] }, { at: T0 + 7 * MIN, gpus: [gpu('GPU-1', 80)] }]);
    // Sent again with one new sample and one without a temperature: the repeats are skipped.
    expect(await repo.addSamples(series, [{ at: T0, gpus: [gpu('GPU-1', 40)] }, { at: T0 + 8 * MIN, gpus: [gpu('GPU-1', 90)] }, { at: T0 + 9 * MIN, gpus: [gpu('GPU-1', null)] }])).toEqual({ stored: 2, duplicates: 1 });
    const query = { nodeIds: ['n1'], metric: 'temperatureC', from: T0, to: T0 + 10 * MIN, groupBy: 'gpu' } as const;
    const fiveMinutes = temps(await repo.range({ ...query, resolution: '5m', stepMs: 5 * MIN }));
    expect(fiveMinutes).toEqual([{ node: 'n1', gpu: 'GPU-1', points: [[0, 40, 45, 50, 2], [5, 70, 80, 90, 3]] }]);
    expect(temps(await repo.range({ ...query, resolution: 'raw', stepMs: 5 * MIN }))).toEqual(fiveMinutes);
    expect(temps(await repo.range({ ...query, resolution: '5m', stepMs: 10 * MIN }))).toEqual([{ node: 'n1', gpu: 'GPU-1', points: [[0, 40, 66, 90, 5]] }]);
    const power = await repo.range({ ...query, metric: 'remappedRowsPending', resolution: '5m', stepMs: 5 * MIN });
    expect(power[0]?.points.map((p) => [p.max, p.count])).toEqual([[0, 2], [0, 4]]);
  });

  it('answers a range per GPU, per node or for all, from inclusive to exclusive', async () => {
    const repo = new GpuSampleRepo(storage.db);
    const one = await repo.seriesFor('n1', ['GPU-1', 'GPU-2']);
    const two = await repo.seriesFor('n2', ['GPU-3']);
    await repo.addSamples(one, [{ at: T0, gpus: [gpu('GPU-1', 30), gpu('GPU-2', 50)] }, { at: T0 + MIN, gpus: [gpu('GPU-1', 32), gpu('GPU-2', 52)] }, { at: T0 + 2 * MIN, gpus: [gpu('GPU-1', 99)] }]);
    await repo.addSamples(two, [{ at: T0 + 30_000, gpus: [gpu('GPU-3', 70)] }]);
    const query = { nodeIds: ['n1', 'n2'], metric: 'temperatureC', from: T0, to: T0 + 2 * MIN, resolution: 'raw', stepMs: MIN } as const;
    expect(temps(await repo.range({ ...query, groupBy: 'gpu' }))).toEqual([
      { node: 'n1', gpu: 'GPU-1', points: [[0, 30, 30, 30, 1], [1, 32, 32, 32, 1]] },
      { node: 'n1', gpu: 'GPU-2', points: [[0, 50, 50, 50, 1], [1, 52, 52, 52, 1]] },
      { node: 'n2', gpu: 'GPU-3', points: [[0, 70, 70, 70, 1]] },
    ]);
    expect(temps(await repo.range({ ...query, groupBy: 'node' }))).toEqual([
      { node: 'n1', gpu: null, points: [[0, 30, 40, 50, 2], [1, 32, 42, 52, 2]] },
      { node: 'n2', gpu: null, points: [[0, 70, 70, 70, 1]] },
    ]);
    expect(temps(await repo.range({ ...query, groupBy: 'all', stepMs: 2 * MIN }))).toEqual([{ node: null, gpu: null, points: [[0, 30, 234 / 5, 70, 5]] }]);
    expect(temps(await repo.range({ ...query, groupBy: 'gpu', gpuUuid: 'GPU-2', from: T0 + MIN }))).toEqual([{ node: 'n1', gpu: 'GPU-2', points: [[1, 52, 52, 52, 1]] }]);
    expect(await repo.range({ ...query, groupBy: 'gpu', nodeIds: [] })).toEqual([]);
    expect(await repo.range({ ...query, groupBy: 'gpu', metric: 'memoryTemperatureC' })).toEqual([]);
  });

  it('expires samples, rollups and batch ids in bounded chunks, keeping each node its latest batch', async () => {
    const repo = new GpuSampleRepo(storage.db);
    const telemetry = new TelemetryRepo(storage.db);
    const series = await repo.seriesFor('n1', ['GPU-1']);
    await repo.addSamples(series, [0, 1, 2, 3, 4, 5, 6].map((m) => ({ at: T0 + m * 5 * MIN, gpus: [gpu('GPU-1', 40 + m)] })));
    await repo.addSamples(await repo.seriesFor('n2', ['GPU-9']), [{ at: T0, gpus: [gpu('GPU-9', 1)] }]);
    for (const [id, at] of [['b1', 1], ['b2', 2], ['b3', 3]] as const) await telemetry.claimBatch(id, 'n1', at);
    expect(await repo.expireSamples(['n1'], T0 + 20 * MIN, 3)).toBe(3);
    expect(await repo.expireSamples(['n1'], T0 + 20 * MIN, 3)).toBe(1);
    expect(await repo.expireSamples(['n1'], T0 + 20 * MIN, 3)).toBe(0);
    expect((await repo.samples('n1', undefined, 0, 10)).map((s) => (s.at - T0) / MIN)).toEqual([20, 25, 30]);
    expect(await repo.samples('n2', undefined, 0, 10)).toHaveLength(1);
    expect(await repo.expireRollups(['n1', 'n2'], T0 + 10 * MIN, 100)).toBe(3);
    const left = await repo.range({ nodeIds: ['n1'], metric: 'temperatureC', from: 0, to: T0 + 60 * MIN, stepMs: 5 * MIN, resolution: '5m', groupBy: 'gpu' });
    expect(left[0]?.points.map((p) => (p.at - T0) / MIN)).toEqual([10, 15, 20, 25, 30]);
    expect(await telemetry.expireBatches(['n1'], 100, 1)).toBe(1);
    expect(await telemetry.expireBatches(['n1'], 100, 5)).toBe(1);
    expect(await telemetry.expireBatches(['n1'], 100, 5)).toBe(0);
    expect((await telemetry.lastIngestsByOrg('org-a', ['n1'])).get('n1')).toBe(3);
    expect(await telemetry.claimBatch('b3', 'n1', 4)).toBe('duplicate');
    expect(await repo.nodesAfter(null, 1)).toEqual(['n1']);
    expect(await repo.nodesAfter('n1', 5)).toEqual(['n2']);
    expect(await repo.nodesAfter('n2', 5)).toEqual([]);
  });

  it('moves samples stored before the telemetry store into it, with their rollups', async () => {
    const old = await openFresh(backend);
    const migrations = Object.fromEntries(MIGRATION_NAMES.filter((n) => n < '0009').map((n) => [n, ALL_MIGRATIONS[n]!]));
    await new Migrator({ db: old.db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
    await new OrgRepo(old.db).create({ id: 'org-a', name: 'A', created_at: 0 });
    await new NodeRepo(old.db).create({ id: 'n1', org_id: 'org-a', name: 'n1', host_key: 'k', claimed_country: null, created_at: 0, last_measured_at: null, unenrolled_at: null, zone_id: null });
    const { uuid: _u, ...full } = gpu('GPU-1', 60);
    const rows = [
      { node_id: 'n1', gpu_uuid: 'GPU-1', at: T0, metrics: JSON.stringify(full) },
      { node_id: 'n1', gpu_uuid: 'GPU-1', at: T0 + MIN, metrics: JSON.stringify({ temperatureC: 62, remappedRowsPending: true }) },
      { node_id: 'n1', gpu_uuid: 'GPU-2', at: T0, metrics: '{}' },
    ];
    await sql`insert into samples (node_id, gpu_uuid, at, metrics) values ${sql.join(rows.map((r) => sql`(${r.node_id}, ${r.gpu_uuid}, ${r.at}, ${r.metrics})`))}`.execute(old.db);
    expect(await migrateToLatest(old)).toEqual(MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf('0009-telemetry')));
    const repo = new GpuSampleRepo(old.db);
    const moved = await repo.samples('n1', undefined, 0, 10);
    expect(moved.map((s) => [s.gpuUuid, s.at - T0, s.readings.temperatureC, s.readings.remappedRowsPending, s.readings.powerDrawW])).toEqual([
      ['GPU-1', 0, 60, false, 612.5],
      ['GPU-2', 0, null, null, null],
      ['GPU-1', MIN, 62, true, null],
    ]);
    expect(moved[0]?.readings).toEqual(full);
    const rolled = await repo.range({ nodeIds: ['n1'], metric: 'temperatureC', from: T0, to: T0 + 5 * MIN, stepMs: 5 * MIN, resolution: '5m', groupBy: 'gpu' });
    expect(temps(rolled)).toEqual([{ node: 'n1', gpu: 'GPU-1', points: [[0, 60, 61, 62, 2]] }]);
    expect((await repo.seriesFor('n1', ['GPU-1'])).ids.get('GPU-1')).toBeGreaterThan(0);
    await old.close();
  });
});

describe('the storage suite', () => {
  it('runs on every backend it was asked for', () => {
    // Under CI every backend must be present: the global setup fails when Postgres is missing.
    if (process.env.CI === 'true') expect(activeBackends()).toEqual(['sqlite', 'pglite', 'postgres']);
    expect(activeBackends()).toEqual(expect.arrayContaining(['sqlite']));
  });
});

import { randomUUID } from 'node:crypto';
import { get, type IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { PROTOCOL_VERSION, generateSigningKey, signBody } from '@locus/protocol';
import { AlertRepo, MIGRATION_NAMES, migrateToLatest, openStorage, type Storage } from '@locus/storage';
import { sampleValue as series } from './support/prometheus.js';
import { buildApp, DEFAULT_SERVER_CONFIG, hashToken, type AppDeps } from '@locus/server';
import { TestClock, hostInventory, landmark, measurementOf } from '../apps/server/src/test-support.js';
import { activeBackends, freshDatabaseSpec } from './support/storage-backends.js';

const world = naturalEarthWorld();

type App = Awaited<ReturnType<typeof buildApp>>;
interface Replicas {
  readonly a: App;
  readonly b: App;
  readonly storageA: Storage;
  readonly storageB: Storage;
  readonly clock: TestClock;
}

/**
 * Two servers on one fresh PostgreSQL database, each with a storage of its own, built at once with
 * `deps` after `migrate` (the first server's storage alone unless told); both closed after `test`,
 * whatever it did (closing an app the test closed already does nothing).
 */
async function withReplicas(test: (r: Replicas) => Promise<void>, { deps = {}, migrate = (storageA) => migrateToLatest(storageA) }: { deps?: Partial<AppDeps>; migrate?: (storageA: Storage, storageB: Storage) => Promise<unknown> } = {}): Promise<void> {
  const spec = await freshDatabaseSpec('postgres');
  const [storageA, storageB] = await Promise.all([openStorage(spec), openStorage(spec)]);
  const clock = new TestClock();
  const apps: App[] = [];
  try {
    await migrate(storageA, storageB);
    apps.push(...(await Promise.all([storageA, storageB].map((storage) => buildApp({ storage, world, config: DEFAULT_SERVER_CONFIG, clock, ...deps })))));
    await test({ a: apps[0]!, b: apps[1]!, storageA, storageB, clock });
  } finally {
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all([storageA.close(), storageB.close()]);
  }
}

/** An organization and an owner token of it, `tok-<org>` (`tok` for the default one). */
async function ownerOf(storage: Storage, org = 'default'): Promise<{ authorization: string }> {
  const token = org === 'default' ? 'tok' : `tok-${org}`;
  await storage.db.insertInto('orgs').values({ id: org, name: org, created_at: 0 }).execute();
  await storage.db.insertInto('tokens').values({ id: org, org_id: org, name: 't', role: 'owner', hash: hashToken(token), created_at: 0, last_used_at: null }).execute();
  return { authorization: `Bearer ${token}` };
}

describe.skipIf(!activeBackends().includes('postgres'))('two server replicas on one PostgreSQL database', () => {
  it('share landmarks, nodes and measurements, and store a measurement delivered to both exactly once', async () => {
    // Both replicas migrate at once, as two servers starting together would: one applies, one waits.
    const migrate = async (storageA: Storage, storageB: Storage) => expect((await Promise.all([migrateToLatest(storageA), migrateToLatest(storageB)])).flat()).toEqual(MIGRATION_NAMES);
    await withReplicas(async ({ a, b, storageA, clock }) => {
      const headers = await ownerOf(storageA);
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
    }, { migrate });
  });

  it('share the due verdicts: each node measured within the verdict interval judged by one replica at its end', async () => {
    await withReplicas(async ({ a, b, storageA, clock }) => {
      const headers = await ownerOf(storageA);
      const lms = [landmark('fra-1', 'DE', 50.11, 8.68), landmark('ams-1', 'NL', 52.37, 4.9), landmark('lon-1', 'GB', 51.51, -0.13)];
      for (const l of lms) expect((await a.inject({ method: 'POST', url: '/api/v1/landmarks', headers, payload: l.info })).statusCode).toBe(201);
      const keys = Array.from({ length: 150 }, () => generateSigningKey());
      for (const [i, key] of keys.entries()) expect((await a.inject({ method: 'POST', url: '/api/v1/nodes', headers, payload: { name: `n${i}`, hostKey: key.publicKey, claimedCountry: 'DE' } })).statusCode).toBe(201);
      const deliver = (app: App) => app.inject({ method: 'POST', url: '/api/v1/measurements', payload: { measurements: keys.map((k) => measurementOf(lms[0]!, k.publicKey, { lat: 50.1, lon: 8.7 }, clock.now())) } });
      // Judged at once, then measured again within the interval: every node due at its end.
      expect((await deliver(a)).json()).toMatchObject({ accepted: 150 });
      clock.advance(1_000);
      expect((await deliver(b)).json()).toMatchObject({ accepted: 150 });
      clock.advance(DEFAULT_SERVER_CONFIG.verdictIntervalMs);
      const judged = await Promise.all([a, b].map((app) => app.verification.refreshExpired(10_000)));
      // Pages of 100 taken at once: together every node, none twice.
      expect(judged[0]! + judged[1]!).toBe(150);
      const { rows } = await sql<{ n: number | string }>`select count(*) as n from node_judgements where measurements = 2`.execute(storageA.db);
      expect(Number(rows[0]!.n)).toBe(150);
      expect(await Promise.all([a, b].map((app) => app.verification.refreshExpired(10_000)))).toEqual([0, 0]);
    });
  });

  it('store each agent batch delivered to both at once exactly once: its claim, samples and rollups; and refuse it once either unenrolled its agent', async () => {
    await withReplicas(async ({ a, b, storageA, storageB, clock }) => {
      // Each replica opened and readied its pool of 10 for ingest as it started, and keeps them open.
      const { rows: backends } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database()`.execute(storageA.db);
      expect(backends[0]!.n).toBeGreaterThanOrEqual(20);
      const { token } = (await a.inject({ method: 'POST', url: '/api/v1/enrollment-tokens', headers: await ownerOf(storageA), payload: {} })).json() as { token: string };
      const key = generateSigningKey();
      const gpus = [{ uuid: 'GPU-a', serial: '1650000000001' }, { uuid: 'GPU-b', serial: '1650000000002' }];
      const enroll = signBody('enroll', { v: PROTOCOL_VERSION, token, hostKey: key.publicKey, name: 'n', claimedCountry: 'DE', inventory: hostInventory(gpus), at: clock.now().toISOString() }, key.privateKey);
      expect((await b.inject({ method: 'POST', url: '/api/v1/agents/enroll', payload: enroll })).statusCode).toBe(201);
      const reading = (uuid: string, i: number) => ({ uuid, temperatureC: 50 + i, memoryTemperatureC: 60, powerDrawW: 400.5 + i, powerLimitW: 700, energyMj: 1e9 + i, smClockMHz: 1980, memoryClockMHz: 2619, gpuUtilizationPct: i % 100, memoryUtilizationPct: 30, framebufferUsedMiB: 40000, framebufferTotalMiB: 81559, eccVolatileUncorrected: 0, eccAggregateUncorrected: 0, remappedRowsPending: false, pcieReplayCounter: 0, clockEventReasons: i % 2 ? ['SwPowerCap'] : [] });
      // Six batches of three 10-s instants each, samples alone (the batch store's path); all sent to both replicas at once.
      const t0 = clock.now().getTime();
      const batches = Array.from({ length: 6 }, (_, k) => {
        const samples = Array.from({ length: 3 }, (_, j) => ({ at: new Date(t0 + (k * 3 + j) * 10_000).toISOString(), gpus: gpus.map((g) => reading(g.uuid, k * 3 + j)) }));
        return signBody('ingest', { v: PROTOCOL_VERSION, batchId: randomUUID(), hostKey: key.publicKey, sentAt: clock.now().toISOString(), samples, events: [] }, key.privateKey);
      });
      const replies = await Promise.all(batches.flatMap((batch) => [a, b].map((app) => app.inject({ method: 'POST', url: '/api/v1/ingest', payload: batch }))));
      expect(replies.map((r) => r.statusCode)).toEqual(replies.map(() => 200));
      const outcomes = replies.map((r) => r.json() as { duplicate: boolean; samples: number });
      for (let k = 0; k < batches.length; k++) expect(outcomes.slice(2 * k, 2 * k + 2).map((o) => o.duplicate).sort()).toEqual([false, true]);
      expect(outcomes.filter((o) => !o.duplicate).every((o) => o.samples === 3)).toBe(true);
      const { rows } = await sql<{ batches: number; samples: number; counted: number; summed: number }>`select (select count(*)::int from ingest_batches) as batches, (select count(*)::int from gpu_samples) as samples,
        (select sum(temperature_c_count)::int from gpu_rollups_5m) as counted, (select sum(temperature_c_sum) from gpu_rollups_5m) as summed`.execute(storageB.db);
      // 18 instants of readings 50…67 on each of two GPUs: every sample once in the table and once in the rollups.
      expect(rows[0]).toEqual({ batches: 6, samples: 36, counted: 36, summed: 2 * (18 * 50 + (17 * 18) / 2) });
      // The agent leaves through one replica: the other, which has read its node, refuses its next batch.
      const leave = signBody('unenroll', { v: PROTOCOL_VERSION, hostKey: key.publicKey, at: clock.now().toISOString() }, key.privateKey);
      expect((await b.inject({ method: 'POST', url: '/api/v1/agents/unenroll', payload: leave })).statusCode).toBe(200);
      const late = signBody('ingest', { v: PROTOCOL_VERSION, batchId: randomUUID(), hostKey: key.publicKey, sentAt: clock.now().toISOString(), samples: [{ at: clock.now().toISOString(), gpus: gpus.map((g) => reading(g.uuid, 0)) }], events: [] }, key.privateKey);
      expect((await a.inject({ method: 'POST', url: '/api/v1/ingest', payload: late })).statusCode).toBe(401);
      expect((await sql<{ n: number }>`select count(*)::int as n from ingest_batches`.execute(storageA.db)).rows[0]).toEqual({ n: 6 });
    });
  });

  it('sweep alerts and expire telemetry from one replica at a time, which hands over when it stops; and send each webhook delivery once', async () => {
    const sent: string[] = [];
    // A receiver that takes 50 ms to answer, so that the two replicas' dispatches overlap.
    const receiver: typeof fetch = async (_url, init) => {
      sent.push(String(new Headers(init?.headers).get('x-locus-delivery')));
      await new Promise((r) => setTimeout(r, 50));
      return new Response(null, { status: 204 });
    };
    const metric = async (app: App, name: string, task: string) => series((await app.inject({ method: 'GET', url: '/metrics' })).body, name, { task }) ?? 0;
    // Alert work: a full sweep at a holder's first run, silence checks between (and another sweep every 5 minutes).
    const sweeps = async (app: App) => (await metric(app, 'locus_background_task_seconds_count', 'alert-sweep')) + (await metric(app, 'locus_background_task_seconds_count', 'silence-check'));
    await withReplicas(async ({ a, b, storageA, clock }) => {
      const apps = [a, b];
      for (let i = 0; i < 250 && (await sweeps(apps[0]!)) + (await sweeps(apps[1]!)) < 5; i++) await new Promise((r) => setTimeout(r, 20));
      const counts = [await sweeps(apps[0]!), await sweeps(apps[1]!)];
      // Five runs of alert work or more, all by one replica, which holds its lease; the other runs none, but runs the webhooks.
      expect(Math.max(...counts)).toBeGreaterThanOrEqual(5);
      expect(Math.min(...counts)).toBe(0);
      const holder = apps[counts.indexOf(Math.max(...counts))]!;
      const other = apps.find((a) => a !== holder)!;
      expect(await metric(holder, 'locus_background_lease', 'alert-sweep')).toBe(1);
      expect(await metric(other, 'locus_background_lease', 'alert-sweep')).toBe(0);
      expect(await metric(holder, 'locus_background_task_seconds_count', 'alert-sweep')).toBe(1);
      expect(await metric(other, 'locus_background_task_seconds_count', 'webhooks')).toBeGreaterThan(0);
      // Retention by one replica too: its lease is a lease of its own, which either may hold.
      const retention = [await metric(a, 'locus_background_task_seconds_count', 'retention'), await metric(b, 'locus_background_task_seconds_count', 'retention')];
      expect(Math.min(...retention)).toBe(0);
      expect(Math.max(...retention)).toBeGreaterThan(0);
      expect((await metric(a, 'locus_background_lease', 'retention')) + (await metric(b, 'locus_background_lease', 'retention'))).toBe(1);

      // Deliveries due now, sent by both replicas at once (as their loops and alert changes do): each reaches the receiver once.
      const alerts = new AlertRepo(storageA.db);
      await storageA.db.insertInto('orgs').values({ id: 'default', name: 'default', created_at: 0 }).execute();
      await alerts.addWebhook({ id: 'w1', org_id: 'default', url: 'http://127.0.0.1:9/hook', secret: 's', created_at: 0, group_wait_ms: 0, min_severity: 'warning', kinds: null });
      const now = clock.now().getTime();
      const ids = Array.from({ length: 10 }, (_, i) => `d${i}`);
      for (const id of ids) await alerts.enqueueDelivery({ id, webhook_id: 'w1', alert_id: 'a1', event: 'fired', body: '{}', status: 'pending', attempts: 0, next_attempt_at: now, last_status_code: null, last_error: null, created_at: now, delivered_at: null, last_attempt_at: null, changes: 1 });
      await Promise.all([...apps.map((a) => a.alerting.dispatch()), ...apps.map((a) => a.alerting.dispatch())]);
      for (let i = 0; i < 100 && (await alerts.dueDeliveries(now + 1e9, 100)).length > 0; i++) await Promise.all(apps.map((a) => a.alerting.dispatch()));
      expect(sent.sort()).toEqual(ids);
      expect((await alerts.deliveries('w1', 100)).every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);

      // The holder stops and gives its leases up: the other replica does the alert work from its next run, a full sweep first.
      await holder.close();
      for (let i = 0; i < 250 && (await sweeps(other)) < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await metric(other, 'locus_background_task_seconds_count', 'alert-sweep')).toBe(1);
      expect(await metric(other, 'locus_background_task_seconds_count', 'silence-check')).toBeGreaterThan(0);
      expect(await metric(other, 'locus_background_lease', 'alert-sweep')).toBe(1);
    }, { deps: { backgroundEveryMs: 20, fetch: receiver } });
  });

  it("tell a dashboard streaming from one replica what changed on the other, each change once, and only to its org", async () => {
    const streams: IncomingMessage[] = [];
    await withReplicas(async ({ a, b, storageA }) => {
      for (const org of ['org-a', 'org-b']) await ownerOf(storageA, org);
      await Promise.all([a.changeRelay!.listening, b.changeRelay!.listening]);
      const urls = await Promise.all([a, b].map((app) => app.listen({ host: '127.0.0.1', port: 0 })));
      /** Every event of a stream from a server, with an org's token. */
      const stream = async (url: string, org: string) => {
        const res = await new Promise<IncomingMessage>((resolve, reject) => get(`${url}/api/v1/changes`, { headers: { authorization: `Bearer tok-${org}` } }, resolve).on('error', reject));
        streams.push(res);
        const events: string[] = [];
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
            const data = /^event: change\ndata: (.*)$/m.exec(text.slice(0, end))?.[1];
            if (data) events.push(...(JSON.parse(data) as { kinds: string[] }).kinds);
            text = text.slice(end + 2);
          }
        });
        return events;
      };
      const [onB, onA, otherOrgOnB] = [await stream(urls[1]!, 'org-a'), await stream(urls[0]!, 'org-a'), await stream(urls[1]!, 'org-b')];
      // A zone made on A: A's stream hears it from A itself, B's from A through PostgreSQL.
      expect((await a.inject({ method: 'POST', url: '/api/v1/zones', headers: { authorization: 'Bearer tok-org-a' }, payload: { name: 'z' } })).statusCode).toBe(201);
      for (let i = 0; i < 200 && onB.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(onB).toEqual(['nodes']);
      // A mute rule made on B, heard on A; nothing echoed back to where it was made, nothing to org B.
      expect((await b.inject({ method: 'POST', url: '/api/v1/mute-rules', headers: { authorization: 'Bearer tok-org-a' }, payload: { kind: 'gpu-health', nodeId: null, durationS: 60, reason: 'r' } })).statusCode).toBe(201);
      for (let i = 0; i < 200 && onA.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 800));
      expect(onA).toEqual(['nodes', 'alerts']);
      expect(onB).toEqual(['nodes', 'alerts']);
      expect(otherOrgOnB).toEqual([]);
      for (const res of streams) res.destroy();
    });
  });
});

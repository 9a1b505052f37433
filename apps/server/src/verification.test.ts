import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OVERLAY_REVIEWED, boundsAt } from '@locus/geo';
import { timedBoundsFromMeasurements, verifyProof } from '@locus/proof';
import { generateSigningKey, signMeasurement, type VerdictRecord } from '@locus/protocol';
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from './config.js';
import { HOST_PLACES, LANDMARKS, SHENZHEN, SINGAPORE, measurementOf, testServer, world, type TestServer } from './test-support.js';
import { MeasurementRepo, type NodeRecord } from '@locus/storage';
import { reposOf } from './repos.js';
import { Verification, eachAtMost, verdictNotes } from './verification.js';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** A test server with LANDMARKS registered and one node claiming Singapore, enrolled by an owner of org-a. */
async function withNode(settings: Partial<ServerConfig> = {}) {
  s = await testServer('sqlite::memory:', settings);
  await s.registerLandmarks(LANDMARKS.map((l) => l.info));
  const owner = await s.tokenFor('org-a', 'owner');
  const key = generateSigningKey();
  const node = (await s.app.inject({ method: 'POST', url: '/api/v1/nodes', headers: owner, payload: { name: 'sg', hostKey: key.publicKey, claimedCountry: 'SG' } })).json() as { id: string };
  return { server: s, owner, key, node };
}

/** One measurement as a scenario draws it: which landmark, where the host answered from, when, and how much delay it added. */
const Taken = fc.record({
  landmark: fc.integer({ min: 0, max: LANDMARKS.length - 1 }),
  place: fc.integer({ min: 0, max: HOST_PLACES.length - 1 }),
  // From 7 h before the verdict (outside the 6-h window) to 1 min after it (a landmark's clock
  // ahead, within the skew); most within 40 min, where answers from two places conflict.
  minutesBefore: fc.oneof(fc.integer({ min: -1, max: 40 }), fc.integer({ min: -1, max: 7 * 60 })),
  // Delay a host added, or (below zero) a landmark lying about how close the host is.
  addedMs: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 40, noNaN: true }), fc.double({ min: -60, max: 0, noNaN: true })),
  // The same RTT as another measurement of this landmark: ties are where "the first" and "the last" matter.
  repeat: fc.boolean(),
});

describe('a node verdict judged from the database summary of its measurements', () => {
  it('is what its proof holds: the same record, count and notes, for any measurements, revoked landmarks and claims', async () => {
    s = await testServer();
    await s.registerLandmarks(LANDMARKS.map((l) => l.info));
    const repos = reposOf(s.storage);
    const owner = await s.tokenFor('org-a', 'owner');
    const verification = s.app.verification;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(Taken, { minLength: 0, maxLength: 60, size: 'medium' }), fc.constantFrom('SG', 'CN', 'DE', null), fc.option(fc.integer({ min: 0, max: LANDMARKS.length - 1 }), { nil: undefined }), async (taken, claimed, revoke) => {
        const key = generateSigningKey();
        const enrolled = await s!.app.inject({ method: 'POST', url: '/api/v1/nodes', headers: owner, payload: { name: `node-${n++}`, hostKey: key.publicKey, claimedCountry: claimed } });
        expect(enrolled.statusCode).toBe(201);
        const now = s!.clock.now().getTime();
        const rttOf = new Map<number, number>();
        for (const t of taken) {
          const signed = measurementOf(LANDMARKS[t.landmark]!, key.publicKey, HOST_PLACES[t.place]!, new Date(now - t.minutesBefore * 60_000 + (t.minutesBefore % 7) * 1_000), t.addedMs);
          const rtt = t.repeat ? rttOf.get(t.landmark) : Math.max(0.05, signed.measurement.minRttMs);
          const stored = rtt === undefined || rtt === signed.measurement.minRttMs ? signed : signMeasurement({ ...signed.measurement, minRttMs: rtt }, LANDMARKS[t.landmark]!.key.privateKey);
          rttOf.set(t.landmark, stored.measurement.minRttMs);
          // Stored as delivered earlier, old ones included: the gate at delivery is not under test.
          await repos.measurements.insertNew([stored], now);
        }
        const node = (await repos.nodes.byHostKey(key.publicKey))!;
        const trusted = await repos.landmarks.list();
        const judged = await verification.verdict(node);
        // A landmark revoked since: the proof leaves its measurements out, and so must the verdict.
        const revokedJudged = revoke === undefined ? undefined : await withRevoked(revoke, node);
        for (const [verdict, proof] of [
          [judged, await verification.proof(node)],
          ...(revokedJudged ? [[revokedJudged.result, revokedJudged.proof] as const] : []),
        ] as const) {
          expect(verdict.verdict).toEqual(proof.verdict);
          expect(verdict.measurements).toBe(proof.measurements.length);
          const timed = timedBoundsFromMeasurements(proof.landmarks, proof.measurements);
          expect(verdict.notes).toEqual(verdictNotes(timed, boundsAt(timed, Date.parse(proof.createdAt)), proof.verdict.empty === true));
        }
        // Judged again an interval on while a measurement counts (its bounds grow), never when none does.
        if (revokedJudged === undefined) {
          const proof = await verification.proof(node);
          const noted = await s!.storage.db.selectFrom('verdict_expiry').select('expires_at').where('node_id', '=', node.id).executeTakeFirst();
          expect(noted === undefined ? null : Number(noted.expires_at)).toBe(proof.measurements.length === 0 ? null : now + DEFAULT_SERVER_CONFIG.verdictIntervalMs);
        }
        expect(trusted).toHaveLength(LANDMARKS.length);
      }),
      { numRuns: 40, seed: 20261130 },
    );

    /** A node's verdict and proof with one landmark revoked (set back after: revocation for good is not under test). */
    async function withRevoked(index: number, node: NodeRecord) {
      const id = LANDMARKS[index]!.info.id;
      await s!.storage.db.updateTable('landmarks').set({ revoked_at: s!.clock.now().getTime() }).where('id', '=', id).execute();
      try {
        return { result: await verification.verdict(node), proof: await verification.proof(node) };
      } finally {
        await s!.storage.db.updateTable('landmarks').set({ revoked_at: null }).where('id', '=', id).execute();
      }
    }
  }, 120_000);

  it('gives a proof that verifies with the verdict it stored', async () => {
    const { server: s, owner, key, node: enrolled } = await withNode();
    const batch = LANDMARKS.flatMap((l) => [0, 1, 2].map((i) => measurementOf(l, key.publicKey, SINGAPORE, new Date(s!.clock.now().getTime() - i * 60_000), i)));
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/measurements', payload: { measurements: batch } })).json()).toMatchObject({ accepted: 12 });
    const [stored] = (await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${enrolled.id}/verdicts`, headers: owner })).json().verdicts as { measurements: number; verdict: unknown }[];
    const proof = (await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${enrolled.id}/proof`, headers: owner })).json();
    expect(verifyProof(world, proof, { trusted: LANDMARKS.map((l) => l.info) })).toMatchObject({ ok: true });
    expect(stored).toEqual(expect.objectContaining({ measurements: 12, verdict: proof.verdict }));
    // Which overlay outlines the verdict was judged with, for `locus proof verify` to date.
    expect(proof.parameters.overlayReviewed).toBe(OVERLAY_REVIEWED);
  });

  it('judges a node measured again within the verdict interval at its end, once, and one measured after it at once', async () => {
    const { server: s, owner, key, node } = await withNode();
    const interval = DEFAULT_SERVER_CONFIG.verdictIntervalMs;
    const deliver = async (place: { lat: number; lon: number }, added = 0) => {
      const batch = LANDMARKS.map((l) => measurementOf(l, key.publicKey, place, s!.clock.now(), added));
      expect((await s!.app.inject({ method: 'POST', url: '/api/v1/measurements', payload: { measurements: batch } })).json()).toMatchObject({ accepted: 4 });
    };
    const listed = async () => ((await s!.app.inject({ method: 'GET', url: '/api/v1/nodes', headers: owner })).json() as { nodes: { verdict: { restricted: string; computedAt: string } | null }[] }).nodes[0]!.verdict;
    const history = async () => ((await s!.app.inject({ method: 'GET', url: `/api/v1/nodes/${node.id}/verdicts`, headers: owner })).json() as { verdicts: { measurements: number; verdict: { restricted: string } }[] }).verdicts;
    const t0 = s.clock.now().toISOString();
    // Its page opened before any measurement: judged on none, stored nowhere (no verdict yet), which does not hold up the first ones.
    expect((await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${node.id}/verdict`, headers: owner })).json()).toMatchObject({ measurements: 0 });
    // The first measurements of a node: judged at once (from Shenzhen, padded: CN possible).
    await deliver(SHENZHEN, 10);
    expect(await listed()).toEqual({ restricted: 'possible', claim: expect.any(String), countryEstimate: expect.anything(), computedAt: t0 });
    // Within the interval: stored, and the node due at its end; not judged before.
    s.clock.advance(5_000);
    await deliver(SINGAPORE);
    expect((await listed())!.restricted).toBe('possible');
    s.clock.advance(interval - 5_000 - 1);
    expect(await s.app.verification.refreshExpired(1_000)).toBe(0);
    s.clock.advance(1);
    expect(await s.app.verification.refreshExpired(1_000)).toBe(1);
    expect(await listed()).toMatchObject({ restricted: 'excluded', computedAt: s.clock.now().toISOString() });
    expect(await s.app.verification.refreshExpired(1_000)).toBe(0);
    // After the interval: judged at once. The verdict is the same, so no verdict is stored, but
    // the node's is as of now, on every measurement.
    s.clock.advance(interval);
    await deliver(SINGAPORE);
    const judgedAt = s.clock.now().toISOString();
    expect(await listed()).toMatchObject({ restricted: 'excluded', computedAt: judgedAt });
    expect((await history()).map((v) => [v.verdict.restricted, v.measurements])).toEqual([
      ['excluded', 8],
      ['possible', 4],
    ]);
    const metrics = (await s.app.inject({ method: 'GET', url: '/api/v1/fleet/metrics', headers: owner })).body;
    expect(metrics).toContain(`locus_node_verdict_timestamp_seconds{node_id="${node.id}"} ${Date.parse(judgedAt) / 1000}`);
    expect(metrics).toMatch(new RegExp(`locus_node_verdict_measurements\\{node_id="${node.id}"\\} 12`));
  });

  it('judges every delivery at once with an interval of 0', async () => {
    const { server: s, owner, key, node } = await withNode({ verdictIntervalMs: 0 });
    for (const [place, added] of [[SHENZHEN, 10], [SINGAPORE, 0]] as const) {
      const batch = LANDMARKS.map((l) => measurementOf(l, key.publicKey, place, s!.clock.now(), added));
      await s.app.inject({ method: 'POST', url: '/api/v1/measurements', payload: { measurements: batch } });
    }
    const verdicts = ((await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${node.id}/verdicts`, headers: owner })).json() as { verdicts: { verdict: { restricted: string } }[] }).verdicts;
    expect(verdicts.map((v) => v.verdict.restricted)).toEqual(['excluded', 'possible']);
  });

  it('keeps a node due that a delivery made due while its verdict was being judged', async () => {
    const { server: s, key, node } = await withNode();
    const deliver = (verification: Verification) => verification.ingest(LANDMARKS.map((l) => measurementOf(l, key.publicKey, SINGAPORE, s.clock.now())));
    const t0 = s.clock.now().getTime();
    expect(await deliver(s.app.verification)).toMatchObject({ accepted: 4 });
    s.clock.advance(10_000);
    // A verdict asked for (GET …/verdict) reads the node's measurements; a landmark's delivery
    // lands in between (judged at the end of the interval: the node was judged 10 s ago).
    let delivered: Promise<unknown> | undefined;
    class Racing extends MeasurementRepo {
      override async buckets(...args: Parameters<MeasurementRepo['buckets']>) {
        const read = await super.buckets(...args);
        delivered ??= deliver(s.app.verification);
        await delivered;
        return read;
      }
    }
    const repos = { ...reposOf(s.storage), measurements: new Racing(s.storage.db) };
    const asked = new Verification(repos, world, DEFAULT_SERVER_CONFIG, s.clock);
    const record = await asked.verdict((await repos.nodes.byHostKey(key.publicKey))!);
    expect(record.measurements).toBe(4);
    // The delivery's measurements are not in that verdict: the node stays due, at the latest an
    // interval after the delivery (a verdict on measurements is judged again an interval on).
    expect(await repos.verdicts.expiry(node.id)).toBeLessThanOrEqual(t0 + 10_000 + DEFAULT_SERVER_CONFIG.verdictIntervalMs);
    s.clock.advance(DEFAULT_SERVER_CONFIG.verdictIntervalMs);
    expect(await s.app.verification.refreshExpired(1_000)).toBe(1);
    expect((await s.app.verification.verdict((await repos.nodes.byHostKey(key.publicKey))!)).measurements).toBe(8);
  });
});

describe("a node's verdict history", () => {
  it('pages newest first, neither skipping nor repeating a verdict, two in one millisecond included, as new ones are stored', async () => {
    const { server: s, owner, node } = await withNode();
    const repos = reposOf(s.storage);
    const record = (restricted: 'excluded' | 'possible'): VerdictRecord => ({ claimed: 'SG', claim: 'consistent', restricted, possibleCountries: ['SG'], areaKm2: 1, radiusKm: 1, estimate: { lat: 1.3, lon: 103.8 }, countryEstimate: 'SG' });
    // Seven verdicts; the third and fourth in one millisecond (their ids tell them apart).
    const times = [1_000, 2_000, 3_000, 3_000, 4_000, 5_000, 6_000];
    const ids = times.map((t, i) => `00000000-0000-7000-8000-00000000000${i}`);
    for (const [i, t] of times.entries()) await repos.verdicts.insert({ id: ids[i]!, nodeId: node.id, computedAt: t, measurements: i, record: record(i % 2 ? 'possible' : 'excluded'), notes: [] });
    const page = async (query: string) => {
      const res = await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${node.id}/verdicts${query}`, headers: owner });
      expect(res.statusCode).toBe(200);
      return res.json() as { verdicts: { measurements: number }[]; next: string | null };
    };
    const seen: number[] = [];
    let next: string | null = '';
    for (let pages = 0; next !== null && pages < 10; pages++) {
      const p = await page(`?limit=2${next ? `&before=${next}` : ''}`);
      seen.push(...p.verdicts.map((v) => v.measurements));
      // A verdict stored while paging is newer than every page's cursor: later pages do not show it.
      if (pages === 0) await repos.verdicts.insert({ id: '00000000-0000-7000-8000-0000000000ff', nodeId: node.id, computedAt: 7_000, measurements: 99, record: record('excluded'), notes: [] });
      next = p.next;
    }
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0]);
    // Unpaged: the newest 100, with the one stored meanwhile; a full last page still names a next, which is empty.
    expect((await page('')).verdicts.map((v) => v.measurements)).toEqual([99, 6, 5, 4, 3, 2, 1, 0]);
    expect(await page(`?limit=8`)).toMatchObject({ next: expect.any(String) });
    expect((await page(`?limit=8&before=${(await page('?limit=8')).next}`)).verdicts).toEqual([]);
  });

  it.each([['limit=0'], ['limit=1001'], ['before=yesterday'], ['before=1_'], ['before=1_a%20b']])('refuses a page asked with %s', async (query) => {
    const { server: s, owner, node } = await withNode();
    const res = await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${node.id}/verdicts?${query}`, headers: owner });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'LOCUS_ERR_VALIDATION' });
  });
});

describe('judging several nodes at once', () => {
  it('judges every node a delivery or the loop takes, never more at once than it may, as one at a time does', async () => {
    s = await testServer('sqlite::memory:');
    await s.registerLandmarks(LANDMARKS.map((l) => l.info));
    const owner = await s.tokenFor('org-a', 'owner');
    const keys = Array.from({ length: 7 }, () => generateSigningKey());
    const ids: string[] = [];
    for (const [i, key] of keys.entries()) {
      ids.push(((await s.app.inject({ method: 'POST', url: '/api/v1/nodes', headers: owner, payload: { name: `n${i}`, hostKey: key.publicKey, claimedCountry: 'SG' } })).json() as { id: string }).id);
    }
    // Each read of a node's window gives the others a turn, so that judgements overlap even on SQLite.
    let inFlight = 0;
    let most = 0;
    class Overlapping extends MeasurementRepo {
      override async buckets(...args: Parameters<MeasurementRepo['buckets']>) {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        try {
          return await super.buckets(...args);
        } finally {
          inFlight--;
        }
      }
    }
    const repos = { ...reposOf(s.storage), measurements: new Overlapping(s.storage.db) };
    const atOnce = new Verification(repos, world, DEFAULT_SERVER_CONFIG, s.clock, undefined, 3);
    // Half the hosts in Singapore, half in Shenzhen padding their delays: different verdicts.
    const placeOf = (i: number) => (i % 2 === 0 ? { place: SINGAPORE, added: 0 } : { place: SHENZHEN, added: 10 });
    const batch = keys.flatMap((key, i) => LANDMARKS.map((l) => measurementOf(l, key.publicKey, placeOf(i).place, s!.clock.now(), placeOf(i).added)));
    expect(await atOnce.ingest(batch)).toMatchObject({ accepted: 28, rejected: [] });
    expect(most).toBe(3);
    const judged = await repos.verdicts.lastJudged(ids);
    expect(ids.map((id) => judged.get(id)?.measurements)).toEqual(ids.map(() => 4));
    const latest = await repos.verdicts.latestByOrg('org-a');
    const restricted = ids.map((id) => latest.get(id)?.record.restricted);
    expect(restricted).toEqual(ids.map((_, i) => (i % 2 === 0 ? 'excluded' : 'possible')));
    // The loop: every node due again, judged once each, three at a time, to the same verdicts as one at a time.
    s.clock.advance(1_000);
    await repos.verdicts.expireAll(s.clock.now().getTime());
    most = 0;
    expect(await atOnce.refreshExpired(10_000)).toBe(ids.length);
    expect(most).toBe(3);
    expect(await atOnce.refreshExpired(10_000)).toBe(0);
    const again = await repos.verdicts.lastJudged(ids);
    expect(ids.map((id) => again.get(id)?.at)).toEqual(ids.map(() => s!.clock.now().getTime()));
    // Judged a second later than by the delivery: each bound grown by a second's travel, the records as of now.
    const relisted = await repos.verdicts.latestByOrg('org-a');
    for (const id of ids) {
      const alone = await s.app.verification.verdict((await repos.nodes.get('org-a', id))!);
      expect(alone.verdict).toEqual(relisted.get(id)!.record);
      expect(alone.verdict.areaKm2).toBeGreaterThan(latest.get(id)!.record.areaKm2);
    }
  });
});

describe('eachAtMost', () => {
  /** A run for each item that ends when told, noting how many run at once. */
  function runs(count: number) {
    const started: number[] = [];
    const finish = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
    let running = 0;
    let most = 0;
    const run = (i: number) =>
      new Promise<void>((resolve, reject) => {
        started.push(i);
        most = Math.max(most, ++running);
        finish.set(i, { resolve: () => (running--, resolve()), reject: (e) => (running--, reject(e)) });
      });
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    return { items: Array.from({ length: count }, (_, i) => i), started, finish, run, tick, most: () => most };
  }

  it('runs every item, in order, never more than the limit at once', async () => {
    const r = runs(5);
    const all = eachAtMost(r.items, 2, r.run);
    await r.tick();
    expect(r.started).toEqual([0, 1]);
    r.finish.get(1)!.resolve();
    await r.tick();
    expect(r.started).toEqual([0, 1, 2]);
    for (const i of [0, 2]) r.finish.get(i)!.resolve();
    await r.tick();
    for (const i of [3, 4]) r.finish.get(i)!.resolve();
    await all;
    expect(r.started).toEqual([0, 1, 2, 3, 4]);
    expect(r.most()).toBe(2);
    await expect(eachAtMost([], 3, r.run)).resolves.toBeUndefined();
  });

  it('starts no more after a failure, and fails once those under way have ended', async () => {
    const r = runs(6);
    let settled = false;
    const all = eachAtMost(r.items, 3, r.run).finally(() => (settled = true));
    all.catch(() => undefined);
    await r.tick();
    r.finish.get(0)!.reject(new Error('judging n0 failed'));
    await r.tick();
    expect(r.started).toEqual([0, 1, 2]);
    expect(settled).toBe(false);
    r.finish.get(1)!.resolve();
    r.finish.get(2)!.reject(new Error('judging n2 failed'));
    await expect(all).rejects.toThrow('judging n0 failed');
    expect(r.started).toEqual([0, 1, 2]);
  });

  it('fails with the failure that came first, whichever lane it came in', async () => {
    const r = runs(4);
    const all = eachAtMost(r.items, 2, r.run);
    all.catch(() => undefined);
    await r.tick();
    r.finish.get(1)!.reject(new Error('judging n1 failed'));
    await r.tick();
    r.finish.get(0)!.reject(new Error('judging n0 failed'));
    await expect(all).rejects.toThrow('judging n1 failed');
    expect(r.started).toEqual([0, 1]);
  });
});

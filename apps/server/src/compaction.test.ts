import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_TRAVEL } from '@locus/geo';
import { verifyProof } from '@locus/proof';
import { generateSigningKey, type ProofBundle } from '@locus/protocol';
import { MEASUREMENT_BUCKET_MS } from '@locus/storage';
import { bucketsOf } from '../../../test/support/measurements.js';
import { HOST_PLACES, LANDMARKS, SHENZHEN, SINGAPORE, measurementOf, testServer, world, type TestServer } from './test-support.js';
import { DEFAULT_SERVER_CONFIG } from './config.js';
import { reposOf } from './repos.js';
import { COMPACT_HOSTS, TelemetryRetention } from './retention.js';
import type { NodeVerdict } from './verification.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const BUCKET = DEFAULT_TRAVEL.bucketMs;

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** Moments of a host's life: some minutes later, landmarks deliver measurements (some taken a while before), and the node may be judged. */
const Step = fc.record({
  gapS: fc.integer({ min: 20, max: 25 * 60 }),
  taken: fc.array(
    fc.record({
      landmark: fc.integer({ min: 0, max: LANDMARKS.length - 1 }),
      // Mostly from the host's home (null); now and then from elsewhere (another host with its key).
      place: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: HOST_PLACES.length - 1 }) }),
      addedMs: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 30, noNaN: true })),
      lateS: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 * 60 })),
    }),
    { maxLength: 4 },
  ),
  judge: fc.boolean(),
});

const leastPer = (proof: ProofBundle) => {
  const least = new Map<string, { rtt: number; at: number }>();
  for (const { measurement: m } of proof.measurements) {
    const held = least.get(m.landmarkId);
    if (!held || m.minRttMs < held.rtt) least.set(m.landmarkId, { rtt: m.minRttMs, at: Date.parse(m.measuredAt) });
  }
  return least;
};

describe('measurement compaction past the verdict window', () => {
  it("keeps each stored verdict's proof, each bucket's least, and never makes a past proof tighter", async () => {
    s = await testServer();
    await s.registerLandmarks(LANDMARKS.map((l) => l.info));
    const repos = reposOf(s.storage);
    const owner = await s.tokenFor('org-a', 'owner');
    let n = 0;
    let compactedRuns = 0;
    await fc.assert(
      // A host that adds more delay as time goes on (drift, ms a step) has each landmark's least
      // at the window's start: in the bucket its edge cuts, where compaction keeps the least of
      // the whole bucket, from before the window.
      fc.asyncProperty(fc.array(Step, { minLength: 30, maxLength: 60, size: 'max' }), fc.oneof(fc.constant(0), fc.double({ min: 0.05, max: 1, noNaN: true })), fc.constantFrom(...HOST_PLACES), async (steps, drift, home) => {
        const key = generateSigningKey();
        const enrolled = await s!.app.inject({ method: 'POST', url: '/api/v1/nodes', headers: owner, payload: { name: `node-${n++}`, hostKey: key.publicKey, claimedCountry: 'SG' } });
        expect(enrolled.statusCode).toBe(201);
        const node = (await repos.nodes.byHostKey(key.publicKey))!;
        const times: number[] = [];
        const judgements: NodeVerdict[] = [];
        for (const [i, step] of steps.entries()) {
          s!.clock.advance(step.gapS * 1000);
          const now = s!.clock.now().getTime();
          times.push(now);
          const batch = step.taken.map((t) => measurementOf(LANDMARKS[t.landmark]!, key.publicKey, t.place === null ? home : HOST_PLACES[t.place]!, new Date(now - t.lateS * 1000), t.addedMs + drift * i));
          await repos.measurements.insertNew(batch, now);
          if (step.judge) judgements.push(await s!.app.verification.verdict(node));
        }
        const first = times[0]! - 40 * MIN;
        const last = times.at(-1)!;
        const before = bucketsOf(await repos.measurements.forHost(key.publicKey, first, last), BUCKET);
        const proofsBefore = await Promise.all(times.map((t) => s!.app.verification.proof(node, new Date(t))));
        // Long after: every bucket of this host has left the window by more than a bucket.
        s!.clock.advance(7 * HOUR);
        let deleted = 0;
        for (let run = 0; run < 20; run++) {
          const done = await s!.app.retention.run(10_000);
          deleted += done.compacted;
          if (done.compacted === 0) break;
        }
        if (deleted > 0) compactedRuns++;
        expect(await repos.measurements.compactedBefore()).toBeGreaterThan(last);
        // Each landmark's least in each bucket is still there, taken at the same time.
        const after = bucketsOf(await repos.measurements.forHost(key.publicKey, first, last), BUCKET);
        expect(after.map(({ count: _, ...b }) => b)).toEqual(before.map(({ count: _, ...b }) => b));
        expect(after.reduce((sum, b) => sum + b.count, 0)).toBe(before.reduce((sum, b) => sum + b.count, 0) - deleted);
        // Besides those marked kept, one a bucket.
        const rows = await s!.storage.db.selectFrom('measurements').select(['landmark_id', 'measured_at']).where('host_key', '=', key.publicKey).where('kept', '=', 0).execute();
        const groups = new Set(rows.map((r) => `${r.landmark_id}/${Math.floor(Number(r.measured_at) / BUCKET)}`));
        expect(groups.size).toBe(rows.length);
        // The proof of every stored verdict, rebuilt at its time, gives that verdict; and so does
        // the proof at every judgement that changed nothing (lists and reports show its time).
        for (const v of await repos.verdicts.history(node.id)) {
          const proof = await s!.app.verification.proof(node, new Date(v.computedAt));
          expect(proof.verdict).toEqual(v.record);
        }
        for (const j of judgements) expect((await s!.app.verification.proof(node, new Date(j.computedAt))).verdict).toEqual(j.verdict);
        // At any other past time: what it holds is a part of what it held (never tighter), and
        // a landmark's least in a bucket the window holds whole, and whose measurements had all
        // come in by then (delivered at most 40 min late here), is still its least.
        for (const [i, t] of times.entries()) {
          const full = proofsBefore[i]!;
          const proof = await s!.app.verification.proof(node, new Date(t));
          const held = new Set(full.measurements.map((m) => m.measurement.noncesHash));
          expect(proof.measurements.every((m) => held.has(m.measurement.noncesHash))).toBe(true);
          if (proof.verdict.restricted === 'excluded') expect(full.verdict.restricted).toBe('excluded');
          const least = leastPer(proof);
          for (const [landmark, was] of leastPer(full)) {
            const bucket = Math.floor(was.at / BUCKET) * BUCKET;
            const whole = bucket >= t - 6 * HOUR && bucket + BUCKET + 40 * MIN <= t;
            if (whole) expect(least.get(landmark)?.rtt).toBe(was.rtt);
          }
        }
      }),
      { numRuns: 25, seed: 20261201 },
    );
    // The scenarios did compact: not a property that holds because nothing happened.
    expect(compactedRuns).toBeGreaterThan(10);
  }, 180_000);

  it('compacts a bucket across every host, a chunk of hosts a statement, once the window has left it by a bucket, from the mark any replica left', async () => {
    s = await testServer();
    await s.registerLandmarks(LANDMARKS.map((l) => l.info));
    const repos = reposOf(s.storage);
    const start = Math.ceil(s.clock.now().getTime() / BUCKET) * BUCKET + BUCKET;
    // More hosts than one statement takes, each measured 3 times by one landmark in each of two buckets.
    const hosts = Array.from({ length: COMPACT_HOSTS + 6 }, () => generateSigningKey().publicKey);
    for (const host of hosts) {
      const batch = [0, 1].flatMap((b) => [1, 2, 3].map((i) => measurementOf(LANDMARKS[0]!, host, SINGAPORE, new Date(start + b * BUCKET + i * MIN), i)));
      await repos.measurements.insertNew(batch, start + 2 * BUCKET);
    }
    const count = async () => Number((await s!.storage.db.selectFrom('measurements').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    // The first bucket ends at start + BUCKET: compacted once the window starts a bucket after that.
    s.clock.advance(start + 2 * BUCKET + 6 * HOUR - 1 - s.clock.now().getTime());
    expect((await s.app.retention.run(10_000)).compacted).toBe(0);
    s.clock.advance(1);
    expect((await s.app.retention.run(10_000)).compacted).toBe(2 * hosts.length);
    expect(await count()).toBe(4 * hosts.length);
    expect(await repos.measurements.compactedBefore()).toBe(start + BUCKET);
    // Another server (a replica that took the task over) carries on from the stored mark.
    const other = new TelemetryRetention(repos, s.clock, DEFAULT_SERVER_CONFIG);
    expect((await other.run(10_000)).compacted).toBe(0);
    s.clock.advance(BUCKET);
    expect((await other.run(10_000)).compacted).toBe(2 * hosts.length);
    expect(await count()).toBe(2 * hosts.length);
    // Each host keeps its least of each bucket (the measurement with the least added delay).
    for (const host of hosts.slice(0, 3)) expect((await repos.measurements.forHost(host, 0)).map((m) => m.measurement.measuredAt)).toEqual([new Date(start + MIN).toISOString(), new Date(start + BUCKET + MIN).toISOString()]);
    // Nothing left: a run reads no further than the mark, and is not behind.
    s.clock.advance(BUCKET);
    expect(await s.app.retention.run(10_000)).toMatchObject({ compacted: 0, compactionBehindMs: 0 });
    expect(await repos.measurements.compactedBefore()).toBe(start + 3 * BUCKET);
    // Out of budget: behind by the buckets it could have done.
    s.clock.advance(3 * BUCKET);
    expect(await other.run(0)).toMatchObject({ compacted: 0, compactionBehindMs: 3 * BUCKET });
  });

  it('keeps every measurement when told to (--keep-every-measurement)', async () => {
    s = await testServer('sqlite::memory:', { measurementCompaction: false });
    await s.registerLandmarks(LANDMARKS.map((l) => l.info));
    const repos = reposOf(s.storage);
    const key = generateSigningKey();
    const now = s.clock.now().getTime();
    await repos.measurements.insertNew([1, 2, 3].map((i) => measurementOf(LANDMARKS[0]!, key.publicKey, SINGAPORE, new Date(now + i * 1000), i)), now + 3_000);
    s.clock.advance(7 * HOUR);
    expect(await s.app.retention.run(10_000)).toMatchObject({ compacted: 0, compactionBehindMs: 0 });
    expect(await repos.measurements.forHost(key.publicKey, 0)).toHaveLength(3);
  });

  it('forgets the summary judging reads once the window has left its bucket by a bucket, compacting or not', async () => {
    // Judging sums the window up in the buckets the check over time compares.
    expect(MEASUREMENT_BUCKET_MS).toBe(DEFAULT_TRAVEL.bucketMs);
    s = await testServer('sqlite::memory:', { measurementCompaction: false });
    await s.registerLandmarks(LANDMARKS.map((l) => l.info));
    const repos = reposOf(s.storage);
    const key = generateSigningKey();
    const bucket = Math.floor(s.clock.now().getTime() / BUCKET);
    await repos.measurements.insertNew([1, 2, 3].map((i) => measurementOf(LANDMARKS[i]!, key.publicKey, SINGAPORE, new Date(bucket * BUCKET + i * 1000), i)), bucket * BUCKET + 3_000);
    const summed = async () => (await s!.storage.db.selectFrom('measurement_buckets').select('landmark_id').where('host_key', '=', key.publicKey).execute()).length;
    expect(await summed()).toBe(3);
    s.clock.advance((bucket + 2) * BUCKET + 6 * HOUR - 1 - s.clock.now().getTime());
    await s.app.retention.run(10_000);
    expect(await summed()).toBe(3);
    s.clock.advance(1);
    await s.app.retention.run(10_000);
    expect(await summed()).toBe(0);
    expect(await repos.measurements.forHost(key.publicKey, 0)).toHaveLength(3);
  });

  it('serves the proof of a past verdict, refusing times in the future or before what is kept', async () => {
    s = await testServer('sqlite::memory:', { measurementRetentionMs: 2 * 86_400_000 });
    await s.registerLandmarks(LANDMARKS.map((l) => l.info));
    const owner = await s.tokenFor('org-a', 'owner');
    const key = generateSigningKey();
    const node = (await s.app.inject({ method: 'POST', url: '/api/v1/nodes', headers: owner, payload: { name: 'sg', hostKey: key.publicKey, claimedCountry: 'SG' } })).json<{ id: string }>();
    const deliver = async (place: { lat: number; lon: number }, added: number) => {
      const batch = LANDMARKS.map((l) => measurementOf(l, key.publicKey, place, s!.clock.now(), added));
      expect((await s!.app.inject({ method: 'POST', url: '/api/v1/measurements', payload: { measurements: batch } })).json()).toMatchObject({ accepted: LANDMARKS.length });
    };
    const start = s.clock.now().getTime();
    // Padded from Shenzhen (CN possible), then true from Singapore (excluded) each 5 minutes for 8 hours.
    await deliver(SHENZHEN, 10);
    for (let i = 0; i < 96; i++) {
      s.clock.advance(5 * MIN);
      await deliver(SINGAPORE, i % 3);
      await s.app.verification.refreshExpired(1_000);
    }
    const history = (await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${node.id}/verdicts`, headers: owner })).json<{ verdicts: { computedAt: string; verdict: { restricted: string } }[] }>().verdicts;
    expect(history.map((v) => v.verdict.restricted)).toEqual(['excluded', 'possible']);
    s.clock.advance(8 * HOUR);
    expect((await s.app.retention.run(10_000)).compacted).toBeGreaterThan(0);
    const proofAt = (at: string) => s!.app.inject({ method: 'GET', url: `/api/v1/nodes/${node.id}/proof?at=${encodeURIComponent(at)}`, headers: owner });
    for (const v of history) {
      const res = await proofAt(v.computedAt);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="locus-proof-${node.id}-${Date.parse(v.computedAt)}.json"`);
      const proof = res.json<ProofBundle>();
      expect(proof).toMatchObject({ createdAt: v.computedAt, verdict: v.verdict });
      expect(verifyProof(world, proof, { trusted: LANDMARKS.map((l) => l.info) })).toMatchObject({ ok: true });
    }
    // With an offset, the same instant.
    const offset = new Date(Date.parse(history[0]!.computedAt) + 2 * HOUR).toISOString().replace('Z', '+02:00');
    expect((await proofAt(offset)).json()).toMatchObject({ createdAt: history[0]!.computedAt });
    const now = s.clock.now().getTime();
    const refused = async (at: string, message: RegExp) => {
      const res = await proofAt(at);
      expect([res.statusCode, res.json()]).toEqual([400, expect.objectContaining({ code: 'LOCUS_ERR_VALIDATION', message: expect.stringMatching(message) })]);
    };
    await refused(new Date(now + 1).toISOString(), /in the future/);
    await refused(new Date(now - 2 * 86_400_000 + 6 * HOUR - 1).toISOString(), /too early.*kept 2 days.*earliest is/);
    await refused('yesterday', /querystring/);
    // Before the first measurement: nothing to prove.
    expect((await proofAt(new Date(start - 1).toISOString())).json()).toMatchObject({ statusCode: 404, code: 'LOCUS_ERR_NOT_FOUND' });
  });
});

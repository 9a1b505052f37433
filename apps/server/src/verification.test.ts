import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { timedBoundsFromMeasurements, verifyProof } from '@locus/proof';
import { generateSigningKey, signMeasurement } from '@locus/protocol';
import { LANDMARKS, SHENZHEN, SINGAPORE, measurementOf, testServer, world, type TestServer } from './test-support.js';
import type { NodeRecord } from '@locus/storage';
import { reposOf } from './repos.js';
import { boundsExpireAt, verdictNotes } from './verification.js';

const HOUR = 3_600_000;
/** Far from the landmarks' region: measurements from here and from Singapore within minutes conflict. */
const FRANKFURT = { lat: 50.1, lon: 8.7 };
const PLACES = [SINGAPORE, SHENZHEN, FRANKFURT] as const;

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** One measurement as a scenario draws it: which landmark, where the host answered from, when, and how much delay it added. */
const Taken = fc.record({
  landmark: fc.integer({ min: 0, max: LANDMARKS.length - 1 }),
  place: fc.integer({ min: 0, max: PLACES.length - 1 }),
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
          const signed = measurementOf(LANDMARKS[t.landmark]!, key.publicKey, PLACES[t.place]!, new Date(now - t.minutesBefore * 60_000 + (t.minutesBefore % 7) * 1_000), t.addedMs);
          const rtt = t.repeat ? rttOf.get(t.landmark) : Math.max(0.05, signed.measurement.minRttMs);
          const stored = rtt === undefined || rtt === signed.measurement.minRttMs ? signed : signMeasurement({ ...signed.measurement, minRttMs: rtt }, LANDMARKS[t.landmark]!.key.privateKey);
          rttOf.set(t.landmark, stored.measurement.minRttMs);
          // Stored as delivered earlier, old ones included: the gate at delivery is not under test.
          await repos.measurements.insertIfNew(stored, now);
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
          expect(verdict.notes).toEqual(verdictNotes(timed, proof.verdict.empty === true));
        }
        // The expiry noted is never later than the exact one (ties inside a bucket: the earlier).
        if (revokedJudged === undefined) {
          const proof = await verification.proof(node);
          const exact = boundsExpireAt(timedBoundsFromMeasurements(proof.landmarks, proof.measurements), 6 * HOUR);
          const noted = await s!.storage.db.selectFrom('verdict_expiry').select('expires_at').where('node_id', '=', node.id).executeTakeFirst();
          expect(noted === undefined ? null : Number(noted.expires_at)).toEqual(exact === null ? null : expect.any(Number));
          if (exact !== null) expect(Number(noted!.expires_at)).toBeLessThanOrEqual(exact);
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
    s = await testServer();
    await s.registerLandmarks(LANDMARKS.map((l) => l.info));
    const owner = await s.tokenFor('org-a', 'owner');
    const key = generateSigningKey();
    const enrolled = (await s.app.inject({ method: 'POST', url: '/api/v1/nodes', headers: owner, payload: { name: 'sg', hostKey: key.publicKey, claimedCountry: 'SG' } })).json() as { id: string };
    const batch = LANDMARKS.flatMap((l) => [0, 1, 2].map((i) => measurementOf(l, key.publicKey, SINGAPORE, new Date(s!.clock.now().getTime() - i * 60_000), i)));
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/measurements', payload: { measurements: batch } })).json()).toMatchObject({ accepted: 12 });
    const [stored] = (await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${enrolled.id}/verdicts`, headers: owner })).json().verdicts as { measurements: number; verdict: unknown }[];
    const proof = (await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${enrolled.id}/proof`, headers: owner })).json();
    expect(verifyProof(world, proof, { trusted: LANDMARKS.map((l) => l.info) })).toMatchObject({ ok: true });
    expect(stored).toEqual(expect.objectContaining({ measurements: 12, verdict: proof.verdict }));
  });
});

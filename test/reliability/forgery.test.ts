import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyProof } from '@locus/proof';
import { PROTOCOL_VERSION, generateSigningKey, signBody, signChallenge, signMeasurement, toBase64url, type ProofBundle, type SignedMeasurement, type SigningKey } from '@locus/protocol';
import { enrollAgent, hostInventory, landmark, measurementOf, testServer, world, type TestServer } from '../../apps/server/src/test-support.js';
import { h100Readings, signedBatch } from '../support/ingest-batches.js';
import { recordFigures } from './figures.js';

/**
 * Forgery and replay, end to end through the server: every attack on the evidence (landmark
 * measurements, agent batches, enrollment, API tokens, proofs) is refused, and leaves nothing
 * behind. A new attack is a new row; the figure is rejected/total.
 */
const LANDMARKS = [landmark('sin-1', 'SG', 1.3521, 103.8198), landmark('tyo-1', 'JP', 35.6762, 139.6503), landmark('fra-1', 'DE', 50.1109, 8.6821)];
const SINGAPORE = { lat: 1.3, lon: 103.8 };
const outcomes = new Map<string, boolean>();

let s: TestServer;
let owner: { authorization: string };
let victim: { nodeId: string; key: SigningKey };
let other: { nodeId: string; key: SigningKey };

beforeAll(async () => {
  s = await testServer();
  owner = await s.tokenFor('org-a', 'owner');
  await s.registerLandmarks(LANDMARKS.map((l) => l.info));
  victim = await enrollAgent(s, owner, { name: 'victim', claimedCountry: 'SG', gpus: [{ uuid: 'GPU-v', serial: '1' }] });
  other = await enrollAgent(s, owner, { name: 'other', claimedCountry: 'SG', gpus: [{ uuid: 'GPU-o', serial: '2' }] });
});
afterAll(async () => {
  recordFigures('forgery', { attacks: outcomes.size, rejected: [...outcomes.values()].filter(Boolean).length });
  await s.close();
});

const inject = (method: string, url: string, payload?: object, headers: Record<string, string> = {}) => s.app.inject({ method: method as 'POST', url, headers, ...(payload ? { payload } : {}) });
const measure = (l = LANDMARKS[0]!, when = s.clock.now(), hostKey = victim.key.publicKey): SignedMeasurement => measurementOf(l, hostKey, SINGAPORE, when);
const deliver = (...measurements: SignedMeasurement[]) => inject('POST', '/api/v1/measurements', { measurements });
const stored = async () => ((await inject('GET', `/api/v1/nodes/${victim.nodeId}/proof`, undefined, owner)).json() as { measurements?: unknown[] }).measurements?.length ?? 0;
const events = async (nodeId = victim.nodeId) => ((await inject('GET', `/api/v1/nodes/${nodeId}/events?limit=10000`, undefined, owner)).json() as { events: unknown[] }).events.length;
const nodes = async () => ((await inject('GET', '/api/v1/nodes', undefined, owner)).json() as { nodes: unknown[] }).nodes.length;
const now = () => s.clock.now().toISOString();
const xid = () => [{ kind: 'xid' as const, id: randomUUID(), at: now(), gpu: 'GPU-v', pciBusId: '0000:10:00', xid: 79, message: 'forged' }];
const sample = () => [{ at: now(), gpus: [h100Readings('GPU-v', 0.5)] }];

/** A measurement refused on its own, with this code, and not stored. */
async function refusedMeasurement(m: SignedMeasurement, code: string, message: RegExp = /./): Promise<void> {
  const before = await stored();
  const res = await deliver(m);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json()).toMatchObject({ accepted: 0, duplicates: 0, rejected: [{ index: 0, code, message: expect.stringMatching(message) }] });
  expect(await stored()).toBe(before);
}

/** A request refused with this status and code, that changed neither node count nor the victim's events. */
async function refused(res: Awaited<ReturnType<typeof inject>>, status: number, code: string, before: { nodes: number; events: number }): Promise<void> {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json()).toMatchObject({ statusCode: status, code });
  expect(await nodes()).toBe(before.nodes);
  expect(await events()).toBe(before.events);
}
const state = async () => ({ nodes: await nodes(), events: await events() });

async function enrollmentToken(payload: object = {}): Promise<string> {
  return ((await inject('POST', '/api/v1/enrollment-tokens', payload, owner)).json() as { token: string }).token;
}
function enrollBody(token: string, key = generateSigningKey(), at = s.clock.now()) {
  return signBody('enroll', { v: PROTOCOL_VERSION, token, hostKey: key.publicKey, name: 'intruder', claimedCountry: 'SG', inventory: hostInventory([{ uuid: `GPU-${randomUUID()}`, serial: '9' }]), at: at.toISOString() }, key.privateKey);
}

const ATTACKS: Record<string, () => Promise<void>> = {
  // Landmark measurements.
  'measurement signed by an unregistered landmark': async () => refusedMeasurement(measure(landmark('rogue-1', 'SG', 1.35, 103.82)), 'LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK', /^landmark "rogue-1" is not registered$/),
  "measurement under a registered landmark's id, signed by another key": async () => {
    const impostor = landmark('sin-1', 'SG', 1.3521, 103.8198);
    await refusedMeasurement(measure(impostor), 'LOCUS_ERR_MEASUREMENT_SIGNATURE');
  },
  'measurement with its RTT lowered after signing': async () => {
    const m = measure();
    await refusedMeasurement({ ...m, measurement: { ...m.measurement, minRttMs: m.measurement.minRttMs / 10 } }, 'LOCUS_ERR_MEASUREMENT_SIGNATURE');
  },
  'measurement moved to another host key after signing': async () => {
    const m = measure(LANDMARKS[1], s.clock.now(), other.key.publicKey);
    await refusedMeasurement({ ...m, measurement: { ...m.measurement, hostKey: victim.key.publicKey } }, 'LOCUS_ERR_MEASUREMENT_SIGNATURE');
  },
  "measurement signed by the landmark's key for a place other than its registered one": async () => {
    const l = LANDMARKS[2]!;
    const m = measure(l);
    await refusedMeasurement(signMeasurement({ ...m.measurement, landmarkAt: { lat: 1.3521, lon: 103.8198 } }, l.key.privateKey), 'LOCUS_ERR_MEASUREMENT_SIGNATURE');
  },
  'measurement signed by a revoked landmark (new, and stored before the revocation)': async () => {
    const l = landmark('rev-1', 'SG', 1.29, 103.85);
    await s.registerLandmarks([l.info]);
    expect((await deliver(measure(l), measure(LANDMARKS[0]))).json()).toMatchObject({ accepted: 2 });
    const operator = await s.tokenFor('default', 'owner');
    expect((await inject('DELETE', '/api/v1/landmarks/rev-1', undefined, operator)).json()).toEqual({ revoked: true });
    await refusedMeasurement(measure(l), 'LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK');
    const proof = (await inject('GET', `/api/v1/nodes/${victim.nodeId}/proof`, undefined, owner)).json() as ProofBundle;
    expect(proof.measurements.length).toBeGreaterThan(0);
    expect(proof.measurements.some((m) => m.measurement.landmarkId === 'rev-1')).toBe(false);
    expect(proof.landmarks.some((x) => x.id === 'rev-1')).toBe(false);
    expect((await inject('POST', '/api/v1/landmarks', l.info, operator)).statusCode).toBe(409);
  },
  'measurement older than the accepted window': async () => refusedMeasurement(measure(LANDMARKS[0], new Date(s.clock.now().getTime() - 7 * 3600_000)), 'LOCUS_ERR_MEASUREMENT_STALE'),
  'measurement dated in the future': async () => refusedMeasurement(measure(LANDMARKS[0], new Date(s.clock.now().getTime() + 10 * 60_000)), 'LOCUS_ERR_MEASUREMENT_STALE'),
  'measurement signature taken from another purpose (a challenge answer)': async () => {
    const l = LANDMARKS[0]!;
    const m = measure(l);
    await refusedMeasurement({ ...m, signature: signChallenge(toBase64url(Buffer.alloc(32, 1)), l.info.publicKey, l.key.privateKey) }, 'LOCUS_ERR_MEASUREMENT_SIGNATURE');
  },
  'measurement replayed after it was accepted': async () => {
    const m = measure(LANDMARKS[1]);
    expect((await deliver(m)).json()).toMatchObject({ accepted: 1 });
    const before = await stored();
    s.clock.advance(60_000);
    expect((await deliver(m)).json()).toMatchObject({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await stored()).toBe(before);
  },
  // Agent batches.
  'agent batch signed by another agent': async () => {
    const before = await state();
    const forged = { ...signedBatch(other.key, sample(), xid(), now()), hostKey: victim.key.publicKey };
    await refused(await inject('POST', '/api/v1/ingest', forged), 401, 'LOCUS_ERR_UNAUTHENTICATED', before);
  },
  "agent batch re-signed by another agent's key under the victim's name": async () => {
    const before = await state();
    const body = signBody('ingest', { v: PROTOCOL_VERSION, batchId: randomUUID(), hostKey: victim.key.publicKey, sentAt: now(), samples: sample(), events: xid() } as never, other.key.privateKey);
    await refused(await inject('POST', '/api/v1/ingest', body), 401, 'LOCUS_ERR_UNAUTHENTICATED', before);
  },
  'agent batch with an event added after signing': async () => {
    const before = await state();
    const batch = signedBatch(victim.key, sample(), [], now());
    await refused(await inject('POST', '/api/v1/ingest', { ...batch, events: xid() }), 401, 'LOCUS_ERR_UNAUTHENTICATED', before);
  },
  'agent batch from an unenrolled key': async () => {
    const before = await state();
    await refused(await inject('POST', '/api/v1/ingest', signedBatch(generateSigningKey(), sample(), xid(), now())), 401, 'LOCUS_ERR_UNAUTHENTICATED', before);
  },
  'agent batch replayed under its batch id': async () => {
    const batch = signedBatch(victim.key, sample(), xid(), now());
    expect((await inject('POST', '/api/v1/ingest', batch)).json()).toMatchObject({ duplicate: false, events: 1 });
    const before = await events();
    expect((await inject('POST', '/api/v1/ingest', batch)).json()).toMatchObject({ duplicate: true, samples: 0, events: 0 });
    expect(await events()).toBe(before);
  },
  "agent batch reusing an accepted batch's id with new contents": async () => {
    const batch = signedBatch(victim.key, sample(), xid(), now());
    expect((await inject('POST', '/api/v1/ingest', batch)).json()).toMatchObject({ duplicate: false });
    const before = await events();
    const again = signBody('ingest', { v: PROTOCOL_VERSION, batchId: batch.batchId, hostKey: victim.key.publicKey, sentAt: now(), samples: [], events: xid() } as never, victim.key.privateKey);
    expect((await inject('POST', '/api/v1/ingest', again)).json()).toMatchObject({ duplicate: true, events: 0 });
    expect(await events()).toBe(before);
  },
  'agent batch from a node after it unenrolled': async () => {
    const gone = await enrollAgent(s, owner, { name: 'leaver', gpus: [{ uuid: 'GPU-l', serial: '3' }] });
    const leave = signBody('unenroll', { v: PROTOCOL_VERSION, hostKey: gone.key.publicKey, at: now() }, gone.key.privateKey);
    expect((await inject('POST', '/api/v1/agents/unenroll', leave)).statusCode).toBe(200);
    const before = await events(gone.nodeId);
    const res = await inject('POST', '/api/v1/ingest', signedBatch(gone.key, [], [{ ...xid()[0]!, gpu: 'GPU-l' }], now()));
    expect(res.json()).toMatchObject({ statusCode: 401, code: 'LOCUS_ERR_UNAUTHENTICATED' });
    expect(await events(gone.nodeId)).toBe(before);
  },
  'unenrollment signed by another key': async () => {
    const before = await state();
    const body = { ...signBody('unenroll', { v: PROTOCOL_VERSION, hostKey: other.key.publicKey, at: now() }, other.key.privateKey), hostKey: victim.key.publicKey };
    await refused(await inject('POST', '/api/v1/agents/unenroll', body), 401, 'LOCUS_ERR_UNAUTHENTICATED', before);
    const node = (await inject('GET', `/api/v1/nodes/${victim.nodeId}`, undefined, owner)).json() as { unenrolledAt?: string | null };
    expect(node.unenrolledAt ?? null).toBeNull();
  },
  // Enrollment.
  'enrollment token reused past its limit': async () => {
    const token = await enrollmentToken({ uses: 2 });
    expect((await inject('POST', '/api/v1/agents/enroll', enrollBody(token))).statusCode).toBe(201);
    expect((await inject('POST', '/api/v1/agents/enroll', enrollBody(token))).statusCode).toBe(201);
    await refused(await inject('POST', '/api/v1/agents/enroll', enrollBody(token)), 401, 'LOCUS_ERR_UNAUTHENTICATED', await state());
  },
  'enrollment token used after it expired': async () => {
    const token = await enrollmentToken({ expiresInS: 60, uses: 5 });
    s.clock.advance(61_000);
    await refused(await inject('POST', '/api/v1/agents/enroll', enrollBody(token)), 401, 'LOCUS_ERR_UNAUTHENTICATED', await state());
  },
  'enrollment with a made-up token': async () => refused(await inject('POST', '/api/v1/agents/enroll', enrollBody(`locus_${randomUUID()}`)), 401, 'LOCUS_ERR_UNAUTHENTICATED', await state()),
  'enrollment signed by a key other than the one it enrolls': async () => {
    const token = await enrollmentToken();
    const body = { ...enrollBody(token), hostKey: generateSigningKey().publicKey };
    await refused(await inject('POST', '/api/v1/agents/enroll', body), 401, 'LOCUS_ERR_UNAUTHENTICATED', await state());
  },
  'enrollment request replayed an hour later': async () => {
    const token = await enrollmentToken({ uses: 5 });
    const body = enrollBody(token);
    s.clock.advance(3600_000);
    await refused(await inject('POST', '/api/v1/agents/enroll', body), 401, 'LOCUS_ERR_UNAUTHENTICATED', await state());
  },
  "enrollment of an already enrolled host key (taking over the victim's node)": async () => {
    const token = await enrollmentToken();
    await refused(await inject('POST', '/api/v1/agents/enroll', enrollBody(token, victim.key)), 409, 'LOCUS_ERR_CONFLICT', await state());
  },
  // API tokens.
  'API token of a deleted user (its token revoked)': async () => {
    const made = (await inject('POST', '/api/v1/tokens', { name: 'leaver', role: 'admin' }, owner)).json() as { id: string; token: string };
    const theirs = { authorization: `Bearer ${made.token}` };
    expect((await inject('GET', '/api/v1/nodes', undefined, theirs)).statusCode).toBe(200);
    expect((await inject('DELETE', `/api/v1/tokens/${made.id}`, undefined, owner)).statusCode).toBe(200);
    await refused(await inject('POST', '/api/v1/zones', { name: 'after-leaving' }, theirs), 401, 'LOCUS_ERR_UNAUTHENTICATED', await state());
    expect((await inject('GET', '/api/v1/nodes', undefined, theirs)).statusCode).toBe(401);
  },
  'API token used after it expired': async () => {
    const made = (await inject('POST', '/api/v1/tokens', { name: 'temp', role: 'admin', expiresInS: 60 }, owner)).json() as { token: string };
    s.clock.advance(61_000);
    await refused(await inject('GET', '/api/v1/nodes', undefined, { authorization: `Bearer ${made.token}` }), 401, 'LOCUS_ERR_UNAUTHENTICATED', await state());
  },
  "API token guessed from a real one's prefix": async () => {
    const made = (await inject('POST', '/api/v1/tokens', { name: 'real', role: 'viewer' }, owner)).json() as { token: string };
    await refused(await inject('GET', '/api/v1/nodes', undefined, { authorization: `Bearer ${made.token.slice(0, -1)}` }), 401, 'LOCUS_ERR_UNAUTHENTICATED', await state());
  },
  // Proofs, checked offline against the landmarks the verifier trusts.
  'proof with its verdict edited': async () => {
    const proof = await fetchProof();
    expect(verifyProof(world, { ...proof, verdict: { ...proof.verdict, restricted: 'excluded', claim: 'verified' } } as never, { trusted: LANDMARKS.map((l) => l.info) }).ok).toBe(false);
  },
  'proof with a landmark key swapped for the forger’s': async () => {
    const proof = await fetchProof();
    const rogue = generateSigningKey();
    const m = proof.measurements[0]!;
    const forged = { ...proof, landmarks: proof.landmarks.map((l) => (l.id === m.measurement.landmarkId ? { ...l, publicKey: rogue.publicKey } : l)), measurements: [signMeasurement({ ...m.measurement, minRttMs: 0.01 }, rogue.privateKey), ...proof.measurements.slice(1)] };
    expect(verifyProof(world, forged, { trusted: LANDMARKS.map((l) => l.info) }).ok).toBe(false);
  },
  "proof carrying another host's measurement": async () => {
    const proof = await fetchProof();
    const foreign = measure(LANDMARKS[2], s.clock.now(), other.key.publicKey);
    expect(verifyProof(world, { ...proof, measurements: [...proof.measurements, foreign] }, { trusted: LANDMARKS.map((l) => l.info) }).ok).toBe(false);
  },
};

async function fetchProof(): Promise<ProofBundle> {
  await deliver(...LANDMARKS.map((l) => measure(l)));
  const res = await inject('GET', `/api/v1/nodes/${victim.nodeId}/proof`, undefined, owner);
  expect(res.statusCode, res.body).toBe(200);
  const proof = res.json() as ProofBundle;
  expect(verifyProof(world, proof, { trusted: LANDMARKS.map((l) => l.info) }).ok).toBe(true);
  return proof;
}

describe('forgery and replay', () => {
  it.each(Object.keys(ATTACKS))('refuses %s', async (name) => {
    outcomes.set(name, false);
    await ATTACKS[name]!();
    outcomes.set(name, true);
  });
});

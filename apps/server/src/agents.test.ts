import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ORG } from './config.js';
import { PROTOCOL_VERSION, generateSigningKey, signBody, signMeasurement, type SigningKey } from '@locus/protocol';
import { hostInventory, LANDMARKS, measurementOf, SINGAPORE, testServer, type TestServer } from './test-support.js';
import { NodeRepo } from '@locus/storage';

let s: TestServer;
let owner: { authorization: string };
beforeEach(async () => {
  s = await testServer();
  owner = await s.tokenFor('org-a', 'owner');
});
afterEach(async () => s.close());

async function newEnrollmentToken(uses = 1, headers = owner): Promise<string> {
  const res = await s.app.inject({ method: 'POST', url: '/api/v1/enrollment-tokens', headers, payload: { uses } });
  expect(res.statusCode).toBe(201);
  return (res.json() as { token: string }).token;
}

function enrollRequest(token: string, key: SigningKey, gpus = [{ uuid: 'GPU-a', serial: '1650000000001' }], at = s.clock.now()) {
  return signBody('enroll', { v: PROTOCOL_VERSION, token, hostKey: key.publicKey, name: 'gpu-host-01', claimedCountry: 'DE', inventory: hostInventory(gpus), at: at.toISOString() }, key.privateKey);
}

const enroll = (body: object) => s.app.inject({ method: 'POST', url: '/api/v1/agents/enroll', payload: body });

function batch(key: SigningKey, batchId = randomUUID(), extra: Partial<{ events: unknown[] }> = {}) {
  const at = s.clock.now().toISOString();
  return signBody(
    'ingest',
    {
      v: PROTOCOL_VERSION,
      batchId,
      hostKey: key.publicKey,
      sentAt: at,
      samples: [{ at, gpus: [{ uuid: 'GPU-a', temperatureC: 61, memoryTemperatureC: 65, powerDrawW: 412.5, powerLimitW: 700, energyMj: 1e9, smClockMHz: 1980, memoryClockMHz: 2619, gpuUtilizationPct: 57, memoryUtilizationPct: 34, framebufferUsedMiB: 40000, framebufferTotalMiB: 81559, eccVolatileUncorrected: 0, eccAggregateUncorrected: 0, remappedRowsPending: false, pcieReplayCounter: 0, clockEventReasons: [] }] }],
      events: (extra.events ?? [{ kind: 'xid', id: randomUUID(), at, gpu: 'GPU-a', pciBusId: '0000:10:00', xid: 79, message: 'GPU has fallen off the bus.' }]) as never,
    },
    key.privateKey,
  );
}

const ingest = (body: object) => s.app.inject({ method: 'POST', url: '/api/v1/ingest', payload: body });

describe('agent enrollment', () => {
  it('lets an agent with a valid token join the token\'s org, proving its key, and records its inventory', async () => {
    const key = generateSigningKey();
    const res = await enroll(enrollRequest(await newEnrollmentToken(), key));
    expect(res.statusCode).toBe(201);
    const { nodeId, orgId, samplingIntervalS } = res.json() as { nodeId: string; orgId: string; samplingIntervalS: number };
    expect(orgId).toBe('org-a');
    expect(samplingIntervalS).toBe(10);
    const inv = (await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${nodeId}/inventory`, headers: owner })).json() as { inventory: { hostname: string }; gpus: { uuid: string }[] };
    expect(inv.inventory.hostname).toBe('gpu-host-01');
    expect(inv.gpus.map((g) => g.uuid)).toEqual(['GPU-a']);
  });

  it('records the address the agent comes from, believing X-Forwarded-For only from a trusted proxy', async () => {
    const key = generateSigningKey();
    const forwarded = { 'x-forwarded-for': '198.51.100.1' };
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/agents/enroll', payload: enrollRequest(await newEnrollmentToken(), key), remoteAddress: '203.0.113.9', headers: forwarded });
    const { nodeId } = res.json() as { nodeId: string };
    const address = async (server = s, headers = owner) => ((await server.app.inject({ method: 'GET', url: `/api/v1/nodes/${nodeId}/inventory`, headers })).json() as { address: { ip: string; since: string } | null }).address;
    expect(await address()).toEqual({ ip: '203.0.113.9', since: s.clock.now().toISOString() });
    s.clock.advance(60_000);
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/ingest', payload: batch(key), remoteAddress: '203.0.113.9' })).statusCode).toBe(200);
    expect((await address())?.since).toBe(new Date(s.clock.now().getTime() - 60_000).toISOString());
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/ingest', payload: batch(key), remoteAddress: '2001:db8::7' })).statusCode).toBe(200);
    expect(await address()).toEqual({ ip: '2001:db8::7', since: s.clock.now().toISOString() });

    const behindProxy = await testServer(undefined, { trustProxy: ['127.0.0.1'] });
    try {
      const headers = await behindProxy.tokenFor('org-a', 'owner');
      const token = ((await behindProxy.app.inject({ method: 'POST', url: '/api/v1/enrollment-tokens', headers, payload: {} })).json() as { token: string }).token;
      const other = generateSigningKey();
      const body = signBody('enroll', { v: PROTOCOL_VERSION, token, hostKey: other.publicKey, name: 'behind-lb', claimedCountry: null, inventory: hostInventory([]), at: behindProxy.clock.now().toISOString() }, other.privateKey);
      const made = (await behindProxy.app.inject({ method: 'POST', url: '/api/v1/agents/enroll', payload: body, remoteAddress: '127.0.0.1', headers: forwarded })).json() as { nodeId: string };
      const seen = (await behindProxy.app.inject({ method: 'GET', url: `/api/v1/nodes/${made.nodeId}/inventory`, headers })).json() as { address: { ip: string } };
      expect(seen.address.ip).toBe('198.51.100.1');
    } finally {
      await behindProxy.close();
    }
  });

  it.each([
    ['a request signed by another key', (t: string, k: SigningKey) => ({ ...enrollRequest(t, generateSigningKey()), hostKey: k.publicKey }), 401, /not signed by the host key/],
    ['an unknown token', (_: string, k: SigningKey) => enrollRequest('locus_not-a-real-token', k), 401, /unknown, expired or used up/],
    ['a clock an hour off', (t: string, k: SigningKey) => enrollRequest(t, k, undefined, new Date(s.clock.now().getTime() - 3600_000)), 401, /fix the host's clock/],
  ])('refuses %s', async (_, make, status, message) => {
    const res = await enroll(make(await newEnrollmentToken(), generateSigningKey()));
    expect(res.statusCode).toBe(status);
    expect((res.json() as { message: string }).message).toMatch(message);
  });

  it("refuses a body of a protocol version the server does not read as such, saying which it reads, and takes the token's use from nobody", async () => {
    const newer = PROTOCOL_VERSION + 1;
    const refusal = { statusCode: 400, code: 'LOCUS_ERR_PROTO_VERSION', error: 'Bad Request', message: `the body is of protocol version ${newer}; this server reads version ${PROTOCOL_VERSION}: upgrade the server (servers first, then agents and landmarks)`, versions: [PROTOCOL_VERSION] };
    const token = await newEnrollmentToken();
    const key = generateSigningKey();
    // Its other members in a shape this server does not know either: the version is what is said.
    expect((await enroll({ ...enrollRequest(token, key), v: newer, attestation: 'x' })).json()).toEqual(refusal);
    expect((await enroll(enrollRequest(token, key))).statusCode).toBe(201);
    const leave = { v: newer, hostKey: key.publicKey, at: s.clock.now().toISOString() };
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/agents/unenroll', payload: signBody('unenroll', leave as never, key.privateKey) })).json()).toEqual(refusal);
    // A landmark's delivery with one measurement of a newer version: the whole delivery, as such;
    // kept on the landmark when its own key signed it, not when another key did (anyone may send).
    await s.registerLandmarks(LANDMARKS.map((l) => l.info));
    const [sin, tyo] = [LANDMARKS[0]!, LANDMARKS[1]!];
    const raised = (l: typeof sin, by = l.key) => signMeasurement({ ...measurementOf(l, key.publicKey, SINGAPORE, s.clock.now()).measurement, v: newer } as never, by.privateKey);
    const measurements = [measurementOf(sin, key.publicKey, SINGAPORE, s.clock.now()), raised(sin), raised(tyo, generateSigningKey())];
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/measurements', payload: { measurements } })).json()).toEqual(refusal);
    const operator = await s.tokenFor(DEFAULT_ORG, 'owner');
    const landmarks = ((await s.app.inject({ url: '/api/v1/landmarks/status', headers: operator })).json() as { landmarks: { id: string; refused: boolean; lastRefusal: unknown }[] }).landmarks;
    expect(landmarks.find((l) => l.id === sin.info.id)).toMatchObject({ refused: true, lastRefusal: { at: s.clock.now().toISOString(), code: 'LOCUS_ERR_PROTO_VERSION', message: refusal.message } });
    expect(landmarks.find((l) => l.id === tyo.info.id)).toMatchObject({ refused: false, lastRefusal: null });
    // A version this server reads, invalid otherwise, is refused by its schema; so is a version that is no number.
    expect((await enroll({ ...enrollRequest(token, key), attestation: 'x' })).json()).toMatchObject({ code: 'LOCUS_ERR_VALIDATION' });
    expect((await enroll({ ...enrollRequest(token, key), v: '2' })).json()).toMatchObject({ code: 'LOCUS_ERR_VALIDATION' });
    // A route that takes no protocol body does not speak of versions.
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/enrollment-tokens', headers: owner, payload: { v: newer } })).json()).toMatchObject({ code: 'LOCUS_ERR_VALIDATION' });
  });

  it('spends a token once, and not on a host key that is already enrolled', async () => {
    const key = generateSigningKey();
    const token = await newEnrollmentToken(2);
    expect((await enroll(enrollRequest(token, key))).statusCode).toBe(201);
    const again = await enroll(enrollRequest(token, key));
    expect(again.statusCode).toBe(409);
    expect((await enroll(enrollRequest(token, generateSigningKey()))).statusCode).toBe(201);
    expect((await enroll(enrollRequest(token, generateSigningKey()))).statusCode).toBe(401);
  });

  it('refuses an expired token', async () => {
    const token = await newEnrollmentToken();
    s.clock.advance(86_400_000 + 1);
    expect((await enroll(enrollRequest(token, generateSigningKey()))).statusCode).toBe(401);
  });

  it('notes a GPU that another node already reported (a copied identity or a moved board)', async () => {
    const first = (await enroll(enrollRequest(await newEnrollmentToken(), generateSigningKey()))).json() as { nodeId: string };
    const second = (await enroll(enrollRequest(await newEnrollmentToken(), generateSigningKey(), [{ uuid: 'GPU-z', serial: '1650000000001' }]))).json() as { nodeId: string };
    const events = (await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${second.nodeId}/events`, headers: owner })).json() as { events: { kind: string; body: { otherNode: string } }[] };
    expect(events.events).toEqual([expect.objectContaining({ kind: 'duplicate-gpu', body: expect.objectContaining({ otherNode: first.nodeId }) })]);
  });

  it('lets an agent leave with a signed request, after which its batches are refused', async () => {
    const key = generateSigningKey();
    await enroll(enrollRequest(await newEnrollmentToken(), key));
    const leave = signBody('unenroll', { v: PROTOCOL_VERSION, hostKey: key.publicKey, at: s.clock.now().toISOString() }, key.privateKey);
    const forged = signBody('unenroll', { v: PROTOCOL_VERSION, hostKey: key.publicKey, at: s.clock.now().toISOString() }, generateSigningKey().privateKey);
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/agents/unenroll', payload: forged })).statusCode).toBe(401);
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/agents/unenroll', payload: leave })).json()).toEqual({ unenrolled: true });
    expect((await ingest(batch(key))).statusCode).toBe(401);
    // Listed as the fleet summary counts it: left out unless asked for, and marked when it is.
    const staying = ((await enroll(enrollRequest(await newEnrollmentToken(), generateSigningKey()))).json() as { nodeId: string }).nodeId;
    const list = async (query: string) => (await s.app.inject({ method: 'GET', url: `/api/v1/nodes${query}`, headers: owner })).json() as { total: number; nodes: { id: string; hostKey: string; unenrolledAt: string | null }[] };
    expect((await list('')).nodes.map((n) => [n.id, n.unenrolledAt])).toEqual([[staying, null]]);
    expect((await list('?unenrolled=include')).total).toBe(2);
    const gone = (await list('?unenrolled=only')).nodes;
    expect(gone).toEqual([expect.objectContaining({ hostKey: key.publicKey, unenrolledAt: s.clock.now().toISOString() })]);
    expect((await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${gone[0]!.id}`, headers: owner })).json()).toMatchObject({ unenrolledAt: s.clock.now().toISOString() });
    expect(((await s.app.inject({ method: 'GET', url: '/api/v1/fleet/summary', headers: owner })).json() as { nodes: number }).nodes).toBe(1);
    expect((await s.app.inject({ method: 'GET', url: '/api/v1/nodes?unenrolled=yes', headers: owner })).statusCode).toBe(400);
  });
});

describe('agent ingest', () => {
  let key: SigningKey;
  let nodeId: string;
  beforeEach(async () => {
    key = generateSigningKey();
    nodeId = ((await enroll(enrollRequest(await newEnrollmentToken(), key))).json() as { nodeId: string }).nodeId;
  });

  it('stores a signed batch once: a resent batch id is acknowledged as a duplicate', async () => {
    const b = batch(key);
    expect((await ingest(b)).json()).toEqual({ batchId: b.batchId, duplicate: false, samples: 1, events: 1 });
    expect((await ingest(b)).json()).toEqual({ batchId: b.batchId, duplicate: true, samples: 0, events: 0 });
    const samples = (await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${nodeId}/samples?gpu=GPU-a`, headers: owner })).json() as { samples: { metrics: { temperatureC: number } }[] };
    expect(samples.samples.map((x) => x.metrics.temperatureC)).toEqual([61]);
    const events = (await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${nodeId}/events`, headers: owner })).json() as { events: { kind: string }[] };
    expect(events.events.map((e) => e.kind)).toEqual(['xid']);
  });

  it.each([
    ['samples alone', () => ({ events: [] })],
    ['an event', () => ({})],
  ])('refuses a batch (%s) of a node that another server on the database unenrolled after this one read it', async (_kind, extra) => {
    expect((await ingest(batch(key, randomUUID(), extra()))).statusCode).toBe(200);
    // As a replica would: this server read the node for the batch above and has not seen it leave.
    expect(await new NodeRepo(s.storage.db).unenroll(key.publicKey, s.clock.now().getTime())).toBe(true);
    const late = batch(key, randomUUID(), extra());
    // Refused by the batch's claim, then by the node read afresh.
    for (const body of [late, late, batch(key, randomUUID(), extra())]) {
      const res = await ingest(body);
      expect([res.statusCode, (res.json() as { code: string }).code]).toEqual([401, 'LOCUS_ERR_UNAUTHENTICATED']);
    }
    expect(await s.storage.db.selectFrom('ingest_batches').select('batch_id').where('node_id', '=', nodeId).execute()).toHaveLength(1);
  });

  it('counts an event already received (resent in another batch) once', async () => {
    const event = { kind: 'health', id: randomUUID(), at: s.clock.now().toISOString(), component: 'ecc', gpu: 'GPU-a', health: 'unhealthy', reason: '1 uncorrectable', suggestedAction: 'reset_gpu' };
    expect((await ingest(batch(key, randomUUID(), { events: [event] }))).json()).toMatchObject({ events: 1 });
    expect((await ingest(batch(key, randomUUID(), { events: [event] }))).json()).toMatchObject({ duplicate: false, events: 0 });
  });

  it.each([
    ['a batch signed by another key', () => ({ ...batch(generateSigningKey()), hostKey: key.publicKey }), 401],
    ['a batch from an unknown agent', () => batch(generateSigningKey()), 401],
    ['a tampered sample', () => { const b = structuredClone(batch(key)) as unknown as { samples: { gpus: { temperatureC: number }[] }[] }; b.samples[0]!.gpus[0]!.temperatureC = 20; return b; }, 401],
    ['an event of an unknown kind', () => batch(key, randomUUID(), { events: [{ kind: 'shell', id: randomUUID(), at: s.clock.now().toISOString(), cmd: 'reboot' }] }), 400],
  ])('refuses %s and stores nothing', async (_, make, status) => {
    expect((await ingest(make())).statusCode).toBe(status);
    expect(((await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${nodeId}/samples`, headers: owner })).json() as { samples: unknown[] }).samples).toEqual([]);
  });

  it("keeps one org's telemetry from another", async () => {
    await ingest(batch(key));
    const other = await s.tokenFor('org-b', 'owner');
    for (const suffix of ['inventory', 'samples', 'events']) {
      expect((await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${nodeId}/${suffix}`, headers: other })).statusCode, suffix).toBe(404);
    }
  });
});

import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyProof } from '@locus/proof';
import { PROTOCOL_VERSION, generateSigningKey, landmarkUserAgent, signMeasurement, toBase64url } from '@locus/protocol';
import { DEFAULT_ORG } from './config.js';
import { SERVER_ERRORS } from './errors.js';
import { CONTENT_SECURITY_POLICY } from './security-headers.js';
import { LANDMARKS, SHENZHEN, SINGAPORE, enrollAgent, hostInventory, landmark, measurementOf, testServer, world, type TestLandmark, type TestServer } from './test-support.js';

let s: TestServer;
let owner: { authorization: string };
beforeEach(async () => {
  s = await testServer();
  owner = await s.tokenFor('org-a', 'owner');
});
afterEach(async () => s.close());

const post = (url: string, payload: unknown, headers = owner) => s.app.inject({ method: 'POST', url, payload: payload as object, headers });
const get = (url: string, headers = owner) => s.app.inject({ method: 'GET', url, headers });

let operator: { authorization: string };
async function registerLandmarks() {
  operator = await s.tokenFor(DEFAULT_ORG, 'owner');
  for (const l of LANDMARKS) expect((await post('/api/v1/landmarks', l.info, operator)).statusCode).toBe(201);
}

async function enroll(name: string, claimedCountry: string, headers = owner) {
  const key = generateSigningKey();
  const res = await post('/api/v1/nodes', { name, hostKey: key.publicKey, claimedCountry }, headers);
  expect(res.statusCode).toBe(201);
  return { key, node: res.json() as { id: string } };
}

describe('the fleet server', () => {
  it('answers health and readiness, and publishes its OpenAPI document', async () => {
    expect((await get('/healthz')).json()).toEqual({ ok: true, protocolVersions: [PROTOCOL_VERSION] });
    expect((await get('/readyz')).json()).toEqual({ ok: true });
    const doc = (await get('/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/landmarks', '/api/v1/measurements', '/api/v1/nodes', '/api/v1/nodes/{id}/proof']));
  });

  it('describes the answer of every route in its OpenAPI document, but the streams and downloads that are not JSON', async () => {
    const doc = (await get('/openapi.json')).json() as { paths: Record<string, Record<string, { responses?: Record<string, { content?: unknown }> }>> };
    const undescribed = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, op]) => (Object.values(op.responses ?? {}).some((r) => r.content !== undefined) ? [] : [`${method.toUpperCase()} ${path}`])),
    );
    expect(undescribed.sort()).toEqual(['GET /api/v1/changes', 'GET /api/v1/fleet/metrics', 'GET /api/v1/reports/{id}', 'GET /api/v1/reports/{id}/signature']);
  });

  it('registers landmarks, and refuses to move one or change its key', async () => {
    await registerLandmarks();
    expect((await post('/api/v1/landmarks', LANDMARKS[0]!.info, operator)).statusCode).toBe(200);
    const moved = await post('/api/v1/landmarks', { ...LANDMARKS[0]!.info, lat: 22.3 }, operator);
    expect(moved.statusCode).toBe(409);
    expect(moved.json()).toMatchObject({ statusCode: 409, code: 'LOCUS_ERR_CONFLICT', error: 'Conflict', message: expect.stringMatching(/is registered with another key or place/) });
    // A new id with another landmark's key: the conflict is the key, and said so.
    const copied = await post('/api/v1/landmarks', { ...LANDMARKS[0]!.info, id: 'new-1' }, operator);
    expect(copied.statusCode).toBe(409);
    expect(copied.json()).toMatchObject({ code: 'LOCUS_ERR_CONFLICT', message: 'the public key of landmark "new-1" is another landmark\'s (revoked ones included): each landmark has a key of its own' });
    expect(((await get('/api/v1/landmarks')).json() as { landmarks: unknown[] }).landmarks).toHaveLength(4);
  });

  it("lets only the operator's organization register landmarks, which every organization's verdicts rest on", async () => {
    const tenant = await post('/api/v1/landmarks', LANDMARKS[0]!.info);
    expect(tenant.json()).toMatchObject({ statusCode: 403, code: 'LOCUS_ERR_FORBIDDEN', message: expect.stringMatching(/only the operator's organization \("default"\) registers them/) });
    expect(((await get('/api/v1/landmarks')).json() as { landmarks: unknown[] }).landmarks).toHaveLength(0);
  });

  it('turns measurements into a verdict and a proof that verifies offline', async () => {
    await registerLandmarks();
    const { key, node } = await enroll('sg-gpu-01', 'SG');
    const now = s.clock.now();
    const batch = LANDMARKS.map((l) => measurementOf(l, key.publicKey, SINGAPORE, new Date(now.getTime() - 60_000)));
    expect((await post('/api/v1/measurements', { measurements: batch }, {} as never)).json()).toEqual({ accepted: 4, duplicates: 0, rejected: [] });
    const verdict = (await get(`/api/v1/nodes/${node.id}/verdict`)).json() as { measurements: number; verdict: { restricted: string; claimed: string } };
    expect(verdict).toMatchObject({ measurements: 4, verdict: { restricted: 'excluded', claimed: 'SG' } });
    const proof = await get(`/api/v1/nodes/${node.id}/proof`);
    expect(proof.headers['content-disposition']).toMatch(/attachment; filename="locus-proof-/);
    expect(verifyProof(world, proof.json(), { trusted: LANDMARKS.map((l) => l.info) })).toMatchObject({ ok: true });
    expect(((await get(`/api/v1/nodes/${node.id}/verdicts`)).json() as { verdicts: unknown[] }).verdicts).toHaveLength(1);
  });

  it('never excludes a host in Shenzhen that claims Singapore and pads its delays', async () => {
    await registerLandmarks();
    const { key, node } = await enroll('sg-gpu-02', 'SG');
    const batch = LANDMARKS.map((l) => measurementOf(l, key.publicKey, SHENZHEN, s.clock.now(), 15));
    await post('/api/v1/measurements', { measurements: batch });
    const { verdict } = (await get(`/api/v1/nodes/${node.id}/verdict`)).json() as { verdict: { restricted: string; claim: string } };
    expect(verdict.restricted).not.toBe('excluded');
    expect(verdict.claim).not.toBe('verified');
  });

  it('counts a re-delivered measurement as a duplicate and refuses forged, stale and unknown ones one by one', async () => {
    await registerLandmarks();
    const host = (await enroll('dup-host', 'SG')).key.publicKey;
    const now = s.clock.now();
    const good = measurementOf(LANDMARKS[0]!, host, SINGAPORE, now);
    const forged = signMeasurement(measurementOf(LANDMARKS[1]!, host, SINGAPORE, now).measurement, generateSigningKey().privateKey);
    const stale = measurementOf(LANDMARKS[2]!, host, SINGAPORE, new Date(now.getTime() - 7 * 3600_000));
    const stranger = measurementOf(landmark('evil-1', 'SG', 1.3, 103.8), host, SINGAPORE, now);
    // Signed by a registered landmark, but of a key no node has: kept, anyone with fresh keys
    // could have the landmarks fill the store.
    const nobody = measurementOf(LANDMARKS[3]!, generateSigningKey().publicKey, SINGAPORE, now);
    expect((await post('/api/v1/measurements', { measurements: [good] })).json()).toMatchObject({ accepted: 1 });
    const res = (await post('/api/v1/measurements', { measurements: [good, forged, stale, stranger, nobody] })).json();
    expect(res).toEqual({
      accepted: 0,
      duplicates: 1,
      rejected: [
        { index: 1, code: 'LOCUS_ERR_MEASUREMENT_SIGNATURE', message: expect.any(String) },
        { index: 2, code: 'LOCUS_ERR_MEASUREMENT_STALE', message: expect.any(String) },
        { index: 3, code: 'LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK', message: expect.any(String) },
        { index: 4, code: 'LOCUS_ERR_MEASUREMENT_UNKNOWN_HOST', message: expect.stringMatching(/^no node has host key .*: enroll its agent, or register the node, first$/) },
      ],
    });
    expect(await s.storage.db.selectFrom('measurements').select('host_key').distinct().execute()).toEqual([{ host_key: host }]);
  });

  it("tells the operator when each landmark's newest stored measurement was taken, in its status and fleet metrics; a silent one has none", async () => {
    await registerLandmarks();
    const host = (await enroll('live-host', 'SG')).key.publicKey;
    const now = s.clock.now().getTime();
    const [first, second] = LANDMARKS;
    const at = (ms: number) => new Date(now - ms);
    // Delivered out of order (a spool's old ones after new ones): the newest stays.
    await post('/api/v1/measurements', { measurements: [measurementOf(first!, host, SINGAPORE, at(60_000))] });
    await post('/api/v1/measurements', { measurements: [measurementOf(first!, host, SINGAPORE, at(3_600_000))] });
    const { landmarks } = (await get('/api/v1/landmarks/status', operator)).json() as { landmarks: { id: string; lastMeasurementAt: string | null }[] };
    expect(landmarks.find((l) => l.id === first!.info.id)).toMatchObject({ lastMeasurementAt: at(60_000).toISOString() });
    expect(landmarks.find((l) => l.id === second!.info.id)).toMatchObject({ lastMeasurementAt: null, lastRefusal: null, refused: false });
    expect(landmarks).toHaveLength(LANDMARKS.length);
    // The second measures the first, calibrating (locus landmark calibrate): not stored, said so, and nothing wrong with the second.
    const calibration = (await post('/api/v1/measurements', { measurements: [measurementOf(second!, first!.info.publicKey, SINGAPORE, at(2000))] })).json();
    expect(calibration).toMatchObject({ accepted: 0, rejected: [{ index: 0, code: 'LOCUS_ERR_MEASUREMENT_UNKNOWN_HOST', message: `host key ${first!.info.publicKey} is landmark "${first!.info.id}"'s: a calibration between landmarks, not a node's measurement; not stored` }] });
    expect(((await get('/api/v1/landmarks/status', operator)).json() as { landmarks: { id: string }[] }).landmarks.find((l) => l.id === second!.info.id)).toMatchObject({ refused: false, lastRefusal: null });
    // The second measures a host no node has: refused, and its status says why it delivers nothing.
    await post('/api/v1/measurements', { measurements: [measurementOf(second!, generateSigningKey().publicKey, SINGAPORE, at(1000))] });
    const refused = ((await get('/api/v1/landmarks/status', operator)).json() as { landmarks: { id: string }[] }).landmarks.find((l) => l.id === second!.info.id);
    expect(refused).toMatchObject({ lastMeasurementAt: null, refused: true, lastRefusal: { at: new Date(now).toISOString(), code: 'LOCUS_ERR_MEASUREMENT_UNKNOWN_HOST', message: expect.stringMatching(/^no node has host key /) } });
    const metrics = (await get('/api/v1/fleet/metrics', operator)).body;
    expect(metrics).toContain(`locus_landmark_last_measurement_timestamp_seconds{landmark_id="${first!.info.id}",country="${first!.info.country}"} ${at(60_000).getTime() / 1000}`);
    expect(metrics).not.toContain(`locus_landmark_last_measurement_timestamp_seconds{landmark_id="${second!.info.id}"`);
    // When a landmark last measured anyone tells of every organization's hosts: not another organization's to read.
    expect((await get('/api/v1/landmarks/status')).json()).toMatchObject({ statusCode: 403, code: 'LOCUS_ERR_FORBIDDEN' });
    expect((await get('/api/v1/fleet/metrics')).body).not.toContain('locus_landmark_last_measurement_timestamp_seconds{');
  });

  it('keeps the Locus version a delivery names on the landmarks it stored measurements of, and no other', async () => {
    await registerLandmarks();
    const host = (await enroll('versioned-host', 'SG')).key.publicKey;
    const [first, second, third] = LANDMARKS;
    const versions = async () => Object.fromEntries(((await get('/api/v1/landmarks/status', operator)).json() as { landmarks: { id: string; version: string | null }[] }).landmarks.map((l) => [l.id, l.version]));
    const deliver = (measurements: unknown[], userAgent?: string) => s.app.inject({ method: 'POST', url: '/api/v1/measurements', payload: { measurements } as object, headers: userAgent === undefined ? {} : { 'user-agent': userAgent } });
    const fresh = (l: TestLandmark, ago = 0) => measurementOf(l, host, SINGAPORE, new Date(s.clock.now().getTime() - ago));
    const firstOne = fresh(first!);
    expect((await deliver([firstOne, fresh(second!)], landmarkUserAgent('0.1.0'))).json()).toMatchObject({ accepted: 2 });
    expect(await versions()).toMatchObject({ [first!.info.id]: '0.1.0', [second!.info.id]: '0.1.0', [third!.info.id]: null });
    // Nothing stored (a replay, a refused one), or no landmark's User-Agent: no version told.
    expect((await deliver([firstOne], landmarkUserAgent('6.6.6'))).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await deliver([measurementOf(third!, generateSigningKey().publicKey, SINGAPORE, s.clock.now())], landmarkUserAgent('6.6.6'))).json()).toMatchObject({ accepted: 0 });
    expect((await deliver([fresh(first!, 1000)], 'curl/8.5.0')).json()).toMatchObject({ accepted: 1 });
    expect(await versions()).toMatchObject({ [first!.info.id]: '0.1.0', [third!.info.id]: null });
    // Upgraded: its next delivery names the new version.
    expect((await deliver([fresh(first!, 2000)], landmarkUserAgent('0.2.0'))).json()).toMatchObject({ accepted: 1 });
    expect(await versions()).toMatchObject({ [first!.info.id]: '0.2.0', [second!.info.id]: '0.1.0' });
    const metrics = (await get('/api/v1/fleet/metrics', operator)).body;
    expect(metrics).toContain(`locus_landmark_version_info{landmark_id="${first!.info.id}",landmark="${first!.info.name}",country="${first!.info.country}",version="0.2.0"} 1`);
    expect(metrics).toContain(`locus_landmark_version_info{landmark_id="${third!.info.id}",landmark="${third!.info.name}",country="${third!.info.country}",version=""} 1`);
    expect((await get('/api/v1/fleet/metrics')).body).not.toContain('locus_landmark_version_info{');
  });

  it('says there is nothing to prove before any measurement', async () => {
    const { node } = await enroll('new', 'DE');
    expect((await get(`/api/v1/nodes/${node.id}/proof`)).json()).toMatchObject({ code: 'LOCUS_ERR_NOT_FOUND', message: /no measurements/ });
    expect((await get(`/api/v1/nodes/${node.id}/verdict`)).json()).toMatchObject({ measurements: 0, verdict: { restricted: 'possible' } });
    // Asking stored nothing: the node still has no verdict in lists and the summary.
    expect((await get(`/api/v1/nodes?q=new`)).json()).toMatchObject({ nodes: [{ name: 'new', verdict: null }] });
    expect(((await get('/api/v1/fleet/summary')).json() as { verdicts: { none: number; possible: number } }).verdicts).toMatchObject({ none: 1, possible: 0 });
    expect((await get(`/api/v1/nodes/${node.id}/verdicts`)).json()).toMatchObject({ verdicts: [] });
  });
});

describe('access control', () => {
  it('needs a known bearer token', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'Basic abc' }]) {
      const res = await get('/api/v1/nodes', headers as never);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'LOCUS_ERR_UNAUTHENTICATED' });
    }
  });

  it.each([
    ['viewer', 'POST', '/api/v1/nodes', 403],
    ['viewer', 'POST', '/api/v1/landmarks', 403],
    ['auditor', 'GET', '/api/v1/nodes', 403],
    ['auditor', 'GET', '/api/v1/landmarks', 200],
    ['viewer', 'GET', '/api/v1/nodes', 200],
  ] as const)('lets a %s %s %s: %d', async (role, method, url, status) => {
    const headers = await s.tokenFor('org-a', role);
    const payload = url.endsWith('nodes') ? { name: 'x', hostKey: generateSigningKey().publicKey } : LANDMARKS[0]!.info;
    const res = await s.app.inject(method === 'POST' ? { method, url, headers, payload } : { method, url, headers });
    expect(res.statusCode).toBe(status);
  });

  it("never shows one org's nodes, verdicts or proofs to another", async () => {
    await registerLandmarks();
    const { key, node } = await enroll('a-gpu', 'SG');
    await post('/api/v1/measurements', { measurements: LANDMARKS.map((l) => measurementOf(l, key.publicKey, SINGAPORE, s.clock.now())) });
    const other = await s.tokenFor('org-b', 'owner');
    expect(((await get('/api/v1/nodes', other)).json() as { nodes: unknown[] }).nodes).toEqual([]);
    for (const suffix of ['', '/verdict', '/verdicts', '/proof']) {
      const res = await get(`/api/v1/nodes/${node.id}${suffix}`, other);
      expect(res.statusCode, suffix).toBe(404);
    }
    expect((await post('/api/v1/nodes', { name: 'steal', hostKey: key.publicKey }, other)).statusCode).toBe(409);
  });
});

/** A node's body with its name in Latin-1: ü as the one byte 0xfc, which is no UTF-8. */
const latin1Node = (): Buffer => Buffer.from(JSON.stringify({ name: 'zürich-1', hostKey: generateSigningKey().publicKey }), 'latin1');

describe('bad requests', () => {
  it.each([
    ['malformed JSON', { payload: '{"name":', headers: { 'content-type': 'application/json' } }, 400, 'LOCUS_ERR_MALFORMED_JSON'],
    ['an unknown field', { payload: { name: 'x', hostKey: generateSigningKey().publicKey, extra: 1 } }, 400, 'LOCUS_ERR_VALIDATION'],
    ['a wrong type', { payload: { name: 5, hostKey: generateSigningKey().publicKey } }, 400, 'LOCUS_ERR_VALIDATION'],
    ['a malformed key', { payload: { name: 'x', hostKey: 'abc' } }, 400, 'LOCUS_ERR_VALIDATION'],
    ['an unknown country', { payload: { name: 'x', hostKey: generateSigningKey().publicKey, claimedCountry: 'sg' } }, 400, 'LOCUS_ERR_VALIDATION'],
    ['a body too large', { payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } }, 413, 'LOCUS_ERR_BODY_TOO_LARGE'],
    ['a body that is not JSON', { payload: 'name=x', headers: { 'content-type': 'text/plain' } }, 415, 'LOCUS_ERR_UNSUPPORTED_MEDIA'],
    ['a body in Latin-1, said to be', { payload: latin1Node(), headers: { 'content-type': 'application/json; charset=ISO-8859-1' } }, 415, 'LOCUS_ERR_UNSUPPORTED_MEDIA'],
    ['a body in Latin-1, said to be UTF-8', { payload: latin1Node(), headers: { 'content-type': 'application/json' } }, 400, 'LOCUS_ERR_MALFORMED_JSON'],
    ['a compressed body', { payload: gzipSync(JSON.stringify({ name: 'x', hostKey: generateSigningKey().publicKey })), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }, 415, 'LOCUS_ERR_UNSUPPORTED_MEDIA'],
    ['a body said to be compressed that is not', { payload: JSON.stringify({ name: 'x', hostKey: generateSigningKey().publicKey }), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }, 415, 'LOCUS_ERR_UNSUPPORTED_MEDIA'],
  ])('answers %s with a coded 4xx and writes nothing', async (_, req, status, code) => {
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/nodes', ...req, headers: { ...owner, ...(req as { headers?: object }).headers } });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ statusCode: status, code, error: expect.any(String), message: expect.any(String) });
    expect(((await get('/api/v1/nodes')).json() as { nodes: unknown[] }).nodes).toEqual([]);
  });

  it('says why a body is not taken as it was sent, and takes UTF-8 said as such or with no Content-Encoding', async () => {
    const headers = { ...owner, 'content-type': 'application/json' };
    const said = await s.app.inject({ method: 'POST', url: '/api/v1/nodes', payload: latin1Node(), headers: { ...headers, 'content-type': 'application/json;charset="latin1"' } });
    expect(said.json()).toMatchObject({ message: 'bodies are JSON in UTF-8: send Content-Type: application/json (this one says charset=latin1)' });
    const unsaid = await s.app.inject({ method: 'POST', url: '/api/v1/nodes', payload: latin1Node(), headers });
    expect(unsaid.json()).toMatchObject({ message: 'the body is not valid JSON: its bytes are not UTF-8; send JSON as UTF-8' });
    const zipped = await s.app.inject({ method: 'POST', url: '/api/v1/nodes', payload: gzipSync('{}'), headers: { ...headers, 'content-encoding': 'GZIP' } });
    expect(zipped.json()).toMatchObject({ message: 'this server takes bodies as they are: send this one without Content-Encoding (it says gzip)' });
    const taken = await s.app.inject({ method: 'POST', url: '/api/v1/nodes', payload: Buffer.from(JSON.stringify({ name: 'zürich-1', hostKey: generateSigningKey().publicKey }), 'utf8'), headers: { ...headers, 'content-type': 'application/json; charset=UTF-8', 'content-encoding': 'identity' } });
    expect(taken.statusCode).toBe(201);
    expect(((await get('/api/v1/nodes')).json() as { nodes: { name: string }[] }).nodes.map((n) => n.name)).toEqual(['zürich-1']);
  });

  it('refuses a country ISO 3166-1 does not assign (XX) wherever one is named: node, zone, landmark, enrollment', async () => {
    const refused = (res: { statusCode: number; json: () => unknown }) => {
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'LOCUS_ERR_VALIDATION', message: expect.stringMatching(/not an ISO 3166-1 alpha-2 country code/) });
    };
    refused(await post('/api/v1/nodes', { name: 'x', hostKey: generateSigningKey().publicKey, claimedCountry: 'XX' }));
    refused(await post('/api/v1/zones', { name: 'z', claimedCountry: 'XX' }));
    refused(await post('/api/v1/landmarks', { ...LANDMARKS[0]!.info, id: 'x-1', country: 'XX' }, await s.tokenFor(DEFAULT_ORG, 'owner')));
    await expect(enrollAgent(s, owner, { name: 'gpu-x', claimedCountry: 'XX', gpus: [] })).rejects.toThrow(/400 .*body claimedCountry: \\"XX\\" is not an ISO 3166-1 alpha-2 country code/);
    expect(((await get('/api/v1/nodes')).json() as { nodes: unknown[] }).nodes).toEqual([]);
    expect(((await get('/api/v1/zones')).json() as { zones: unknown[] }).zones).toEqual([]);
    // Kosovo's user-assigned XK is taken, as the CLI takes it.
    expect((await post('/api/v1/zones', { name: 'prn', claimedCountry: 'XK' })).statusCode).toBe(201);
  });

  it('refuses a name holding a control character wherever a name is given: zone, node, token, landmark, enrollment', async () => {
    const refused = (res: { statusCode: number; json: () => unknown }, unit: string) => {
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'LOCUS_ERR_VALIDATION', message: expect.stringMatching(new RegExp(`name: holds ${unit}, a control character, which a name may not hold`)) });
    };
    refused(await post('/api/v1/zones', { name: 'rack\u001b[2J' }), 'U\\+001B');
    refused(await post('/api/v1/nodes', { name: 'gpu\u202e1-a', hostKey: generateSigningKey().publicKey }), 'U\\+202E');
    refused(await post('/api/v1/tokens', { name: 'ci\nrole: owner', role: 'viewer' }), 'U\\+000A');
    refused(await post('/api/v1/landmarks', { ...LANDMARKS[0]!.info, id: 'x-1', name: 'fra\u0007' }), 'U\\+0007');
    await expect(enrollAgent(s, owner, { name: 'gpu\u009b1', claimedCountry: 'SG', gpus: [] })).rejects.toThrow(/400 .*body name: holds U\+009B/);
    expect(((await get('/api/v1/nodes')).json() as { nodes: unknown[] }).nodes).toEqual([]);
    expect(((await get('/api/v1/zones')).json() as { zones: unknown[] }).zones).toEqual([]);
    // Any other character may be in a name: accents, other scripts, emoji.
    expect((await post('/api/v1/zones', { name: 'Zürich 北京 \u{1F5A5} rack-1' })).json()).toMatchObject({ name: 'Zürich 北京 \u{1F5A5} rack-1' });
  });

  it('refuses a host key of small order, under which one signature verifies for every body, when an agent enrolls or a node is registered', async () => {
    const identity = toBase64url(Buffer.from('01'.padEnd(64, '0'), 'hex'));
    const universal = toBase64url(Buffer.from('58'.padEnd(64, '6') + '01'.padEnd(64, '0'), 'hex'));
    const { token } = (await post('/api/v1/enrollment-tokens', {})).json() as { token: string };
    const enroll = { v: PROTOCOL_VERSION, token, hostKey: identity, name: 'gpu-z', claimedCountry: 'SG', inventory: hostInventory([]), at: s.clock.now().toISOString(), signature: universal };
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/agents/enroll', payload: enroll });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'LOCUS_ERR_VALIDATION', message: expect.stringMatching(/hostKey: is not a usable Ed25519 key: it is a point of small order/) });
    expect((await post('/api/v1/nodes', { name: 'x', hostKey: identity })).json()).toMatchObject({ code: 'LOCUS_ERR_VALIDATION' });
    expect(((await s.app.inject({ method: 'GET', url: '/api/v1/nodes?unenrolled=include', headers: owner })).json() as { nodes: unknown[] }).nodes).toEqual([]);
  });

  it('takes a request with no body and a JSON Content-Type on a route that needs no body, and still refuses an empty body where one is needed', async () => {
    const json = { ...owner, 'content-type': 'application/json' };
    const token = (await post('/api/v1/tokens', { name: 'ci', role: 'viewer' })).json() as { id: string };
    expect((await s.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${token.id}`, headers: json })).statusCode).toBe(200);
    expect((await s.app.inject({ method: 'DELETE', url: '/api/v1/tokens/nope', headers: json })).json()).toMatchObject({ code: 'LOCUS_ERR_NOT_FOUND' });
    const empty = await s.app.inject({ method: 'POST', url: '/api/v1/nodes', headers: json });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'LOCUS_ERR_MALFORMED_JSON' });
  });

  it.each([
    ['a name', 'POST', '/api/v1/zones', '{"name":"rack\\u00001"}'],
    ['a field name', 'POST', '/api/v1/zones', '{"name":"rack","\\u0000":1}'],
    ['a filter', 'GET', '/api/v1/nodes?q=a%00b', undefined],
    ['an id', 'GET', '/api/v1/zones/a%00b', undefined],
  ])('refuses the NUL character in %s, which PostgreSQL cannot store, with a 400 on PGlite too', async (_, method, url, payload) => {
    const pg = await testServer('pglite:');
    try {
      const headers = { ...(await pg.tokenFor(DEFAULT_ORG, 'owner')), 'content-type': 'application/json' };
      const res = await pg.app.inject({ method: method as 'GET' | 'POST', url, headers, ...(payload === undefined ? {} : { payload }) });
      expect(res.json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION', message: expect.stringContaining('the NUL character') });
    } finally {
      await pg.close();
    }
  }, 60_000);

  it.each([
    ['a lone high surrogate', '{"name":"rack\\ud800-1"}', 'U+D800'],
    ['a lone low surrogate', '{"name":"rack\\uDC00-1"}', 'U+DC00'],
    ['a surrogate pair the wrong way round', '{"name":"\\ude00\\ud83d"}', 'U+DE00'],
    ['a lone surrogate in a field name', '{"name":"rack","\\ud83d":1}', 'U+D83D'],
  ])('refuses %s, which PostgreSQL would store as U+FFFD, with a 400 on PGlite too', async (_, payload, unit) => {
    const pg = await testServer('pglite:');
    try {
      const headers = { ...(await pg.tokenFor(DEFAULT_ORG, 'owner')), 'content-type': 'application/json' };
      const res = await pg.app.inject({ method: 'POST', url: '/api/v1/zones', headers, payload });
      expect(res.json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION', message: expect.stringContaining(`holds ${unit}, half of a UTF-16 surrogate pair`) });
      expect(((await pg.app.inject({ method: 'GET', url: '/api/v1/zones', headers })).json() as { zones: unknown[] }).zones).toEqual([]);
      const pair = await pg.app.inject({ method: 'POST', url: '/api/v1/zones', headers, payload: '{"name":"rack \\ud83d\\ude00 C:\\\\ud800"}' });
      expect(pair.statusCode).toBe(201);
      expect(pair.json()).toMatchObject({ name: 'rack \u{1F600} C:\\ud800' });
    } finally {
      await pg.close();
    }
  }, 60_000);

  it.each([
    ['"__proto__"', '{"name":"rack","__proto__":{"admin":true}}'],
    ['"__proto__" written with an escape', '{"name":"rack","\\u005f_proto__":{"admin":true}}'],
    ['"constructor" holding "prototype"', '{"name":"rack","constructor":{"prototype":{"admin":true}}}'],
  ])('refuses the key %s as a field no body has, not as JSON that is not valid', async (_, payload) => {
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/zones', payload, headers: { ...owner, 'content-type': 'application/json' } });
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION', message: expect.stringContaining('the key "__proto__", or "constructor" holding "prototype"') });
  });

  it('says where a body stops being JSON', async () => {
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/zones', payload: '{"name":"rack",}', headers: { ...owner, 'content-type': 'application/json' } });
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_MALFORMED_JSON', message: expect.stringMatching(/^the body is not valid JSON: .*position 15/) });
  });

  it('takes a backslash before "u0000", which is no NUL', async () => {
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/zones', payload: '{"name":"C:\\\\u0000"}', headers: { ...owner, 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'C:\\u0000' });
  });

  it.each([
    ['a parameter given twice', '/api/v1/nodes?limit=1&limit=2', /^querystring limit: given 2 times; give it once$/],
    ['a number that is not one', '/api/v1/nodes?limit=abc', /^querystring limit: must be a number$/],
    ['a misspelt filter, which would otherwise list every node', '/api/v1/nodes?helth=unhealthy', /^querystring: unknown parameter "helth"; this route takes q, zone, .*health/],
    ['a parameter on a route that takes none', '/api/v1/zones?limit=5', /^querystring: this route takes no parameters \(got "limit"\)$/],
    ['many unknown parameters, named five at most', `/api/v1/alerts?${Array.from({ length: 8 }, (_, i) => `x${i}=1`).join('&')}`, /"x4", … \(8 in all\); this route takes state, limit$/],
  ])('refuses %s in the query string', async (_, url, message) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'LOCUS_ERR_VALIDATION', message: expect.stringMatching(message) });
  });

  it('still answers a query string the route takes, and an unknown route with its 404 whatever its query', async () => {
    expect((await get('/api/v1/nodes?limit=5&health=unhealthy')).json()).toMatchObject({ nodes: [], limit: 5 });
    expect((await get('/api/v1/nope?x=1')).statusCode).toBe(404);
  });

  it('answers an unknown route with a coded 404', async () => {
    expect((await get('/api/v1/nope')).json()).toEqual({ statusCode: 404, code: 'LOCUS_ERR_NOT_FOUND', error: 'Not Found', message: 'no route GET /api/v1/nope' });
  });

  it('answers URLs the router refuses (an over-long id, broken percent-encoding) in the error envelope', async () => {
    expect((await get(`/api/v1/nodes/${'a'.repeat(500)}/region`)).json()).toMatchObject({ statusCode: 404, code: 'LOCUS_ERR_NOT_FOUND' });
    expect((await get('/api/v1/nodes/%E0%A4%A/region')).json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION' });
  });

  it('sends the security headers and a strict CSP with every answer', async () => {
    for (const res of [await get('/api/v1/nodes'), await get('/api/v1/nodes', {} as typeof owner), await get('/api/v1/nope')]) {
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
    }
  });

  it('uses only registered codes with their status', () => {
    for (const [code, e] of Object.entries(SERVER_ERRORS)) {
      expect(code).toMatch(/^LOCUS_ERR_[A-Z_]+$/);
      expect(e.statusCode).toBeGreaterThanOrEqual(400);
    }
  });
});

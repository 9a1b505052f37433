import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, generateSigningKey, signBody, type Json, type SigningKey } from '@locus/protocol';
import { apiErrorStatus } from '../../apps/server/src/errors.js';
import { enrollAgent, hostInventory, landmark, measurementOf, testServer, type TestServer } from '../../apps/server/src/test-support.js';
import { h100Readings } from '../support/ingest-batches.js';
import { recordFigures } from './figures.js';
import { fuzzRuns, mutated, withEdgeNumbers, within } from './fuzz-support.js';

/**
 * Every HTTP route, and the agent and landmark payloads in depth: whatever arrives, the answer
 * is a 2xx or a 4xx with a coded error envelope — never a 5xx, a hang, or a write left behind
 * by a refused request.
 */
const LANDMARKS = [landmark('sin-1', 'SG', 1.3521, 103.8198), landmark('tyo-1', 'JP', 35.6762, 139.6503)];
const cases: Record<string, number> = {};
const outcomes: Record<string, { accepted: number; refused: number }> = {};

let s: TestServer;
let owner: { authorization: string };
let headerChoices: Record<string, string>[];
let agent: { nodeId: string; key: SigningKey };
let ids: string[];
let totalRows: () => Promise<number>;

beforeAll(async () => {
  s = await testServer();
  owner = await s.tokenFor('org-a', 'owner');
  headerChoices = [owner, await s.tokenFor('org-a', 'auditor'), await s.tokenFor('org-a', 'viewer'), await s.tokenFor('org-b', 'admin'), {}, { authorization: 'Bearer locus_forged' }, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: '' }];
  await s.registerLandmarks(LANDMARKS.map((l) => l.info));
  agent = await enrollAgent(s, owner, { name: 'fuzz-node', claimedCountry: 'SG', gpus: [{ uuid: 'GPU-f', serial: '42' }] });
  const zone = (await s.app.inject({ method: 'POST', url: '/api/v1/zones', headers: owner, payload: { name: 'z' } })).json() as { id: string };
  ids = [agent.nodeId, zone.id, randomUUID(), 'sin-1'];
  const tables = (await s.storage.db.introspection.getTables()).map((t) => t.name).filter((t) => !t.startsWith('kysely_'));
  const query = sql.raw(`select ${tables.map((t) => `(select count(*) from "${t}")`).join(' + ')} as n`);
  totalRows = async () => Number(((await query.execute(s.storage.db)).rows[0] as { n: number }).n);
});
afterAll(async () => {
  recordFigures('fuzz-http', Object.fromEntries([...Object.entries(cases).map(([k, v]) => [`cases.${k}`, v]), ...Object.entries(outcomes).map(([k, v]) => [`accepted.${k}`, v.accepted])]));
  await s.close();
});

interface Request {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload?: string;
}

/** Sends one request and checks the invariant; returns whether it was accepted. */
async function check(target: string, r: Request): Promise<boolean> {
  cases[target] = (cases[target] ?? 0) + 1;
  const before = await totalRows();
  // The change stream stays open: its answer is taken at its headers, and the stream closed.
  const stream = r.method === 'GET' && /^\/api\/v1\/changes(\?|$)/.test(r.url);
  const sent = await within(10_000, `${r.method} ${r.url}`, s.app.inject({ method: r.method as 'GET', url: r.url, headers: r.headers, payloadAsStream: stream, ...(r.payload === undefined ? {} : { payload: r.payload }) }));
  let res: { readonly statusCode: number; readonly body: string; json(): unknown } = sent;
  if (stream) {
    if (sent.statusCode < 400) {
      expect(sent.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      sent.stream().destroy();
      (outcomes[target] ??= { accepted: 0, refused: 0 }).accepted++;
      return true;
    }
    let body = '';
    for await (const chunk of sent.stream()) body += String(chunk);
    res = { statusCode: sent.statusCode, body, json: () => JSON.parse(body) as unknown };
  }
  const what = `${r.method} ${r.url.slice(0, 300)} ${JSON.stringify(r.headers)} ${r.payload?.slice(0, 2000) ?? ''}\n→ ${res.statusCode} ${res.body.slice(0, 500)}`;
  expect(res.statusCode, what).toBeLessThan(500);
  const o = (outcomes[target] ??= { accepted: 0, refused: 0 });
  if (res.statusCode < 400) {
    o.accepted++;
    return true;
  }
  o.refused++;
  expect(await totalRows(), `a refused request wrote: ${what}`).toBe(before);
  // A HEAD answer has the status and headers of the GET, and no body.
  if (r.method === 'HEAD') return false;
  const body = res.json() as { statusCode: number; code: string; error: string; message: string };
  expect(body.statusCode, what).toBe(res.statusCode);
  // A code of the API's, with its status: SERVER_ERRORS, or a protocol code it answers with (a body of a protocol version it does not read).
  expect(apiErrorStatus(body.code), what).toBe(res.statusCode);
  expect(typeof body.message === 'string' && body.message.length > 0, what).toBe(true);
  return false;
}

const json = (value: unknown): string | undefined => (value === undefined ? undefined : JSON.stringify(value));
const withJson = (headers: Record<string, string>): Record<string, string> => ({ ...headers, 'content-type': 'application/json' });
const now = () => s.clock.now().toISOString();

/** Signs what the generator made if it can be signed (a mutated body may not be an object of JSON). */
function resign(purpose: 'ingest' | 'enroll', value: unknown, key: SigningKey): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  try {
    const { signature: _, ...body } = value as Record<string, Json>;
    return signBody(purpose, body, key.privateKey);
  } catch {
    return value;
  }
}

const validBatch = (key: SigningKey): Record<string, Json> => {
  const at = now();
  return signBody(
    'ingest',
    {
      v: PROTOCOL_VERSION,
      batchId: randomUUID(),
      hostKey: key.publicKey,
      sentAt: at,
      samples: [{ at, gpus: [h100Readings('GPU-f', 0.7) as unknown as Json] }],
      events: [
        { kind: 'xid', id: randomUUID(), at, gpu: 'GPU-f', pciBusId: '0000:10:00', xid: 79, message: 'GPU has fallen off the bus.' },
        { kind: 'health', id: randomUUID(), at, component: 'thermal', gpu: null, health: 'degraded', reason: 'hot', suggestedAction: 'none' },
        { kind: 'inventory', id: randomUUID(), at, inventory: hostInventory([{ uuid: 'GPU-f', serial: '42' }]) as unknown as Json },
      ],
    },
    key.privateKey,
  );
};

/** Bodies that each write route accepts, to mutate. */
const WRITE_BODIES: Record<string, () => object> = {
  'POST /api/v1/zones': () => ({ name: 'fuzz-zone', claimedCountry: 'SG' }),
  'PUT /api/v1/nodes/{id}/zone': () => ({ zoneId: ids[1]! }),
  'POST /api/v1/nodes': () => ({ name: 'fuzz-plain', hostKey: generateSigningKey().publicKey, claimedCountry: 'DE' }),
  'POST /api/v1/landmarks': () => landmark('fuzz-lm', 'DE', 50.1, 8.7).info,
  'POST /api/v1/mute-rules': () => ({ nodeId: agent.nodeId, durationS: 3600, reason: 'fuzz' }),
  'POST /api/v1/webhooks': () => ({ url: 'http://127.0.0.1:9/hook' }),
  'POST /api/v1/reports': () => ({ format: 'json' }),
  'POST /api/v1/tokens': () => ({ name: 'fuzz', role: 'viewer' }),
  'POST /api/v1/enrollment-tokens': () => ({ uses: 2 }),
};

const QUERY_KEYS = ['limit', 'from', 'to', 'state', 'range', 'format', 'gpu', 'kind', 'metric', 'resolution', 'before', 'after'];

describe('HTTP fuzzing', () => {
  it('answers every published route, whatever it is sent, with a 2xx or a coded 4xx and no partial write', async () => {
    const spec = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path: path as string })));
    expect(routes.length).toBeGreaterThan(30);
    const extra = ['/healthz', '/readyz', '/metrics', '/openapi.json', '/api/v1/nope', '/api/v2/nodes', '/%', '/api/v1/nodes/%E0%A4%A', '/api/v1/nodes/..%2f..%2fetc'].map((path) => ({ method: 'GET', path }));
    const request = fc.record({
      route: fc.constantFrom(...routes, ...extra),
      otherMethod: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'), { freq: 8 }),
      id: fc.oneof(fc.constantFrom(...ids), fc.uuid(), fc.string({ maxLength: 30 }), fc.constantFrom('', '0', '-1', 'null', '%00', '..', 'a'.repeat(5000))),
      query: fc.dictionary(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 8 })), fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())), { maxKeys: 4 }),
      headers: fc.constantFrom(...headerChoices),
      contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''),
      body: fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 }).map(json), fc.string({ maxLength: 200 }), fc.constantFrom('{', '[]', 'null', '{"a":', '\u0000', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}')),
      template: withEdgeNumbers(fc.constantFrom(...Object.values(WRITE_BODIES)).chain((make) => mutated(make()).map(json))),
      useTemplate: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(request, async (g) => {
        const method = g.otherMethod ?? g.route.method;
        const path = g.route.path.replace('{id}', encodeURIComponent(g.id));
        const search = new URLSearchParams(g.query).toString();
        const payload = method === 'GET' || method === 'HEAD' ? undefined : g.useTemplate ? g.template : g.body;
        const headers: Record<string, string> = { ...g.headers, ...(payload === undefined || g.contentType === '' ? {} : { 'content-type': g.contentType }) };
        await check('http-routes', { method, url: search ? `${path}?${search}` : path, headers, ...(payload === undefined ? {} : { payload }) });
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('refuses every malformed agent batch with a coded 4xx, storing none of it', async () => {
    const stranger = generateSigningKey();
    const batch = withEdgeNumbers(
      fc.tuple(fc.constantFrom(agent.key, stranger), fc.boolean(), fc.boolean()).chain(([key, sign, raw]) =>
        raw ? fc.string({ maxLength: 300 }) : mutated(validBatch(agent.key)).map((b) => json(sign ? resign('ingest', b, key) : b)),
      ),
    );
    await fc.assert(
      fc.asyncProperty(batch, async (payload) => {
        await check('agent-ingest', { method: 'POST', url: '/api/v1/ingest', headers: withJson({}), ...(payload === undefined ? {} : { payload }) });
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('refuses every malformed enrollment with a coded 4xx, creating no node', async () => {
    const token = ((await s.app.inject({ method: 'POST', url: '/api/v1/enrollment-tokens', headers: owner, payload: { uses: 100_000 } })).json() as { token: string }).token;
    const enroll = (key: SigningKey) => signBody('enroll', { v: PROTOCOL_VERSION, token, hostKey: key.publicKey, name: 'fuzz-enrolled', claimedCountry: 'DE', inventory: hostInventory([{ uuid: `GPU-${randomUUID()}`, serial: '7' }]) as unknown as Json, at: now() }, key.privateKey);
    const bodies = fc.tuple(fc.boolean(), fc.boolean()).chain(([sign, raw]) => {
      const key = generateSigningKey();
      return raw ? fc.string({ maxLength: 300 }) : mutated(enroll(key)).map((b) => json(sign ? resign('enroll', b, key) : b));
    });
    const body = withEdgeNumbers(bodies);
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        await check('agent-enroll', { method: 'POST', url: '/api/v1/agents/enroll', headers: withJson({}), ...(payload === undefined ? {} : { payload }) });
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('refuses every malformed landmark measurement with a coded 4xx, storing none of it', async () => {
    const signed = fc.constant(null).map(() => ({ measurements: LANDMARKS.map((l) => measurementOf(l, agent.key.publicKey, { lat: 1.3, lon: 103.8 }, s.clock.now())) }));
    const body = withEdgeNumbers(fc.oneof(signed.chain((v) => mutated(v)).map(json), fc.string({ maxLength: 300 })));
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        await check('landmark-measurements', { method: 'POST', url: '/api/v1/measurements', headers: withJson({}), ...(payload === undefined ? {} : { payload }) });
      }),
      { numRuns: fuzzRuns() },
    );
  });
});

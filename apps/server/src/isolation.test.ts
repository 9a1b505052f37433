import { get, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFigures } from '../../../test/reliability/figures.js';
import { landmark, measurementOf, enrollAgent, testServer, type TestServer } from './test-support.js';

/**
 * Organization isolation on every route the API publishes: a token of org B, with the highest
 * role, never reads or changes anything of org A's. A route added without a line here fails the
 * test, so that no route escapes it.
 */
const LANDMARKS = [landmark('sin-1', 'SG', 1.3521, 103.8198), landmark('tyo-1', 'JP', 35.6762, 139.6503), landmark('bom-1', 'IN', 19.076, 72.8777)];
const SHENZHEN = { lat: 22.54, lon: 114.06 };

let s: TestServer;
let a: { authorization: string };
let b: { authorization: string };
/** Org A's resources, and every string that would betray one of them in a response. */
const ids: Record<'node' | 'agentNode' | 'zone' | 'alert' | 'muteRule' | 'webhook' | 'delivery' | 'report' | 'token', string> = { node: '', agentNode: '', zone: '', alert: '', muteRule: '', webhook: '', delivery: '', report: '', token: '' };
let zoneB = '';
let secrets: string[] = [];
let auditor: { authorization: string };
const checked = { routes: 0, auditorWrites: 0 };

const call = (method: string, url: string, headers: { authorization: string }, payload?: object) =>
  s.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) });
const ok = async (method: string, url: string, payload?: object) => {
  const res = await call(method, url, a, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json() as Record<string, string>;
};

beforeAll(async () => {
  // Webhook receivers of these tests listen on loopback, which the operator allows here.
  s = await testServer('sqlite::memory:', { webhookAllow: ['127.0.0.1'] });
  a = await s.tokenFor('org-a', 'owner');
  b = await s.tokenFor('org-b', 'owner');
  auditor = await s.tokenFor('org-a', 'auditor');
  await s.registerLandmarks(LANDMARKS.map((l) => l.info));
  ids.zone = (await ok('POST', '/api/v1/zones', { name: 'a-zone-shenzhen', claimedCountry: 'SG' })).id!;
  const agent = await enrollAgent(s, a, { name: 'a-agent-node', claimedCountry: 'SG', zoneId: ids.zone, gpus: [{ uuid: 'GPU-a-secret', serial: '9990001' }] });
  ids.agentNode = agent.nodeId;
  ids.node = (await ok('POST', '/api/v1/nodes', { name: 'a-plain-node', hostKey: (await import('@locus/protocol')).generateSigningKey().publicKey, claimedCountry: 'SG' })).id!;
  await s.app.inject({ method: 'POST', url: '/api/v1/measurements', payload: { measurements: LANDMARKS.map((l) => measurementOf(l, agent.key.publicKey, SHENZHEN, s.clock.now())) } });
  const alerts = (await ok('GET', '/api/v1/alerts')) as unknown as { alerts: { id: string }[] };
  ids.alert = alerts.alerts[0]!.id;
  ids.muteRule = (await ok('POST', '/api/v1/mute-rules', { nodeId: ids.agentNode, durationS: 3600, reason: 'a-mute-reason' })).id!;
  ids.webhook = (await ok('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/a-hook-path' })).id!;
  ids.delivery = (await ok('POST', `/api/v1/webhooks/${ids.webhook}/test`)).id!;
  ids.report = (await ok('POST', '/api/v1/reports', { format: 'json' })).id!;
  ids.token = (await ok('POST', '/api/v1/tokens', { name: 'a-grafana-token', role: 'viewer' })).id!;
  zoneB = ((await call('POST', '/api/v1/zones', b, { name: 'b-zone' })).json() as { id: string }).id;
  secrets = [...Object.values(ids), 'a-zone-shenzhen', 'a-agent-node', 'a-plain-node', 'GPU-a-secret', '9990001', 'a-mute-reason', 'a-hook-path', 'a-grafana-token', agent.key.publicKey];
});
afterAll(async () => {
  // Figures for npm run test:reliability, which runs this file too.
  recordFigures('isolation', { routesChecked: checked.routes, auditorWriteRoutesRefused: checked.auditorWrites });
  await s.close();
});

type Case = { readonly kind: 'public' } | { readonly kind: 'read' } | { readonly kind: 'stream' } | { readonly kind: 'own' } | { readonly kind: 'absent'; readonly id: keyof typeof ids; readonly body?: () => object } | { readonly kind: 'refused'; readonly body: () => object; readonly status: number; readonly path?: string };

/** How org B's owner must fare on each route. */
const ROUTES: Record<string, Case> = {
  // Authenticated by signatures, not tokens: covered by their own tests.
  'POST /api/v1/measurements': { kind: 'public' },
  'POST /api/v1/agents/enroll': { kind: 'public' },
  'POST /api/v1/agents/unenroll': { kind: 'public' },
  'POST /api/v1/ingest': { kind: 'public' },
  'GET /.well-known/locus-report-key': { kind: 'public' },
  // Lists: answered, with nothing of A's in them.
  'GET /api/v1/landmarks': { kind: 'read' },
  'GET /api/v1/nodes': { kind: 'read' },
  'GET /api/v1/zones': { kind: 'read' },
  'GET /api/v1/fleet/summary': { kind: 'read' },
  'GET /api/v1/fleet/map': { kind: 'read' },
  'GET /api/v1/fleet/metrics': { kind: 'read' },
  'GET /api/v1/alerts': { kind: 'read' },
  'GET /api/v1/mute-rules': { kind: 'read' },
  'GET /api/v1/webhooks': { kind: 'read' },
  'GET /api/v1/reports': { kind: 'read' },
  'GET /api/v1/tokens': { kind: 'read' },
  'GET /api/v1/me': { kind: 'read' },
  // A stream that stays open: B's hears nothing of A's changes (below).
  'GET /api/v1/changes': { kind: 'stream' },
  // Creating B's own things works, and touches nothing of A's (a zone may share A's zone's name).
  'POST /api/v1/zones': { kind: 'own' },
  'POST /api/v1/webhooks': { kind: 'own' },
  'POST /api/v1/enrollment-tokens': { kind: 'own' },
  'POST /api/v1/reports': { kind: 'own' },
  'POST /api/v1/tokens': { kind: 'own' },
  // Naming A's things from B: refused as if they did not exist, or as a conflict for a host key.
  'POST /api/v1/nodes': { kind: 'refused', body: () => ({ name: 'steal', hostKey: secrets.at(-1)! }), status: 409 },
  'POST /api/v1/landmarks': { kind: 'refused', body: () => LANDMARKS[0]!.info, status: 403 },
  'DELETE /api/v1/landmarks/{id}': { kind: 'refused', body: () => ({}), status: 403, path: '/api/v1/landmarks/sin-1' },
  'GET /api/v1/landmarks/status': { kind: 'refused', body: () => ({}), status: 403 },
  'POST /api/v1/mute-rules': { kind: 'refused', body: () => ({ nodeId: ids.agentNode, durationS: 3600, reason: 'x' }), status: 404 },
  // Routes on one of A's resources: 404.
  'GET /api/v1/nodes/{id}': { kind: 'absent', id: 'agentNode' },
  'GET /api/v1/nodes/{id}/inventory': { kind: 'absent', id: 'agentNode' },
  'GET /api/v1/nodes/{id}/samples': { kind: 'absent', id: 'agentNode' },
  'GET /api/v1/nodes/{id}/events': { kind: 'absent', id: 'agentNode' },
  'GET /api/v1/nodes/{id}/telemetry': { kind: 'absent', id: 'agentNode' },
  'GET /api/v1/nodes/{id}/region': { kind: 'absent', id: 'agentNode' },
  'GET /api/v1/nodes/{id}/verdict': { kind: 'absent', id: 'agentNode' },
  'GET /api/v1/nodes/{id}/verdicts': { kind: 'absent', id: 'agentNode' },
  'GET /api/v1/nodes/{id}/proof': { kind: 'absent', id: 'agentNode' },
  'DELETE /api/v1/nodes/{id}/gpus/{uuid}': { kind: 'absent', id: 'agentNode' },
  'PUT /api/v1/nodes/{id}/zone': { kind: 'absent', id: 'node', body: () => ({ zoneId: zoneB }) },
  'GET /api/v1/zones/{id}': { kind: 'absent', id: 'zone' },
  'GET /api/v1/zones/{id}/telemetry': { kind: 'absent', id: 'zone' },
  'GET /api/v1/zones/{id}/regions': { kind: 'absent', id: 'zone' },
  'POST /api/v1/alerts/{id}/resolve': { kind: 'absent', id: 'alert' },
  'DELETE /api/v1/mute-rules/{id}': { kind: 'absent', id: 'muteRule' },
  'DELETE /api/v1/webhooks/{id}': { kind: 'absent', id: 'webhook' },
  'PATCH /api/v1/webhooks/{id}': { kind: 'absent', id: 'webhook', body: () => ({ groupWaitS: 60 }) },
  'GET /api/v1/webhooks/{id}/deliveries': { kind: 'absent', id: 'webhook' },
  'POST /api/v1/webhooks/{id}/test': { kind: 'absent', id: 'webhook' },
  'POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver': { kind: 'absent', id: 'webhook' },
  'GET /api/v1/reports/{id}': { kind: 'absent', id: 'report' },
  'GET /api/v1/reports/{id}/signature': { kind: 'absent', id: 'report' },
  'DELETE /api/v1/tokens/{id}': { kind: 'absent', id: 'token' },
};

const OWN_BODIES: Record<string, () => object> = {
  'POST /api/v1/zones': () => ({ name: 'a-zone-shenzhen' }),
  'POST /api/v1/webhooks': () => ({ url: 'http://127.0.0.1:9/b' }),
  'POST /api/v1/enrollment-tokens': () => ({}),
  'POST /api/v1/reports': () => ({ format: 'json' }),
  'POST /api/v1/tokens': () => ({ name: 'b-viewer', role: 'viewer' }),
};

/**
 * Every route that changes something, for the auditor role, which reads verdicts, proofs and
 * the reports others made, and changes nothing. Making a report is refused too: it would read
 * the live inventory.
 */
const AUDITOR_WRITES = Object.entries(ROUTES)
  .filter(([route, c]) => c.kind !== 'public' && c.kind !== 'stream' && !route.startsWith('GET '))
  .map(([route]) => route);

describe('organization isolation', () => {
  it('covers every published route', async () => {
    const spec = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const published = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(published.filter((r) => !(r in ROUTES))).toEqual([]);
    expect(Object.keys(ROUTES).filter((r) => !published.includes(r))).toEqual([]);
    checked.routes = published.length;
  });

  it.each(Object.entries(ROUTES).filter(([, c]) => c.kind !== 'public' && c.kind !== 'stream'))("keeps org A's data from org B on %s", async (route, c) => {
    const [method, pattern] = route.split(' ') as [string, string];
    const path = c.kind === 'absent' ? pattern.replace('{id}', ids[c.id]).replace('{uuid}', 'GPU-a-secret').replace('{deliveryId}', ids.delivery) : c.kind === 'refused' ? (c.path ?? pattern) : pattern;
    const body = c.kind === 'absent' ? c.body?.() : c.kind === 'refused' ? c.body() : c.kind === 'own' ? OWN_BODIES[route]!() : undefined;
    const res = await call(method, path, b, body);
    if (c.kind === 'absent') expect(res.json(), res.body).toMatchObject({ statusCode: 404, code: 'LOCUS_ERR_NOT_FOUND' });
    else if (c.kind === 'refused') expect(res.statusCode, res.body).toBe(c.status);
    else expect(res.statusCode, res.body).toBeLessThan(300);
    // B may hear back what it sent (an id in an error message); nothing else of A's.
    const sent = `${path} ${JSON.stringify(body ?? {})}`;
    for (const secret of secrets.filter((x) => !sent.includes(x))) expect(res.body, `${route} shows ${secret}`).not.toContain(secret);
  });

  it.each(AUDITOR_WRITES)("refuses org A's own auditor on %s", async (route) => {
    const c = ROUTES[route]!;
    const [method, pattern] = route.split(' ') as [string, string];
    const path = c.kind === 'absent' ? pattern.replace('{id}', ids[c.id]).replace('{deliveryId}', ids.delivery) : c.kind === 'refused' ? (c.path ?? pattern) : pattern;
    const body = c.kind === 'absent' ? (c.id === 'node' ? { zoneId: ids.zone } : c.body?.()) : c.kind === 'refused' ? c.body() : c.kind === 'own' ? OWN_BODIES[route]!() : undefined;
    const res = await call(method, path, auditor, body);
    expect(res.json(), res.body).toMatchObject({ statusCode: 403, code: 'LOCUS_ERR_FORBIDDEN' });
    checked.auditorWrites++;
  });

  it("tells org B's change stream nothing of org A's changes", async () => {
    const url = await s.app.listen({ host: '127.0.0.1', port: 0 });
    const res = await new Promise<IncomingMessage>((resolve, reject) => get(`${url}/api/v1/changes`, { headers: b }, resolve).on('error', reject));
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    expect(res.statusCode).toBe(200);
    // A's changes of every kind: a node put in its zone (again), and the rest told as the routes tell them.
    await ok('PUT', `/api/v1/nodes/${ids.agentNode}/zone`, { zoneId: ids.zone });
    for (const kind of ['alerts', 'verdicts', 'nodes', 'events'] as const) s.app.changes.publish('org-a', kind);
    await new Promise((r) => setTimeout(r, 500));
    res.destroy();
    expect(text).toMatch(/^retry: 5000\n\nevent: ready\n/);
    expect(text).not.toContain('event: change');
  });

  it("leaves every one of org A's things as it was", async () => {
    const nodes = (await ok('GET', '/api/v1/nodes')) as unknown as { nodes: { id: string; zoneId: string | null }[] };
    expect(nodes.nodes.map((n) => n.id).sort()).toEqual([ids.node, ids.agentNode].sort());
    expect(nodes.nodes.find((n) => n.id === ids.agentNode)?.zoneId).toBe(ids.zone);
    expect(nodes.nodes.find((n) => n.id === ids.node)?.zoneId).toBeNull();
    expect(((await ok('GET', `/api/v1/nodes/${ids.agentNode}/inventory`)) as unknown as { gpus: { uuid: string }[] }).gpus.map((g) => g.uuid)).toEqual(['GPU-a-secret']);
    expect(((await ok('GET', '/api/v1/alerts?state=firing')) as unknown as { alerts: { id: string }[] }).alerts.map((x) => x.id)).toContain(ids.alert);
    expect(((await ok('GET', '/api/v1/mute-rules')) as unknown as { rules: { id: string }[] }).rules.map((x) => x.id)).toEqual([ids.muteRule]);
    expect(((await ok('GET', '/api/v1/webhooks')) as unknown as { webhooks: { id: string; groupWaitS: number }[] }).webhooks.map((x) => [x.id, x.groupWaitS])).toEqual([[ids.webhook, 0]]);
    expect(((await ok('GET', '/api/v1/reports')) as unknown as { reports: { id: string }[] }).reports.map((x) => x.id)).toEqual([ids.report]);
    expect(((await ok('GET', '/api/v1/zones')) as unknown as { zones: { id: string }[] }).zones.map((x) => x.id)).toEqual([ids.zone]);
  });
});

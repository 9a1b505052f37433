import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, generateSigningKey, signBody } from '@locus/protocol';
import { enrollAgent, hostInventory, landmark, measurementOf, testServer, type TestServer } from './test-support.js';

const LANDMARKS = [landmark('sin-1', 'SG', 1.3521, 103.8198), landmark('tyo-1', 'JP', 35.6762, 139.6503), landmark('fra-1', 'DE', 50.1109, 8.6821), landmark('bom-1', 'IN', 19.076, 72.8777)];
const SINGAPORE = { lat: 1.3, lon: 103.8 };
const SHENZHEN = { lat: 22.54, lon: 114.06 };

let s: TestServer;
let owner: { authorization: string };
let auditor: { authorization: string };
const ids: Record<string, string> = {};

const get = async (url: string, headers = owner) => {
  const res = await s.app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
};
const names = async (query: string) => ((await get(`/api/v1/nodes?${query}`)).body.nodes as { name: string }[]).map((n) => n.name);

beforeAll(async () => {
  s = await testServer();
  owner = await s.tokenFor('org-a', 'owner');
  auditor = await s.tokenFor('org-a', 'auditor');
  await s.registerLandmarks(LANDMARKS.map((l) => l.info));
  const post = async (url: string, payload: object) => (await s.app.inject({ method: 'POST', url, headers: owner, payload })).json() as { id: string };
  ids.sg = (await post('/api/v1/zones', { name: 'ap-southeast', claimedCountry: 'SG' })).id;
  ids.empty = (await post('/api/v1/zones', { name: 'empty-zone', claimedCountry: 'DE' })).id;
  const measure = async (hostKey: string, at: { lat: number; lon: number }, padMs = 0) =>
    s.app.inject({ method: 'POST', url: '/api/v1/measurements', payload: { measurements: LANDMARKS.map((l) => measurementOf(l, hostKey, at, s.clock.now(), padMs)) } });
  const sg1 = await enrollAgent(s, owner, { name: 'sg-gpu-01', claimedCountry: 'SG', zoneId: ids.sg, gpus: [{ uuid: 'GPU-1', serial: '1' }, { uuid: 'GPU-2', serial: '2' }] });
  const sg7 = await enrollAgent(s, owner, { name: 'sg-gpu-07', claimedCountry: 'SG', zoneId: ids.sg, gpus: [{ uuid: 'GPU-7', serial: '7' }] });
  await measure(sg1.key.publicKey, SINGAPORE);
  await measure(sg7.key.publicKey, SHENZHEN, 10);
  const ingest = (events: object[]) =>
    s.app.inject({ method: 'POST', url: '/api/v1/ingest', payload: signBody('ingest', { v: PROTOCOL_VERSION, batchId: randomUUID(), hostKey: sg7.key.publicKey, sentAt: s.clock.now().toISOString(), samples: [], events: events as never }, sg7.key.privateKey) });
  const health = (state: string) => ({ kind: 'health', id: randomUUID(), at: s.clock.now().toISOString(), component: 'xid', gpu: 'GPU-7', health: state, reason: 'Xid 79', suggestedAction: 'reboot' });
  // sg-gpu-07's agent was upgraded: its inventory says so.
  const upgraded = { kind: 'inventory', id: randomUUID(), at: s.clock.now().toISOString(), inventory: hostInventory([{ uuid: 'GPU-7', serial: '7' }], '0.2.0') };
  expect((await ingest([health('degraded'), health('unhealthy'), upgraded])).statusCode).toBeLessThan(300);
  ids.sg1 = sg1.nodeId;
  ids.sg7 = sg7.nodeId;
  await s.app.inject({ method: 'POST', url: '/api/v1/nodes', headers: owner, payload: { name: 'Plain-Host', hostKey: generateSigningKey().publicKey, claimedCountry: 'DE' } });
});
afterAll(async () => s.close());

describe('GET /api/v1/nodes', () => {
  it("gives each node its GPU count, health, newest stored verdict and last report", async () => {
    const { body } = await get('/api/v1/nodes');
    expect(body).toMatchObject({ total: 3, offset: 0, limit: 500 });
    expect(body.nodes).toEqual([
      expect.objectContaining({ name: 'Plain-Host', zoneName: null, gpus: 0, health: 'unknown', verdict: null, lastReportAt: null, agentVersion: null }),
      expect.objectContaining({ name: 'sg-gpu-01', zoneName: 'ap-southeast', gpus: 2, health: 'healthy', verdict: expect.objectContaining({ restricted: 'excluded', claim: expect.any(String) }), lastReportAt: null, agentVersion: '0.1.0' }),
      expect.objectContaining({ name: 'sg-gpu-07', gpus: 1, health: 'unhealthy', verdict: expect.objectContaining({ restricted: 'possible' }), lastReportAt: s.clock.now().toISOString(), agentVersion: '0.2.0' }),
    ]);
  });

  it.each([
    ['q=GPU-0', ['sg-gpu-01', 'sg-gpu-07']],
    ['q=plain', ['Plain-Host']],
    ['verdict=possible', ['sg-gpu-07']],
    ['verdict=none', ['Plain-Host']],
    ['claim=none', ['Plain-Host']],
    ['health=unhealthy', ['sg-gpu-07']],
    ['health=healthy', ['sg-gpu-01']],
    ['country=DE', ['Plain-Host']],
    ['zone=none', ['Plain-Host']],
    ['agentVersion=0.1.0', ['sg-gpu-01']],
    ['agentVersion=0.2.0', ['sg-gpu-07']],
    ['agentVersion=none', ['Plain-Host']],
    ['agentVersion=0.2.0&health=healthy', []],
    ['sort=-name', ['sg-gpu-07', 'sg-gpu-01', 'Plain-Host']],
    ['sort=verdict', ['sg-gpu-07', 'Plain-Host', 'sg-gpu-01']],
    ['sort=health', ['sg-gpu-07', 'Plain-Host', 'sg-gpu-01']],
    ['offset=1&limit=1', ['sg-gpu-01']],
    ['q=nothing-like-this', []],
    ['q=%25', []],
    ['q=gpu-0&verdict=excluded', ['sg-gpu-01']],
    ['q=gpu&sort=-health', ['sg-gpu-01', 'sg-gpu-07']],
    ['q=gpu&sort=-lastMeasuredAt', ['sg-gpu-01', 'sg-gpu-07']],
    ['sort=-lastReportAt', ['sg-gpu-07', 'Plain-Host', 'sg-gpu-01']],
    ['sort=lastReportAt&limit=2', ['Plain-Host', 'sg-gpu-01']],
  ])('filters, sorts and pages on the server: %s', async (query, expected) => {
    expect(await names(query)).toEqual(expected);
  });

  it('filters by zone and counts every match, not just the page', async () => {
    const { body } = await get(`/api/v1/nodes?zone=${ids.sg}&limit=1`);
    expect(body).toMatchObject({ total: 2, limit: 1 });
    expect(body.nodes).toHaveLength(1);
  });

  it("refuses a zone that is not the organization's, which would list an empty fleet", async () => {
    const other = await s.tokenFor('org-b', 'owner');
    const theirs = (await s.app.inject({ method: 'POST', url: '/api/v1/zones', headers: other, payload: { name: 'elsewhere' } })).json() as { id: string };
    for (const zone of ['no-such-zone', theirs.id]) {
      const res = await get(`/api/v1/nodes?zone=${zone}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'LOCUS_ERR_VALIDATION', message: `querystring zone: no zone "${zone}" in this organization (or "none", for nodes in no zone)` });
    }
  });

  it.each(['verdict=maybe', 'health=fine', 'limit=0', 'limit=1001', 'offset=-1', 'sort=size', 'country=Germany', 'country=UK', 'country=XX', 'agentVersion=', `agentVersion=${'9'.repeat(65)}`])('refuses a malformed query: %s', async (query) => {
    expect((await get(`/api/v1/nodes?${query}`)).status).toBe(400);
  });
});

describe('GET /api/v1/fleet/map', () => {
  it("agrees with each zone's recomputed verdict, from stored verdicts, with the landmarks", async () => {
    const { body } = await get('/api/v1/fleet/map');
    const zone = (await get(`/api/v1/zones/${ids.sg}`)).body;
    const zones = body.zones as { id: string; restricted: string | null; claim: string | null; members: number; regions: { restricted: string; nodes: number; radiusKm: number | null }[] }[];
    expect(zones.find((z) => z.id === ids.sg)).toMatchObject({ members: 2, restricted: zone.restricted, claim: zone.claim });
    expect(zones.find((z) => z.id === ids.empty)).toMatchObject({ members: 0, restricted: null, claim: null, regions: [] });
    const regions = zones.find((z) => z.id === ids.sg)!.regions;
    expect(regions.map((r) => r.restricted).sort()).toEqual(['excluded', 'possible']);
    expect(regions.every((r) => r.nodes === 1 && r.radiusKm !== null && r.radiusKm > 0)).toBe(true);
    expect(body.verdicts).toEqual({ excluded: 1, possible: 1, certain: 0, none: 1 });
    expect((body.landmarks as { id: string }[]).map((l) => l.id).sort()).toEqual(['bom-1', 'fra-1', 'sin-1', 'tyo-1']);
  });

  it('is open to an auditor, who may not read the node list', async () => {
    expect((await get('/api/v1/fleet/map', auditor)).status).toBe(200);
    expect((await get('/api/v1/nodes', auditor)).status).toBe(403);
  });
});

describe('GET /api/v1/me', () => {
  it.each([
    ['owner', ['fleet:read', 'fleet:write', 'verdicts:read', 'landmarks:read', 'landmarks:write', 'reports:read', 'tokens:manage']],
    ['auditor', ['verdicts:read', 'landmarks:read', 'reports:read']],
  ] as const)('tells a %s token its role and what it may do', async (role, permissions) => {
    const { status, body } = await get('/api/v1/me', role === 'owner' ? owner : auditor);
    expect(status).toBe(200);
    expect(body).toMatchObject({ orgId: 'org-a', role, permissions, operator: false });
  });

  it("tells a token of the operator's organization that it is the operator's (it keeps the landmarks)", async () => {
    const { status, body } = await get('/api/v1/me', await s.tokenFor('default', 'viewer'));
    expect(status).toBe(200);
    expect(body).toMatchObject({ orgId: 'default', role: 'viewer', operator: true });
  });
});

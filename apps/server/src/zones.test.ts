import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKey } from '@locus/protocol';
import { LANDMARKS, SHENZHEN, SINGAPORE, measurementOf, serverWithLandmarks, type TestServer } from './test-support.js';

let s: TestServer;
let owner: { authorization: string };
beforeEach(async () => ({ s, owner } = await serverWithLandmarks()));
afterEach(async () => s.close());

const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, headers = owner) =>
  s.app.inject(payload === undefined ? { method, url, headers } : { method, url, headers, payload });

/** A node in the zone, measured as if it stood at `at` (adding `padMs` of delay). */
async function member(zoneId: string, name: string, at: { lat: number; lon: number }, padMs = 0): Promise<string> {
  const key = generateSigningKey();
  const node = (await call('POST', '/api/v1/nodes', { name, hostKey: key.publicKey, claimedCountry: 'SG' })).json() as { id: string };
  expect((await call('PUT', `/api/v1/nodes/${node.id}/zone`, { zoneId })).statusCode).toBe(200);
  await call('POST', '/api/v1/measurements', { measurements: LANDMARKS.map((l) => measurementOf(l, key.publicKey, at, s.clock.now(), padMs)) });
  return node.id;
}

async function zone(name: string): Promise<string> {
  const res = await call('POST', '/api/v1/zones', { name, claimedCountry: 'SG' });
  expect(res.statusCode).toBe(201);
  return (res.json() as { id: string }).id;
}

describe('compute zones', () => {
  it('are excluded when every member is, and then also when co-located', async () => {
    const id = await zone('ap-southeast');
    await member(id, 'sg-1', SINGAPORE);
    await member(id, 'sg-2', { lat: 1.35, lon: 103.75 });
    const v = (await call('GET', `/api/v1/zones/${id}`)).json() as { restricted: string; claim: string; members: unknown[]; ifColocated: { restricted: string }; outliers: string[] };
    expect(v).toMatchObject({ restricted: 'excluded', claim: 'consistent', ifColocated: { restricted: 'excluded' }, outliers: [] });
    expect(v.members).toHaveLength(2);
  });

  it("map each member's region and the co-located one, and a node's own with the landmark bounds that shape it", async () => {
    const id = await zone('ap-southeast');
    expect((await call('GET', `/api/v1/zones/${id}/regions`)).json()).toEqual({ members: [], ifColocated: null });
    const sg1 = await member(id, 'sg-1', SINGAPORE);
    await member(id, 'sg-2', { lat: 1.35, lon: 103.75 });
    const regions = await call('GET', `/api/v1/zones/${id}/regions`);
    expect(regions.statusCode).toBe(200);
    const polygon = { type: 'Feature', geometry: { type: 'Polygon', coordinates: expect.any(Array) }, properties: expect.objectContaining({ empty: false, whole: false, estimate: { lat: expect.any(Number), lon: expect.any(Number) } }) };
    expect(regions.json()).toEqual({ members: [expect.objectContaining({ name: 'sg-1', outline: polygon }), expect.objectContaining({ name: 'sg-2', outline: polygon })], ifColocated: polygon });
    const own = await call('GET', `/api/v1/nodes/${sg1}/region`);
    expect(own.statusCode).toBe(200);
    const { outline, landmarks } = own.json() as { outline: unknown; landmarks: { id: string; boundKm: number; minRttMs: number }[] };
    expect(outline).toEqual(polygon);
    expect(landmarks.map((l) => l.id).sort()).toEqual(LANDMARKS.map((l) => l.info.id).sort());
    for (const l of landmarks) expect(l.boundKm).toBeGreaterThan(0);
  });

  it("never take a node's verdict from its neighbours: one smuggled member makes the zone possible", async () => {
    const id = await zone('ap-southeast');
    await member(id, 'sg-1', SINGAPORE);
    await member(id, 'sg-2', { lat: 1.35, lon: 103.75 });
    const smuggled = await member(id, 'sg-7', SHENZHEN, 10);
    const v = (await call('GET', `/api/v1/zones/${id}`)).json() as { restricted: string; ifColocated: { restricted: string }; outliers: string[]; members: { nodeId: string; verdict: { restricted: string } }[] };
    expect(v.restricted).toBe('possible');
    expect(v.members.find((m) => m.nodeId === smuggled)!.verdict.restricted).toBe('possible');
    // Padded delays make Shenzhen look compatible with Singapore: co-located would exclude, which is why it is display only.
    expect(v.ifColocated.restricted).toBe('excluded');
    expect(v.outliers).toEqual([]);
    const list = (await call('GET', '/api/v1/zones')).json() as { zones: { name: string; restricted: string; members: number }[] };
    expect(list.zones).toEqual([expect.objectContaining({ name: 'ap-southeast', restricted: 'possible', members: 3 })]);
  });

  it('flag the member that cannot stand with the others', async () => {
    const id = await zone('ap-southeast');
    await member(id, 'sg-1', SINGAPORE);
    await member(id, 'sg-2', { lat: 1.35, lon: 103.75 });
    const elsewhere = await member(id, 'sg-3', { lat: 50.1, lon: 8.7 });
    const v = (await call('GET', `/api/v1/zones/${id}`)).json() as { ifColocated: { empty?: boolean }; outliers: string[]; claim: string };
    expect(v.ifColocated.empty).toBe(true);
    expect(v.outliers).toEqual([elsewhere]);
    expect(v.claim).toBe('contradicted');
  });

  it('refuse a second zone of the same name, an unknown zone, and other orgs', async () => {
    const id = await zone('eu-central');
    expect((await call('POST', '/api/v1/zones', { name: 'eu-central' })).statusCode).toBe(409);
    const node = (await call('POST', '/api/v1/nodes', { name: 'n', hostKey: generateSigningKey().publicKey })).json() as { id: string };
    expect((await call('PUT', `/api/v1/nodes/${node.id}/zone`, { zoneId: 'nope' })).statusCode).toBe(404);
    const other = await s.tokenFor('org-b', 'owner');
    expect((await call('GET', `/api/v1/zones/${id}`, undefined, other)).statusCode).toBe(404);
    expect((await call('PUT', `/api/v1/nodes/${node.id}/zone`, { zoneId: null }, other)).statusCode).toBe(404);
    expect(((await call('GET', '/api/v1/zones', undefined, other)).json() as { zones: unknown[] }).zones).toEqual([]);
  });
});

describe('the fleet summary', () => {
  it('counts nodes, verdicts and zones of the caller\'s org only', async () => {
    const id = await zone('ap-southeast');
    await member(id, 'sg-1', SINGAPORE);
    await member(id, 'sg-7', SHENZHEN, 10);
    await call('POST', '/api/v1/nodes', { name: 'idle', hostKey: generateSigningKey().publicKey });
    const summary = (await call('GET', '/api/v1/fleet/summary')).json();
    expect(summary).toMatchObject({ nodes: 3, verdicts: { excluded: 1, possible: 1, certain: 0, none: 1 }, zones: 1, gpus: { total: 0 } });
    const other = await s.tokenFor('org-b', 'owner');
    expect((await call('GET', '/api/v1/fleet/summary', undefined, other)).json()).toMatchObject({ nodes: 0, zones: 0 });
  });
});

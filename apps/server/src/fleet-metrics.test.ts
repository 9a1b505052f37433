import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, signBody, type SigningKey } from '@locus/protocol';
import { parseExposition } from '../../../test/support/prometheus.js';
import { LANDMARKS, SHENZHEN, SINGAPORE, enrollAgent, hostInventory, measurementOf, serverWithLandmarks, type TestServer } from './test-support.js';

let s: TestServer;
let owner: { authorization: string };
beforeEach(async () => ({ s, owner } = await serverWithLandmarks()));
afterEach(async () => {
  await s.close();
});

const call = (method: 'GET' | 'POST', url: string, headers: { authorization: string } | undefined, payload?: object) =>
  s.app.inject({ method, url, ...(headers ? { headers } : {}), ...(payload === undefined ? {} : { payload }) });
const measure = (key: SigningKey, at: { lat: number; lon: number }) => call('POST', '/api/v1/measurements', undefined, { measurements: LANDMARKS.map((l) => measurementOf(l, key.publicKey, at, s.clock.now())) });
const ingest = (key: SigningKey, events: object[]) =>
  call('POST', '/api/v1/ingest', undefined, signBody('ingest', { v: PROTOCOL_VERSION, batchId: randomUUID(), hostKey: key.publicKey, sentAt: s.clock.now().toISOString(), samples: [], events: events as never }, key.privateKey));

async function scrape(headers: { authorization: string }) {
  const res = await call('GET', '/api/v1/fleet/metrics', headers);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const { series, types } = parseExposition(res.body);
  /** A metric's samples, each its labels and its value. */
  const of = (name: string): Record<string, string | number>[] => (series.get(name) ?? []).map((x) => ({ ...x.label, value: x.value }));
  return { text: res.body, types, of };
}

describe('GET /api/v1/fleet/metrics', () => {
  it("exposes the org's nodes, zones, verdicts, GPU health, last batches and firing alerts as gauges, and nothing of another org", async () => {
    const zone = ((await call('POST', '/api/v1/zones', owner, { name: 'sg-1', claimedCountry: 'SG' })).json() as { id: string }).id;
    const honest = await enrollAgent(s, owner, { name: 'sg-honest', claimedCountry: 'SG', zoneId: zone, gpus: [{ uuid: 'GPU-h1', serial: 'S-h1' }, { uuid: 'GPU-h2', serial: 'S-h2' }] });
    const far = await enrollAgent(s, owner, { name: 'sg-far', claimedCountry: 'SG', zoneId: zone, gpus: [{ uuid: 'GPU-f1', serial: 'S-f1' }] });
    const quiet = await enrollAgent(s, owner, { name: 'unmeasured', gpus: [] });
    const gone = await enrollAgent(s, owner, { name: 'gone', gpus: [{ uuid: 'GPU-g1', serial: 'S-g1' }] });
    const other = await enrollAgent(s, await s.tokenFor('org-b', 'owner'), { name: 'b-secret-node', gpus: [{ uuid: 'GPU-b1', serial: 'S-b1' }] });
    expect((await measure(honest.key, SINGAPORE)).statusCode).toBe(200);
    expect((await measure(far.key, SHENZHEN)).statusCode).toBe(200);
    expect((await measure(other.key, SHENZHEN)).statusCode).toBe(200);
    s.clock.advance(5000);
    const health = { kind: 'health', id: randomUUID(), at: s.clock.now().toISOString(), component: 'xid', gpu: 'GPU-h2', health: 'unhealthy', reason: 'Xid 79', suggestedAction: 'reboot' };
    // Its agent upgraded: the inventory it sends says so.
    const upgraded = { kind: 'inventory', id: randomUUID(), at: s.clock.now().toISOString(), inventory: hostInventory([{ uuid: 'GPU-h1', serial: 'S-h1' }, { uuid: 'GPU-h2', serial: 'S-h2' }], '0.2.0') };
    expect((await ingest(honest.key, [health, upgraded])).statusCode).toBe(200);
    const batchAt = s.clock.now().getTime() / 1000;
    // A body of a newer agent's, signed by the quiet node's own key: refused, and kept on the node.
    const newer = signBody('ingest', { v: PROTOCOL_VERSION + 1, batchId: randomUUID(), hostKey: quiet.key.publicKey, sentAt: s.clock.now().toISOString(), samples: [], events: [] } as never, quiet.key.privateKey);
    expect((await call('POST', '/api/v1/ingest', undefined, newer)).statusCode).toBe(400);
    expect((await call('POST', '/api/v1/mute-rules', owner, { nodeId: far.nodeId, durationS: 3600, reason: 'moving racks' })).statusCode).toBe(201);
    // The zone's GPU health muted too (its site under maintenance): honest's Xid, through its zone.
    expect((await call('POST', '/api/v1/mute-rules', owner, { kind: 'gpu-health', zoneId: zone, durationS: 3600, reason: 'site maintenance' })).statusCode).toBe(201);
    const leave = signBody('unenroll', { v: PROTOCOL_VERSION, hostKey: gone.key.publicKey, at: s.clock.now().toISOString() }, gone.key.privateKey);
    expect((await call('POST', '/api/v1/agents/unenroll', undefined, leave)).statusCode).toBe(200);

    const { text, types, of } = await scrape(owner);
    expect(text).not.toMatch(/b-secret-node|GPU-b1|gone/);
    expect(text).not.toContain(other.nodeId);
    expect(types.get('locus_node_restricted')).toBe('gauge');
    const byNode = (name: string) => Object.fromEntries(of(name).map(({ node_id, value, ...rest }) => [String(node_id), Object.keys(rest).length ? { ...rest, value } : value]));
    expect(byNode('locus_node_info')).toEqual({
      [honest.nodeId]: { node: 'sg-honest', zone_id: zone, claimed_country: 'SG', agent_version: '0.2.0', value: 1 },
      [far.nodeId]: { node: 'sg-far', zone_id: zone, claimed_country: 'SG', agent_version: '0.1.0', value: 1 },
      [quiet.nodeId]: { node: 'unmeasured', zone_id: '', claimed_country: '', agent_version: '0.1.0', value: 1 },
    });
    expect(byNode('locus_node_restricted')).toEqual({ [honest.nodeId]: { state: 'excluded', value: 1 }, [far.nodeId]: { state: 'possible', value: 1 }, [quiet.nodeId]: { state: 'none', value: 1 } });
    const claimOf = async (nodeId: string) => ((await call('GET', `/api/v1/nodes/${nodeId}/verdict`, owner)).json() as { verdict: { claim: string } }).verdict.claim;
    expect(byNode('locus_node_claim')).toEqual({ [honest.nodeId]: { state: await claimOf(honest.nodeId), value: 1 }, [far.nodeId]: { state: await claimOf(far.nodeId), value: 1 }, [quiet.nodeId]: { state: 'none', value: 1 } });
    expect(Object.keys(byNode('locus_node_verdict_timestamp_seconds')).sort()).toEqual([honest.nodeId, far.nodeId].sort());
    expect(byNode('locus_node_verdict_measurements')).toEqual({ [honest.nodeId]: LANDMARKS.length, [far.nodeId]: LANDMARKS.length });
    expect(byNode('locus_node_feasible_radius_meters')[honest.nodeId]).toBeGreaterThan(1000);
    expect(of('locus_zone_info')).toEqual([{ zone_id: zone, zone: 'sg-1', claimed_country: 'SG', value: 1 }]);
    expect(of('locus_zone_members')).toEqual([{ zone_id: zone, value: 2 }]);
    // One honest member does not make the zone excluded: every member must be.
    expect(of('locus_zone_restricted')).toEqual([{ zone_id: zone, state: 'possible', value: 1 }]);
    expect(of('locus_node_gpus').sort((x, y) => `${x.node_id}${x.health}`.localeCompare(`${y.node_id}${y.health}`))).toEqual(
      [
        { node_id: honest.nodeId, health: 'healthy', value: 1 },
        { node_id: honest.nodeId, health: 'unhealthy', value: 1 },
        { node_id: far.nodeId, health: 'healthy', value: 1 },
      ].sort((x, y) => `${x.node_id}${x.health}`.localeCompare(`${y.node_id}${y.health}`)),
    );
    expect(byNode('locus_node_last_batch_timestamp_seconds')).toEqual({ [honest.nodeId]: batchAt });
    expect(byNode('locus_node_last_refused_batch_timestamp_seconds')).toEqual({ [quiet.nodeId]: batchAt });
    // The firing alerts as the API lists them, counted.
    const listed = ((await call('GET', '/api/v1/alerts?state=firing', owner)).json() as { alerts: { kind: string; severity: string; muted: unknown }[] }).alerts;
    const counted = new Map<string, number>();
    for (const a of listed) counted.set(`${a.kind} ${a.severity} ${a.muted !== null}`, (counted.get(`${a.kind} ${a.severity} ${a.muted !== null}`) ?? 0) + 1);
    expect(new Map(of('locus_alerts_firing').map((a) => [`${a.kind} ${a.severity} ${a.muted}`, a.value]))).toEqual(counted);
    expect(counted.get('gpu-health critical true')).toBe(1);
    expect(counted.get('gpu-health critical false')).toBeUndefined();
    expect([...counted.keys()].some((k) => k.endsWith(' true'))).toBe(true);
  });

  it('gives an auditor the verdicts alone, and refuses a caller without a token', async () => {
    const { nodeId, key } = await enrollAgent(s, owner, { name: 'sg-1', claimedCountry: 'SG', gpus: [{ uuid: 'GPU-1', serial: 'S-1' }] });
    await measure(key, SINGAPORE);
    await ingest(key, []);
    const { of } = await scrape(await s.tokenFor('org-a', 'auditor'));
    expect(of('locus_node_restricted')).toEqual([{ node_id: nodeId, state: 'excluded', value: 1 }]);
    for (const name of ['locus_node_gpus', 'locus_node_last_batch_timestamp_seconds', 'locus_node_last_refused_batch_timestamp_seconds', 'locus_alerts_firing']) expect(of(name)).toEqual([]);
    expect((await scrape(await s.tokenFor('org-a', 'viewer'))).of('locus_node_gpus')).toEqual([{ node_id: nodeId, health: 'healthy', value: 1 }]);
    const anonymous = await call('GET', '/api/v1/fleet/metrics', undefined);
    expect([anonymous.statusCode, (anonymous.json() as { code: string }).code]).toEqual([401, 'LOCUS_ERR_UNAUTHENTICATED']);
  });
});

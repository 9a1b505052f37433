import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKey, type SigningKey } from '@locus/protocol';
import { h100Readings, signedBatch } from '../../../test/support/ingest-batches.js';
import { reposOf } from './repos.js';
import { enrollAgent, landmark, measurementOf, testServer, type TestServer } from './test-support.js';

let s: TestServer;
let owner: { authorization: string };
let zoneId: string;
const agents: { nodeId: string; key: SigningKey }[] = [];
const GPUS = [
  { uuid: 'GPU-t1', serial: '1650000000101' },
  { uuid: 'GPU-t2', serial: '1650000000102' },
];
const MIN = 60_000;

beforeEach(async () => {
  s = await testServer();
  owner = await s.tokenFor('org-a', 'owner');
  zoneId = ((await s.app.inject({ method: 'POST', url: '/api/v1/zones', headers: owner, payload: { name: 'fra' } })).json() as { id: string }).id;
  agents.length = 0;
  agents.push(await enrollAgent(s, owner, { name: 'a', zoneId, gpus: GPUS }));
  agents.push(await enrollAgent(s, owner, { name: 'b', zoneId, gpus: [{ uuid: 'GPU-t3', serial: '1650000000103' }] }));
});
afterEach(async () => s.close());

/** Sends, from `agent`, one sample per GPU at each of these minutes before now, at a load of that many per cent. */
async function send(agent: { key: SigningKey }, uuids: readonly string[], minutesAgo: readonly number[]): Promise<{ duplicate: boolean; samples: number }> {
  const now = s.clock.now().getTime();
  const samples = minutesAgo.map((m) => ({ at: new Date(now - m * MIN).toISOString(), gpus: uuids.map((u) => h100Readings(u, m / 100, 0)) }));
  const res = await s.app.inject({ method: 'POST', url: '/api/v1/ingest', payload: signedBatch(agent.key, samples) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { duplicate: boolean; samples: number };
}

const get = async (url: string, status = 200) => {
  const res = await s.app.inject({ method: 'GET', url, headers: owner });
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as {
    resolution: string;
    stepS: number;
    from: string;
    to: string;
    series: { nodeId: string | null; gpu: string | null; points: { at: string; min: number; avg: number; max: number; count: number }[] }[];
    code?: string;
    message?: string;
  };
};
/** Each series as [node a or b, GPU, points as [min, avg, max, count]], by node name (ids are random). */
const pointsOf = (series: Awaited<ReturnType<typeof get>>['series']) =>
  series.map((x) => [x.nodeId === agents[0]!.nodeId ? 'a' : x.nodeId === null ? null : 'b', x.gpu, x.points.map((p) => [p.min, p.avg, p.max, p.count])]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));

describe('GPU telemetry', () => {
  it('serves what agents sent per GPU, per node and per zone, from raw samples over short ranges', async () => {
    await send(agents[0]!, ['GPU-t1', 'GPU-t2'], [3, 2]);
    await send(agents[1]!, ['GPU-t3'], [2]);
    const node = agents[0]!.nodeId;
    const perGpu = await get(`/api/v1/nodes/${node}/telemetry?metric=gpuUtilizationPct&step=3600`);
    expect(perGpu).toMatchObject({ resolution: 'raw', stepS: 3600, to: s.clock.now().toISOString(), from: new Date(s.clock.now().getTime() - 3600_000).toISOString() });
    expect(pointsOf(perGpu.series)).toEqual([
      ['a', 'GPU-t1', [[2, 2.5, 3, 2]]],
      ['a', 'GPU-t2', [[2, 2.5, 3, 2]]],
    ]);
    expect(pointsOf((await get(`/api/v1/nodes/${node}/telemetry?metric=gpuUtilizationPct&step=3600&by=node&gpu=GPU-t2`)).series)).toEqual([['a', null, [[2, 2.5, 3, 2]]]]);
    expect(pointsOf((await get(`/api/v1/zones/${zoneId}/telemetry?metric=gpuUtilizationPct&step=3600`)).series)).toEqual([
      ['a', null, [[2, 2.5, 3, 4]]],
      ['b', null, [[2, 2, 2, 1]]],
    ]);
    expect(pointsOf((await get(`/api/v1/zones/${zoneId}/telemetry?metric=gpuUtilizationPct&step=3600&by=zone`)).series)).toEqual([[null, null, [[2, 2.4, 3, 5]]]]);
    // Without a step: about 200 points over the last hour, 30 s each; without a metric: temperature.
    const fine = await get(`/api/v1/nodes/${node}/telemetry?gpu=GPU-t1`);
    expect([fine.stepS, fine.series[0]!.points.map((p) => p.max)]).toEqual([30, [h100Readings('x', 0.03, 0).temperatureC, h100Readings('x', 0.02, 0).temperatureC]]);
  });

  it('answers long ranges from the 5-minute rollups, and keeps them when raw samples expire', async () => {
    await send(agents[0]!, ['GPU-t1'], [50, 40, 9, 8]);
    const url = `/api/v1/nodes/${agents[0]!.nodeId}/telemetry?metric=gpuUtilizationPct&from=${new Date(s.clock.now().getTime() - 86_400_000).toISOString()}&to=${s.clock.now().toISOString()}`;
    const rolled = await get(url);
    expect([rolled.resolution, rolled.stepS]).toEqual(['5m', 600]);
    expect(rolled.series[0]!.points.map((p) => [p.min, p.max, p.count])).toEqual([[50, 50, 1], [40, 40, 1], [8, 9, 2]]);
    s.clock.advance(8 * 86_400_000);
    const run = await s.app.retention.run(10_000);
    expect(run).toMatchObject({ samples: 4, rollups: 0, passDone: true });
    // A late batch 8 days old waits for the next pass, at most 5 minutes away.
    await send(agents[0]!, ['GPU-t1'], [8 * 1440]);
    expect(await s.app.retention.run(10_000)).toMatchObject({ samples: 0, passDone: false });
    s.clock.advance(5 * MIN);
    expect(await s.app.retention.run(10_000)).toMatchObject({ samples: 1, passDone: true });
    expect(((await get(`/api/v1/nodes/${agents[0]!.nodeId}/samples`)) as unknown as { samples: unknown[] }).samples).toEqual([]);
    expect((await get(url)).series[0]!.points).toEqual(rolled.series[0]!.points);
    s.clock.advance(400 * 86_400_000);
    expect(await s.app.retention.run(10_000)).toMatchObject({ samples: 0, rollups: 4, passDone: true });
  });

  it('deletes landmark measurements and verdict history past their retention at every run, a chunk a statement, keeping the verdict window whatever is set', async () => {
    const short = await testServer('sqlite::memory:', { measurementRetentionMs: 30 * 86_400_000, retentionChunkRows: 2 });
    try {
      const { repos, l, key, now } = await oneLandmark(short, 'sin-r');
      const DAY = 86_400_000;
      for (const age of [45 * DAY, 40 * DAY, 31 * DAY, 30 * DAY - 2 * MIN, 29 * DAY, 3600_000]) await repos.measurements.insertNew([measurementOf(l, key.publicKey, { lat: 1.3, lon: 103.8 }, new Date(now - age))], now);
      // A node's verdict history goes with them, its newest kept.
      const owner = await short.tokenFor('org-a', 'owner');
      const node = (await short.app.inject({ method: 'POST', url: '/api/v1/nodes', headers: owner, payload: { name: 'sg-r', hostKey: key.publicKey } })).json<{ id: string }>().id;
      const record = { claimed: null, claim: null, restricted: 'excluded' as const, possibleCountries: ['SG'], areaKm2: 1, radiusKm: 1, estimate: null, countryEstimate: 'SG' };
      for (const age of [40 * DAY, 35 * DAY]) await repos.verdicts.insert({ id: `v-${age}`, nodeId: node, computedAt: now - age, measurements: 1, record, notes: [] });
      expect(await short.app.retention.run(10_000)).toMatchObject({ measurements: 3, verdicts: 1, passDone: true });
      expect((await repos.measurements.forHost(key.publicKey, 0)).length).toBe(3);
      expect((await repos.verdicts.history(node)).map((v) => v.id)).toEqual([`v-${35 * DAY}`]);
      // Within the 5 minutes after a pass began (no pass over nodes), a run still deletes the measurements come of age.
      short.clock.advance(3 * MIN);
      expect(await short.app.retention.run(10_000)).toMatchObject({ measurements: 1, passDone: false });
      short.clock.advance(2 * DAY);
      expect(await short.app.retention.run(10_000)).toMatchObject({ measurements: 1 });
    } finally {
      await short.close();
    }
    // Set shorter than the 6-hour window verdicts use, retention keeps that window.
    const tiny = await testServer('sqlite::memory:', { measurementRetentionMs: 60_000 });
    try {
      const { repos, l, key, now } = await oneLandmark(tiny, 'sin-t');
      for (const ageH of [7, 5]) await repos.measurements.insertNew([measurementOf(l, key.publicKey, { lat: 1.3, lon: 103.8 }, new Date(now - ageH * 3600_000))], now);
      expect(await tiny.app.retention.run(10_000)).toMatchObject({ measurements: 1 });
    } finally {
      await tiny.close();
    }
  });

  it('acknowledges a batch sent twice without counting its samples twice', async () => {
    const now = s.clock.now().getTime();
    const batch = signedBatch(agents[0]!.key, [{ at: new Date(now - MIN).toISOString(), gpus: [h100Readings('GPU-t1', 0.5, 0)] }]);
    for (const duplicate of [false, true]) {
      const res = await s.app.inject({ method: 'POST', url: '/api/v1/ingest', payload: batch });
      expect(res.json()).toMatchObject({ duplicate });
    }
    const rolled = await get(`/api/v1/nodes/${agents[0]!.nodeId}/telemetry?metric=gpuUtilizationPct&resolution=5m`);
    expect(rolled.series[0]!.points.map((p) => p.count)).toEqual([1]);
  });

  it('keeps the samples route as the dashboard reads it', async () => {
    await send(agents[0]!, ['GPU-t1'], [1]);
    const { samples } = (await get(`/api/v1/nodes/${agents[0]!.nodeId}/samples?gpu=GPU-t1`)) as unknown as { samples: { gpu: string; at: string; metrics: object }[] };
    const { uuid: _, ...metrics } = h100Readings('GPU-t1', 0.01, 0);
    expect(samples).toEqual([{ gpu: 'GPU-t1', at: new Date(s.clock.now().getTime() - MIN).toISOString(), metrics }]);
  });

  it.each([
    ['an unknown metric', 'metric=nonsense', /metric/],
    ['a range that ends before it starts', 'from=2026-11-29T12:00:00.000Z&to=2026-11-29T11:00:00.000Z', /before/],
    ['too many points', 'from=2026-11-01T00:00:00.000Z&to=2026-11-29T00:00:00.000Z&step=300', /^querystring step: 300 s over 28 days makes 8064 points a series, and a query gets at most 2000; ask for step=1210 \(seconds\) or more$/],
    ['raw samples over four weeks', 'from=2026-11-01T00:00:00.000Z&to=2026-11-29T00:00:00.000Z&step=3600&resolution=raw', /^querystring resolution: raw samples are read over at most 24 h, and from … to spans 28 days;/],
    ['a step of zero', 'step=0', /step/],
  ])('refuses %s', async (_, query, message) => {
    const body = await get(`/api/v1/nodes/${agents[0]!.nodeId}/telemetry?${query}`, 400);
    expect(body).toMatchObject({ code: 'LOCUS_ERR_VALIDATION' });
    expect(body.message).toMatch(message);
  });

  it('shows auditors no live telemetry, and other organizations nothing', async () => {
    const auditor = await s.tokenFor('org-a', 'auditor');
    expect((await s.app.inject({ method: 'GET', url: `/api/v1/zones/${zoneId}/telemetry`, headers: auditor })).statusCode).toBe(403);
    const other = await s.tokenFor('org-b', 'owner');
    expect((await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${agents[0]!.nodeId}/telemetry`, headers: other })).json()).toMatchObject({ code: 'LOCUS_ERR_NOT_FOUND' });
  });
});

/** A landmark in Singapore registered on `server`, a host key for it to measure, and the server's time. */
async function oneLandmark(server: TestServer, id: string) {
  const l = landmark(id, 'SG', 1.35, 103.82);
  await server.registerLandmarks([l.info]);
  return { repos: reposOf(server.storage), l, key: generateSigningKey(), now: server.clock.now().getTime() };
}

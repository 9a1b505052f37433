import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignedMeasurement } from '@locus/protocol';
import { openSqliteKysely } from '@locus/storage';
import type { HttpAnswer, Poster } from '../../apps/agent/src/client.js';
import { startAgent } from '../../apps/agent/src/daemon.js';
import { runLocus } from '../../apps/cli/src/test-support.js';
import { startDelivery, type DeliveryEvent } from '../../apps/landmark/src/delivery.js';
import { enrollAgent, landmark, measurementOf, testServer, type TestServer } from '../../apps/server/src/test-support.js';
import { recordFigures, scaled } from './figures.js';

/**
 * The server away for a long simulated time (the clock is injected): the agent's outbox stays
 * within its bound, drops only the oldest samples (never an event while a sample is left), and
 * delivers the rest when the server returns; a landmark's queue likewise keeps the newest
 * measurements, drops the oldest and says how many, and delivers the rest.
 */
const figures: Record<string, number> = {};
afterAll(() => recordFigures('outage', figures));

let s: TestServer;
let owner: { authorization: string };
let up = true;
beforeEach(async () => {
  s = await testServer();
  owner = await s.tokenFor('org-a', 'owner');
  up = true;
});
afterEach(async () => s.close());

/** POSTs into the server in-process while it is up; refuses to connect while it is down. */
const answerOf = async (url: string, body: string, headers: Record<string, string>): Promise<HttpAnswer> => {
  if (!up) throw new Error('connect ECONNREFUSED 127.0.0.1:443');
  const res = await s.app.inject({ method: 'POST', url: new URL(url).pathname, headers, payload: body });
  return { ok: res.statusCode < 300, status: res.statusCode, headers: { get: (n: string) => (res.headers[n.toLowerCase()] as string | undefined) ?? null }, text: async () => res.body };
};
const poster: Poster = (url, init) => answerOf(url, init.body, init.headers);

const fileBytes = (dir: string): number => readdirSync(dir).filter((f) => f.startsWith('outbox.db')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

describe('a long server outage', () => {
  it('keeps the agent outbox within its bound, drops only the oldest samples, and delivers the rest on return', async () => {
    const MAX_QUEUE = scaled(2_000, 400);
    const TICKS = scaled(6_000, 1_000);
    const INTERVAL_MS = 60_000;
    const stateDir = mkdtempSync(join(tmpdir(), 'locus-outage-agent-'));
    const { nodeId, key } = await enrollAgent(s, owner, { name: 'outage', gpus: [{ uuid: 'GPU-x', serial: '1' }] });
    let t = s.clock.now().getTime();
    const lines: string[] = [];
    const agent = await startAgent({
      stateDir,
      enrollment: { server: 'http://locus.test', nodeId, orgId: 'org-a', enrolledAt: s.clock.now().toISOString(), samplingIntervalS: 60 },
      key,
      simulate: '8xH100',
      intervalMs: 2_000_000_000,
      maxQueue: MAX_QUEUE,
      now: () => new Date(t),
      fetch: poster,
      random: () => 0.5,
      log: (l) => lines.push(l),
    });
    try {
      // A first tick delivered: the inventory and the first sample.
      await agent.tick();
      await agent.flush();
      expect(await agent.outbox.size()).toEqual({ samples: 0, events: 0 });
      up = false;
      let maxItems = 0;
      let maxBytes = 0;
      const sampleTimes: number[] = [];
      for (let i = 0; i < TICKS; i++) {
        t += INTERVAL_MS;
        s.clock.advance(INTERVAL_MS);
        // GPU faults while the server is away: events that must survive the drops.
        if (i === Math.floor(TICKS / 4)) expect((await runLocus(['agent', 'inject-fault', 'xid=79', 'gpu=3', '--simulate', '8xH100', '--state-dir', stateDir])).code).toBe(0);
        if (i === Math.floor(TICKS / 2)) expect((await runLocus(['agent', 'inject-fault', 'thermal', 'gpu=1', '--simulate', '8xH100', '--state-dir', stateDir])).code).toBe(0);
        await agent.tick();
        sampleTimes.push(t);
        if (i % 50 === 0) await agent.flush();
        const size = await agent.outbox.size();
        maxItems = Math.max(maxItems, size.samples + size.events);
        if (i % 50 === 0) maxBytes = Math.max(maxBytes, fileBytes(stateDir));
      }
      const queued = await agent.outbox.size();
      const dropped = agent.outbox.dropped;
      expect(queued.events).toBeGreaterThanOrEqual(3);
      // The policy: the bound holds; only samples went, the oldest, exactly as many as were over it.
      expect(maxItems).toBeLessThanOrEqual(MAX_QUEUE);
      expect(dropped.events).toBe(0);
      expect(dropped.samples).toBe(TICKS + queued.events - MAX_QUEUE);
      expect(lines.some((l) => l.startsWith('outbox full: dropped'))).toBe(true);
      // Disk: the items' own size plus SQLite's pages and one WAL's worth, whatever the outage's length.
      const reader = openSqliteKysely<unknown>(join(stateDir, 'outbox.db'));
      const itemBytes = Number((await sql<{ n: number }>`select max(length(body)) as n from outbox`.execute(reader)).rows[0]!.n);
      await reader.destroy();
      const diskBound = MAX_QUEUE * itemBytes * 3 + 8 * 1024 * 1024;
      expect(maxBytes).toBeLessThan(diskBound);

      up = true;
      await agent.flush();
      expect(await agent.outbox.size()).toEqual({ samples: 0, events: 0 });
      const events = ((await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${nodeId}/events?limit=10000`, headers: owner })).json() as { events: { kind: string }[] }).events;
      expect(events.filter((e) => e.kind === 'xid')).toHaveLength(1);
      const rows = (await sql<{ at: number }>`select distinct g.at from gpu_samples g join gpu_series s on s.id = g.series_id where s.node_id = ${nodeId}`.execute(s.storage.db)).rows;
      const stored = new Set(rows.map((r) => Number(r.at)));
      // The newest samples all arrived; the dropped ones are the oldest.
      const kept = sampleTimes.slice(dropped.samples);
      expect(kept.filter((x) => !stored.has(x)).map((x) => sampleTimes.indexOf(x)), `${kept.length} kept, ${stored.size} stored`).toEqual([]);
      expect(sampleTimes.slice(0, dropped.samples).some((x) => stored.has(x))).toBe(false);
      figures['agent.maxQueue'] = MAX_QUEUE;
      figures['agent.outageHours'] = Math.round((TICKS * INTERVAL_MS) / 3600_000);
      figures['agent.maxQueued'] = maxItems;
      figures['agent.droppedSamples'] = dropped.samples;
      figures['agent.droppedEvents'] = dropped.events;
      figures['agent.deliveredAfter'] = kept.length + queued.events;
      figures['agent.maxOutboxMiB'] = Math.round((maxBytes / 1024 / 1024) * 10) / 10;
      figures['agent.outboxBoundMiB'] = Math.round((diskBound / 1024 / 1024) * 10) / 10;
    } finally {
      await agent.stop();
    }
  });

  it("keeps a landmark's newest measurements within its queue bound, says what it dropped, and delivers the rest", async () => {
    const MAX_QUEUE = scaled(1_000, 200);
    const MEASUREMENTS = MAX_QUEUE * 3;
    const BATCH = 50;
    const lm = landmark('out-1', 'DE', 50.11, 8.68);
    await s.registerLandmarks([lm.info]);
    const host = (await enrollAgent(s, owner, { name: 'measured', gpus: [{ uuid: 'GPU-m', serial: '2' }] })).key.publicKey;
    const events: DeliveryEvent[] = [];
    // More measurements arrive while the server is slow to answer the first batch after the outage.
    let release: (() => void) | undefined;
    let slow = false;
    const doFetch = (async (url: string, init: { body: string; headers: Record<string, string> }) => {
      if (slow) await new Promise<void>((r) => (release = r));
      const a = await answerOf(url, init.body, init.headers);
      return { ok: a.ok, status: a.status, text: a.text } as Response;
    }) as unknown as typeof fetch;
    const delivery = startDelivery({ server: 'http://locus.test', batchSize: BATCH, maxQueue: MAX_QUEUE, backoff: { initialMs: 1, maxMs: 2 }, fetch: doFetch, random: () => 0.5, onEvent: (e) => events.push(e) });
    const sent: SignedMeasurement[] = [];
    const measureOne = () => {
      s.clock.advance(2_000);
      const m = measurementOf(lm, host, { lat: 50.1, lon: 8.7 }, s.clock.now());
      sent.push(m);
      delivery.enqueue(m);
    };
    try {
      up = false;
      for (let i = 0; i < MEASUREMENTS; i++) measureOne();
      expect(delivery.pending()).toBe(MAX_QUEUE);
      up = true;
      slow = true;
      const flushing = delivery.flush();
      while (!release) await new Promise((r) => setTimeout(r, 1));
      for (let i = 0; i < 10; i++) measureOne();
      slow = false;
      release();
      await flushing;
      for (let i = 0; i < 100 && delivery.pending() > 0; i++) await delivery.flush();
      expect(delivery.pending()).toBe(0);
      const droppedCount = events.filter((e) => e.kind === 'dropped').reduce((n, e) => n + e.count, 0);
      const delivered = events.filter((e) => e.kind === 'delivered').reduce((n, e) => n + e.count, 0);
      // Nothing unaccounted for, and what was dropped is exactly the oldest.
      expect(delivered + droppedCount).toBe(sent.length);
      const rows = await s.storage.db.selectFrom('measurements').select('nonces_hash').execute();
      const have = new Set(rows.map((r) => r.nonces_hash));
      const missing = sent.map((m, i) => (have.has(m.measurement.noncesHash) ? -1 : i)).filter((i) => i >= 0);
      expect(missing.length, `${have.size} stored, ${droppedCount} dropped`).toBe(droppedCount);
      // The dropped are old ones: the newest the queue holds beside a batch in flight all arrived.
      expect(missing.every((i) => i < sent.length - (MAX_QUEUE - BATCH))).toBe(true);
      figures['landmark.maxQueue'] = MAX_QUEUE;
      figures['landmark.measured'] = sent.length;
      figures['landmark.dropped'] = droppedCount;
      figures['landmark.delivered'] = delivered;
    } finally {
      delivery.close();
    }
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { PROTOCOL_VERSION, generateSigningKey, signBody, wireText, type SigningKey } from '@locus/protocol';
import { openStorage } from '@locus/storage';
import { hostInventory } from '../../apps/server/src/test-support.js';
import { h100Readings, signedBatch } from '../support/ingest-batches.js';
import { freshDatabaseSpec } from '../support/storage-backends.js';
import { recordFigures, scaled } from './figures.js';
import { freePort, sleep, spawnServer, type ServerProcess } from './processes.js';

/**
 * The server killed with SIGKILL at random moments while 100+ agents deliver batches, and
 * restarted on the same database: every batch it acknowledged is stored exactly once, and every
 * batch it stored is whole (all its samples and its event, or none).
 */
const AGENTS = scaled(200, 100);
const BATCHES = scaled(8, 3);
const KILLS = scaled(8, 3);
const SAMPLES_PER_BATCH = 3;
const GPUS = 2;
/** Longest pause before each batch: the deliveries span about the time KILLS kills and restarts take. */
const PACE_MS = (KILLS * 3_000) / BATCHES;
const TOKEN = `locus_crash-${randomUUID()}`;
const figures: Record<string, number> = {};
afterAll(() => recordFigures('crash-server', figures));

interface Agent {
  readonly key: SigningKey;
  nodeId: string;
  readonly batches: { readonly body: string; readonly batchId: string; readonly eventId: string; readonly times: readonly number[] }[];
}

function makeAgent(index: number, start: number): Agent {
  const key = generateSigningKey();
  const gpus = Array.from({ length: GPUS }, (_, g) => `GPU-${index}-${g}`);
  const batches = Array.from({ length: BATCHES }, (_, b) => {
    const times = Array.from({ length: SAMPLES_PER_BATCH }, (_, k) => start + (b * SAMPLES_PER_BATCH + k) * 10_000);
    const at = new Date(times.at(-1)!).toISOString();
    const eventId = randomUUID();
    const batch = signedBatch(
      key,
      times.map((t) => ({ at: new Date(t).toISOString(), gpus: gpus.map((u) => h100Readings(u, (t % 7) / 7)) })),
      [{ kind: 'health', id: eventId, at, component: 'thermal', gpu: gpus[0]!, health: b % 2 ? 'healthy' : 'degraded', reason: `batch ${b}`, suggestedAction: null }],
      at,
    );
    // Half the agents send the wire text (signature checked on the bytes), half another layout (re-encoded).
    return { body: index % 2 === 0 ? wireText(batch) : JSON.stringify(batch), batchId: batch.batchId, eventId, times };
  });
  return { key, nodeId: '', batches };
}

/** Delivers each batch until it is acknowledged, as the agent's outbox does: same body, same id. */
async function deliver(url: string, agent: Agent, acked: Map<string, boolean>, refusedAtLeastOnce: Set<string>): Promise<void> {
  for (const b of agent.batches) {
    // Agents send at their own pace, spread over the time the kills take.
    await sleep(Math.random() * PACE_MS);
    for (let attempt = 0; ; attempt++) {
      if (attempt > 3000) throw new Error(`batch ${b.batchId} never acknowledged`);
      try {
        const res = await fetch(`${url}/api/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b.body, signal: AbortSignal.timeout(15_000) });
        const text = await res.text();
        if (res.status === 200) {
          acked.set(b.batchId, (JSON.parse(text) as { duplicate: boolean }).duplicate);
          break;
        }
        if (res.status !== 429 && res.status < 500) throw new Error(`batch ${b.batchId}: ${res.status} ${text}`);
        refusedAtLeastOnce.add(b.batchId);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('batch ')) throw error;
        refusedAtLeastOnce.add(b.batchId);
      }
      await sleep(30 + Math.random() * 200);
    }
  }
}

async function enroll(url: string, agents: readonly Agent[]): Promise<void> {
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const { token } = (await (await fetch(`${url}/api/v1/enrollment-tokens`, { method: 'POST', headers: auth, body: JSON.stringify({ uses: agents.length }) })).json()) as { token: string };
  for (const [i, a] of agents.entries()) {
    const body = signBody('enroll', { v: PROTOCOL_VERSION, token, hostKey: a.key.publicKey, name: `crash-${i}`, claimedCountry: 'DE', inventory: hostInventory([{ uuid: `GPU-${i}-0`, serial: `${i}0` }]), at: new Date().toISOString() }, a.key.privateKey);
    const res = await fetch(`${url}/api/v1/agents/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`enroll ${i}: ${res.status} ${await res.text()}`);
    a.nodeId = ((await res.json()) as { nodeId: string }).nodeId;
  }
}

const backends = ['sqlite', ...(inject('postgresUrl') ? ['postgres'] : [])] as const;

describe.each(backends)('the server killed with SIGKILL during ingest (%s)', (backend) => {
  it(`loses no acknowledged batch, stores none twice and none in part (${AGENTS} agents, ${KILLS} kills)`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'locus-crash-'));
    const spec = backend === 'sqlite' ? `sqlite:${join(dataDir, 'locus.db')}` : await freshDatabaseSpec('postgres');
    const env = { LOCUS_DATA_DIR: dataDir, LOCUS_PORT: String(await freePort()), LOCUS_ADMIN_TOKEN: TOKEN, ...(backend === 'postgres' ? { LOCUS_DATABASE_URL: spec } : {}) };
    let server: ServerProcess = await spawnServer(env);
    const url = server.url;
    const start = Date.parse(new Date().toISOString()) - 3600_000;
    const agents = Array.from({ length: AGENTS }, (_, i) => makeAgent(i, start));
    const acked = new Map<string, boolean>();
    const refused = new Set<string>();
    let kills = 0;
    try {
      await enroll(url, agents);
      let delivering = true;
      const deliveries = Promise.all(agents.map((a) => deliver(url, a, acked, refused))).finally(() => (delivering = false));
      // Kills at random moments, each while batches are in flight; the server comes back on the same port and database.
      while (kills < KILLS && delivering) {
        await sleep(200 + Math.random() * 800);
        if (!delivering) break;
        await server.kill();
        kills++;
        await sleep(Math.random() * 300);
        server = await spawnServer(env);
      }
      await deliveries;
    } finally {
      await server.stop();
    }

    const storage = await openStorage(spec);
    try {
      const stored = new Set((await storage.db.selectFrom('ingest_batches').select('batch_id').execute()).map((r) => r.batch_id));
      const events = (await sql<{ id: string; n: number }>`select id, count(*) as n from events group by id`.execute(storage.db)).rows;
      const eventCount = new Map(events.map((e) => [e.id, Number(e.n)]));
      const samples = (await sql<{ node_id: string; at: number }>`select s.node_id, g.at from gpu_samples g join gpu_series s on s.id = g.series_id`.execute(storage.db)).rows;
      const samplesAt = new Map<string, number>();
      for (const r of samples) samplesAt.set(`${r.node_id}@${Number(r.at)}`, (samplesAt.get(`${r.node_id}@${Number(r.at)}`) ?? 0) + 1);
      let lost = 0;
      let duplicates = 0;
      let partial = 0;
      for (const a of agents) {
        for (const b of a.batches) {
          const isStored = stored.has(b.batchId);
          if (acked.has(b.batchId) && !isStored) lost++;
          const ev = eventCount.get(b.eventId) ?? 0;
          const counts = b.times.map((t) => samplesAt.get(`${a.nodeId}@${t}`) ?? 0);
          if (ev > 1 || counts.some((c) => c > GPUS)) duplicates++;
          // Whole or nothing: a stored batch has its event and every GPU's every sample; an unstored one has none.
          const whole = ev === 1 && counts.every((c) => c === GPUS);
          const none = ev === 0 && counts.every((c) => c === 0);
          if (isStored ? !whole : !none) partial++;
        }
      }
      const key = (name: string) => `${backend}.${name}`;
      figures[key('agents')] = AGENTS;
      figures[key('kills')] = kills;
      figures[key('batchesAcked')] = acked.size;
      figures[key('ackedAsDuplicate')] = [...acked.values()].filter(Boolean).length;
      figures[key('batchesRetried')] = refused.size;
      figures[key('batchesLost')] = lost;
      figures[key('duplicates')] = duplicates;
      figures[key('partialBatches')] = partial;
      figures.batchesAcked = (figures.batchesAcked ?? 0) + acked.size;
      figures.batchesLost = (figures.batchesLost ?? 0) + lost;
      figures.duplicates = (figures.duplicates ?? 0) + duplicates;
      expect(kills).toBeGreaterThanOrEqual(Math.min(KILLS, 2));
      expect(acked.size).toBe(AGENTS * BATCHES);
      expect({ lost, duplicates, partial }).toEqual({ lost: 0, duplicates: 0, partial: 0 });
      expect(stored.size).toBe(AGENTS * BATCHES);
    } finally {
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

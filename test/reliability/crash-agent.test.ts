import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { startDelayProxy } from '@locus/netem';
import { startServer, type RunningServer } from '@locus/server';
import { runLocus } from '../../apps/cli/src/test-support.js';
import { recordFigures, scaled } from './figures.js';
import { ROOT, sleep } from './processes.js';

/**
 * A real agent process killed with SIGKILL at random moments, many of them while a batch is on
 * the wire (a slow link makes every send last): after it restarts and drains, every batch it
 * ever sent is stored, once, and every sample it sent is there.
 */
const KILLS = scaled(12, 4);
/** Kills past KILLS, while none has yet cut a send short (each does so by chance; a run of a few can miss). */
const MORE_KILLS = KILLS * 2;
const TOKEN = 'locus_crash-agent';
const BIN = join(ROOT, 'apps/cli/bin/locus.js');
const figures: Record<string, number> = {};
const children: ChildProcess[] = [];
let server: RunningServer | undefined;
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await server?.close();
  recordFigures('crash-agent', figures);
});

describe('the agent killed with SIGKILL mid-send', () => {
  it(`loses nothing it sent and stores nothing twice (${KILLS} kills)`, async () => {
    server = await startServer({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'locus-crash-agent-srv-')), adminToken: TOKEN, world: naturalEarthWorld() });
    const port = Number(new URL(server.url).port);
    // Each direction 40–80 ms: a batch is in flight for most of the agent's time.
    const proxy = await startDelayProxy({ target: { host: '127.0.0.1', port }, link: { oneWayMs: 40, jitterMs: 40 } });
    const url = `http://127.0.0.1:${proxy.port}`;
    const state = mkdtempSync(join(tmpdir(), 'locus-crash-agent-'));
    const token = (await (await fetch(`${server.url}/api/v1/enrollment-tokens`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{}' })).json()) as { token: string };
    writeFileSync(join(state, 'token'), token.token);
    const enrolled = await runLocus(['agent', 'enroll', '--server', url, '--token-file', join(state, 'token'), '--simulate', '4xH100', '--claim', 'DE', '--state-dir', state]);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    const nodeId = /as node (\S+)/.exec(enrolled.stdout)![1]!;

    const run = () => {
      // A send per sample: a batch is in flight as much of the time as it can be.
      const child = spawn(process.execPath, [BIN, 'agent', 'run', '--simulate', '4xH100', '--interval-s', '0.1', '--send-every', '1', '--state-dir', state], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      return child;
    };
    // What the agent sent, by its audit log (a send cut short by a kill is sent again after the restart, under its id).
    type Sent = { batchId: string; samples: { at: string; gpus: unknown[] }[]; events: { id: string }[] };
    const sentSoFar = (): Sent[] =>
      readFileSync(join(state, 'audit.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { payload: Sent }).payload);
    const resentSoFar = () => {
      const sent = sentSoFar();
      return sent.length - new Set(sent.map((p) => p.batchId)).size;
    };
    let kills = 0;
    try {
      for (; kills < KILLS || (kills < KILLS + MORE_KILLS && resentSoFar() === 0); kills++) {
        const agent = run();
        // Faults now and then, so that events are in flight too.
        if (kills % 3 === 1) expect((await runLocus(['agent', 'inject-fault', 'xid=79', `gpu=${kills % 4}`, '--simulate', '4xH100', '--state-dir', state])).code).toBe(0);
        await sleep(700 + Math.random() * 900);
        agent.kill('SIGKILL');
        await new Promise((r) => agent.once('exit', r));
      }
      // Back for good: it drains what it queued before each kill, then stops cleanly.
      const last = run();
      const queued = async () => JSON.parse((await runLocus(['agent', 'status', '--json', '--state-dir', state])).stdout) as { queued: { samples: number; events: number } };
      await sleep(1500);
      for (let i = 0; i < 300; i++) {
        const q = (await queued()).queued;
        if (q.samples + q.events <= 4) break;
        await sleep(100);
      }
      last.kill('SIGTERM');
      expect(await new Promise((r) => last.once('exit', (code) => r(code)))).toBe(0);
    } finally {
      await proxy.close();
    }

    // What the agent sent; what the server holds, by its database.
    const sent = sentSoFar();
    const db = server.storage.db;
    const stored = new Set((await db.selectFrom('ingest_batches').select('batch_id').where('node_id', '=', nodeId).execute()).map((r) => r.batch_id));
    const events = (await sql<{ id: string }>`select id from events where node_id = ${nodeId}`.execute(db)).rows.map((r) => r.id);
    const samples = (await sql<{ at: number; n: number }>`select g.at, count(*) as n from gpu_samples g join gpu_series s on s.id = g.series_id where s.node_id = ${nodeId} group by g.at`.execute(db)).rows;
    const samplesAt = new Map(samples.map((r) => [Number(r.at), Number(r.n)]));
    const batchIds = new Set(sent.map((p) => p.batchId));
    // Sent more than once: the send a kill cut short, repeated after the restart under the same id.
    const resent = sent.length - batchIds.size;
    const lostBatches = [...batchIds].filter((id) => !stored.has(id));
    const sentSamples = new Map<number, number>();
    for (const p of sent) for (const s of p.samples) sentSamples.set(Date.parse(s.at), s.gpus.length);
    const lostSamples = [...sentSamples].filter(([at, n]) => (samplesAt.get(at) ?? 0) !== n).length;
    const sentEvents = new Set(sent.flatMap((p) => p.events.map((e) => e.id)));
    figures.kills = kills;
    figures.batchesSent = batchIds.size;
    figures.batchesResentAfterKill = resent;
    figures.batchesLost = lostBatches.length;
    figures.samplesSent = sentSamples.size;
    figures.samplesLost = lostSamples;
    figures.eventsSent = sentEvents.size;
    figures.eventDuplicates = events.length - new Set(events).size;
    expect(resent).toBeGreaterThan(0);
    expect(lostBatches).toEqual([]);
    expect(lostSamples).toBe(0);
    expect([...sentEvents].filter((id) => !events.includes(id))).toEqual([]);
    expect(events.length).toBe(sentEvents.size);
  });
});

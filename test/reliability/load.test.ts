import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage } from '@locus/storage';
import { HttpClient, quantile, type Answer } from '../../bench/ingest-client.js';
import { SAMPLE_INTERVAL_MS, batchBody, enrollBody, samplesOf, simNode, type SimNode } from '../../bench/ingest-load.js';
import { recordFigures, scaled } from './figures.js';
import { freePort, sleep, spawnServer } from './processes.js';

/**
 * Overload: agents send at many times the rate they would at one batch per sampling interval (an
 * agent's fastest setting, `--send-every 1`; by default it sends every third sample)
 * to a server with a small in-flight limit. It must shed with 429 + Retry-After, keep its memory
 * within what that limit allows, and lose no batch without the agent knowing: every batch is
 * either acknowledged (and then stored) or refused with a status the agent acts on.
 */
const AGENTS = scaled(300, 150);
/** Times the rate of one batch per sampling interval. */
const OVERLOAD = 20;
const SECONDS = scaled(30, 10);
const MAX_IN_FLIGHT = 8;
const BODY_LIMIT = 1024 * 1024;
const TOKEN = `locus_load-${randomUUID()}`;
const figures: Record<string, number> = {};
afterAll(() => recordFigures('load', figures));

const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const MiB = 1024 * 1024;

describe('the server under overload', () => {
  it(`sheds with 429 + Retry-After, stays within its memory bound and loses nothing unknown (${AGENTS} agents at ${OVERLOAD}× the nominal rate)`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'locus-load-'));
    const server = await spawnServer({ LOCUS_DATA_DIR: dataDir, LOCUS_PORT: String(await freePort()), LOCUS_ADMIN_TOKEN: TOKEN, LOCUS_INGEST_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT) });
    const client = new HttpClient(server.url, AGENTS + 8);
    const periodMs = SAMPLE_INTERVAL_MS / OVERLOAD;
    const perAgent = Math.ceil((SECONDS * 1000) / periodMs);
    const nodes: SimNode[] = Array.from({ length: AGENTS }, (_, i) => simNode(i));
    const answers: Answer[] = [];
    const retryAfter: number[] = [];
    let acked = 0;
    let unanswered = 0;
    let pending = 0;
    let peakRss = 0;
    let sampling = true;
    try {
      const auth = { authorization: `Bearer ${TOKEN}` };
      const { token } = JSON.parse((await client.post('/api/v1/enrollment-tokens', JSON.stringify({ uses: AGENTS }), auth)).body) as { token: string };
      for (const n of nodes) expect((await client.post('/api/v1/agents/enroll', JSON.stringify(enrollBody(n, token, new Date())))).status).toBe(201);
      // Signed before the clock starts: the load generator spends its time sending.
      const start = Date.parse(new Date().toISOString()) - 3600_000;
      const bodies = nodes.map((n) => Array.from({ length: perAgent }, (_, k) => batchBody(n, samplesOf(n, start + k * SAMPLE_INTERVAL_MS, 1))));
      const baselineRss = rssOf(server.child.pid!);
      const sampler = (async () => {
        while (sampling) {
          peakRss = Math.max(peakRss, rssOf(server.child.pid!));
          await sleep(100);
        }
      })();

      const t0 = performance.now();
      /** One agent: a batch every period, each sent until acknowledged, Retry-After obeyed. */
      const agent = async (queue: Buffer[]): Promise<void> => {
        await sleep(Math.random() * periodMs);
        for (const [k, body] of queue.entries()) {
          const due = t0 + k * periodMs;
          if (performance.now() < due) await sleep(due - performance.now());
          pending++;
          for (let attempt = 0; ; attempt++) {
            if (attempt > 200) throw new Error('a batch was refused 200 times');
            let a: Answer;
            try {
              a = await client.post('/api/v1/ingest', body);
            } catch {
              unanswered++;
              await sleep(500);
              continue;
            }
            answers.push(a);
            if (a.status === 200) {
              acked++;
              break;
            }
            expect(a.status, a.body).toBe(429);
            const wait = Number(a.retryAfter);
            retryAfter.push(wait);
            await sleep(wait * 1000);
          }
          pending--;
        }
      };
      await Promise.all(bodies.map((queue) => agent(queue)));
      const seconds = (performance.now() - t0) / 1000;
      sampling = false;
      await sampler;

      const shed = answers.filter((a) => a.status === 429).length;
      const latencies = answers.map((a) => a.ms);
      figures.agents = AGENTS;
      figures.overload = OVERLOAD;
      figures.offeredBatchesPerS = Math.round(AGENTS * (1000 / periodMs));
      figures.ackedBatchesPerS = Math.round(acked / seconds);
      figures.answers = answers.length;
      figures.shed = shed;
      figures.shedRate = Math.round((shed / answers.length) * 1000) / 1000;
      figures.p50Ms = Math.round(quantile(latencies, 0.5) * 10) / 10;
      figures.p99Ms = Math.round(quantile(latencies, 0.99) * 10) / 10;
      figures.baselineRssMiB = Math.round(baselineRss / MiB);
      figures.peakRssMiB = Math.round(peakRss / MiB);
      figures.unanswered = unanswered;
      figures.seconds = Math.round(seconds);

      expect(shed).toBeGreaterThan(0);
      // Every refusal says when to come back, within the server's 1–5 s.
      expect(retryAfter.every((s) => Number.isInteger(s) && s >= 1 && s <= 5)).toBe(true);
      expect(acked).toBe(AGENTS * perAgent);
      expect(pending).toBe(0);
      // Memory: what the in-flight limit admits (each body parsed, with room for its objects) above the idle server.
      expect(peakRss).toBeLessThan(baselineRss + MAX_IN_FLIGHT * BODY_LIMIT * 8 + 256 * MiB);
    } finally {
      sampling = false;
      client.close();
      await server.stop();
    }
    // Every acknowledged batch is in the database.
    const storage = await openStorage(`sqlite:${join(dataDir, 'locus.db')}`);
    try {
      const stored = await storage.db.selectFrom('ingest_batches').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      figures.stored = Number(stored.n);
      expect(Number(stored.n)).toBe(acked);
    } finally {
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

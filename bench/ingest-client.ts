/** The load generator of bench/ingest.ts: signed batches POSTed over keep-alive HTTP connections. */
import { Agent, request } from 'node:http';

export interface Answer {
  readonly status: number;
  readonly body: string;
  /** From the first byte written to the last byte read. */
  readonly ms: number;
  /** The Retry-After header of a 429 (or any answer that has one). */
  readonly retryAfter?: string | undefined;
}

export class HttpClient {
  readonly #agent: Agent;
  readonly #url: URL;

  constructor(url: string, connections: number) {
    this.#url = new URL(url);
    this.#agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  post(path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(
        { agent: this.#agent, host: this.#url.hostname, port: this.#url.port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started, retryAfter: res.headers['retry-after'] }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

export const quantile = (xs: readonly number[], q: number): number => {
  const sorted = xs.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

export interface Outcomes {
  stored: number;
  /** Answered 429 (the server's in-flight limit); sent again after Retry-After in the closed loop. */
  refused: number;
  /** Anything else but 200; the first one's body is kept. */
  failed: number;
  firstFailure?: string;
}

const record = (o: Outcomes, a: Answer): void => {
  if (a.status === 200) o.stored++;
  else if (a.status === 429) o.refused++;
  else {
    o.failed++;
    o.firstFailure ??= `${a.status} ${a.body.slice(0, 300)}`;
  }
};

export interface ThroughputRun extends Outcomes {
  /** GPU samples stored per second, after the warm-up. */
  readonly samplesPerS: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * `clients` loops, each POSTing the next body as soon as its last one is answered, until every
 * body is sent or `maxSeconds` have passed. The first 5% of batches warm up and are not counted.
 */
export async function closedLoop(client: HttpClient, bodies: readonly Buffer[], samplesPerBatch: number, clients: number, maxSeconds: number): Promise<ThroughputRun> {
  const o: Outcomes = { stored: 0, refused: 0, failed: 0 };
  const warmup = Math.floor(bodies.length * 0.05);
  const deadline = performance.now() + maxSeconds * 1000;
  const latencies: number[] = [];
  let next = 0;
  let counted = 0;
  let t0 = 0;
  let t1 = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < bodies.length && performance.now() < deadline) {
        const i = next++;
        let a = await client.post('/api/v1/ingest', bodies[i]!);
        for (let tries = 0; a.status === 429 && tries < 20; tries++) {
          record(o, a);
          await new Promise((r) => setTimeout(r, 50));
          a = await client.post('/api/v1/ingest', bodies[i]!);
        }
        record(o, a);
        t1 = performance.now();
        if (i === warmup) t0 = t1;
        if (i > warmup && a.status === 200) {
          counted++;
          latencies.push(a.ms);
        }
      }
    }),
  );
  const seconds = (t1 - t0) / 1000;
  return { ...o, samplesPerS: (counted * samplesPerBatch) / seconds, seconds, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) };
}

export interface Scheduled {
  /** Milliseconds after the start. */
  readonly atMs: number;
  readonly body: Buffer;
}

export interface OpenLoopRun extends Outcomes {
  readonly latenciesMs: number[];
  /** How far behind its schedule each batch was sent: the load generator's own lag. */
  readonly lateMs: number[];
  /** From the first scheduled send to the last answer. */
  readonly seconds: number;
}

/**
 * Sends each body at its time whatever the server does (an open loop, so that a slow server
 * meets the same load and its queueing shows in the latencies instead of slowing the clients).
 */
export async function openLoop(client: HttpClient, schedule: readonly Scheduled[]): Promise<OpenLoopRun> {
  const o: Outcomes = { stored: 0, refused: 0, failed: 0 };
  const latenciesMs: number[] = [];
  const lateMs: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now() + 200;
  let i = 0;
  while (i < schedule.length) {
    const now = performance.now();
    for (; i < schedule.length && start + schedule[i]!.atMs <= now; i++) {
      lateMs.push(now - start - schedule[i]!.atMs);
      pending.push(
        client.post('/api/v1/ingest', schedule[i]!.body).then(
          (a) => {
            record(o, a);
            if (a.status === 200) latenciesMs.push(a.ms);
          },
          (error: Error) => record(o, { status: 0, body: error.message, ms: 0 }),
        ),
      );
    }
    if (i < schedule.length) await new Promise((r) => setTimeout(r, Math.max(0, Math.min(5, start + schedule[i]!.atMs - performance.now()))));
  }
  await Promise.all(pending);
  return { ...o, latenciesMs, lateMs, seconds: (performance.now() - start) / 1000 };
}

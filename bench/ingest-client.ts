/**
 * The load generator of bench/ingest.ts: signed batches POSTed over keep-alive HTTP/1.1
 * connections. It shares the machine's cores with the server it measures, so it is lean: each
 * request a header block and the pre-signed body written at once on a raw socket, each answer
 * read for its status, Content-Length, Retry-After and body only (node:http's client cost about
 * as much CPU per batch as the server's HTTP layer).
 */
import { connect, type Socket } from 'node:net';

export interface Answer {
  readonly status: number;
  readonly body: string;
  /** From the first byte written to the last byte read. */
  readonly ms: number;
  /** The Retry-After header of a 429 (or any answer that has one). */
  readonly retryAfter?: string | undefined;
}

interface Exchange {
  readonly started: number;
  readonly resolve: (answer: Answer) => void;
  readonly reject: (error: Error) => void;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection, one request at a time. */
class Connection {
  readonly #socket: Socket;
  #exchange: Exchange | undefined;
  #received: Buffer = Buffer.alloc(0);
  #closed = false;

  constructor(
    url: URL,
    private readonly done: (connection: Connection, reusable: boolean) => void,
  ) {
    this.#socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    this.#socket.on('data', (chunk: Buffer) => this.#read(chunk));
    this.#socket.on('error', (error) => this.#end(error));
    this.#socket.on('close', () => this.#end(new Error('the server closed the connection')));
  }

  send(head: string, body: Buffer | string, exchange: Exchange): void {
    if (this.#closed) return exchange.reject(new Error('the connection is closed'));
    this.#exchange = exchange;
    this.#socket.cork();
    this.#socket.write(head, 'latin1');
    this.#socket.write(body);
    this.#socket.uncork();
  }

  close(): void {
    this.#socket.destroy();
  }

  #read(chunk: Buffer): void {
    this.#received = this.#received.length === 0 ? chunk : Buffer.concat([this.#received, chunk]);
    const end = this.#received.indexOf(HEADER_END);
    if (end < 0) return;
    const [statusLine = '', ...lines] = this.#received.toString('latin1', 0, end).split('\r\n');
    let length = 0;
    let retryAfter: string | undefined;
    let close = false;
    for (const line of lines) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') length = Number(value);
      else if (name === 'retry-after') retryAfter = value;
      else if (name === 'connection') close = value.toLowerCase() === 'close';
      else if (name === 'transfer-encoding') return this.#end(new Error(`the load generator reads Content-Length answers only, not ${value}`));
    }
    const bodyStart = end + HEADER_END.length;
    if (this.#received.length < bodyStart + length) return;
    const body = this.#received.toString('utf8', bodyStart, bodyStart + length);
    this.#received = this.#received.subarray(bodyStart + length);
    const exchange = this.#exchange;
    this.#exchange = undefined;
    exchange?.resolve({ status: Number(statusLine.split(' ')[1]), body, ms: performance.now() - exchange.started, retryAfter });
    if (close) this.close();
    this.done(this, !close && !this.#closed);
  }

  #end(error: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    const exchange = this.#exchange;
    this.#exchange = undefined;
    exchange?.reject(error);
    this.done(this, false);
  }
}

/** Keep-alive connections to one server, at most `connections` at once; requests past that wait for one. */
export class HttpClient {
  readonly #url: URL;
  readonly #max: number;
  readonly #idle: Connection[] = [];
  readonly #all = new Set<Connection>();
  readonly #waiting: (() => void)[] = [];

  constructor(url: string, connections: number) {
    this.#url = new URL(url);
    this.#max = connections;
  }

  async post(path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
    const connection = await this.#connection();
    let head = `POST ${path} HTTP/1.1\r\nhost: ${this.#url.host}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    return new Promise((resolve, reject) => connection.send(`${head}\r\n`, body, { started: performance.now(), resolve, reject }));
  }

  close(): void {
    for (const c of this.#all) c.close();
    this.#all.clear();
    this.#idle.length = 0;
  }

  async #connection(): Promise<Connection> {
    for (;;) {
      const idle = this.#idle.pop();
      if (idle) return idle;
      if (this.#all.size < this.#max) {
        const made = new Connection(this.#url, (c, reusable) => this.#release(c, reusable));
        this.#all.add(made);
        return made;
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  #release(connection: Connection, reusable: boolean): void {
    if (reusable) this.#idle.push(connection);
    else {
      this.#all.delete(connection);
      const at = this.#idle.indexOf(connection);
      if (at >= 0) this.#idle.splice(at, 1);
    }
    this.#waiting.shift()?.();
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
  /** Each counted batch's latency. */
  readonly latenciesMs: readonly number[];
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
  return { ...o, samplesPerS: (counted * samplesPerBatch) / seconds, seconds, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), latenciesMs: latencies };
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

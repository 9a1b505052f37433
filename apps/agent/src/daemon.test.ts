import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSigningKey, type IngestBatch } from '@locus/protocol';
import type { Poster } from './client.js';
import { MAX_SEND_WAIT_MS, createQueuer, sendEveryDefault, startAgent, type RunningAgent } from './daemon.js';
import { FakeNvml, fakeH100 } from './nvml/fake.js';
import { Outbox } from './outbox.js';
import { parseFault } from './simulator/faults.js';
import { loadSimulator, saveSimulator } from './state.js';

describe('samples per send by default', () => {
  it('is 3, fewer where 3 intervals would hold a sample past the longest wait, and never 0', () => {
    expect(sendEveryDefault(10_000)).toBe(3);
    expect(sendEveryDefault(100)).toBe(3);
    expect(sendEveryDefault(MAX_SEND_WAIT_MS / 2)).toBe(2);
    expect(sendEveryDefault(20_000)).toBe(1);
    expect(sendEveryDefault(MAX_SEND_WAIT_MS)).toBe(1);
    expect(sendEveryDefault(3_600_000)).toBe(1);
  });
});

describe('the agent daemon sending', () => {
  const dirs: string[] = [];
  let agent: RunningAgent | undefined;
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A server's answer to the `nth` batch (from 0): its status and body. */
  type Answer = (batch: IngestBatch, nth: number) => { status: number; body: object };
  const stored: Answer = (batch) => ({ status: 200, body: { batchId: batch.batchId, duplicate: false, samples: batch.samples.length, events: batch.events.length } });

  /** An agent on a 15-ms interval whose batches land in `sent`, answered as `answer` says (by default stored, as a server would). */
  async function running(sendEvery: number | undefined, hostname?: string, answer: Answer = stored, metrics?: { host: string; port: number }, backoff?: { initialMs: number; maxMs: number }): Promise<{ sent: IngestBatch[]; stateDir: string }> {
    const stateDir = mkdtempSync(join(tmpdir(), 'locus-daemon-'));
    dirs.push(stateDir);
    const sent: IngestBatch[] = [];
    const poster: Poster = async (_url, init) => {
      const batch = JSON.parse(init.body) as IngestBatch;
      const { status, body } = answer(batch, sent.length);
      sent.push(batch);
      return { ok: status < 300, status, headers: { get: () => null }, text: async () => JSON.stringify(body) };
    };
    agent = await startAgent({
      stateDir,
      enrollment: { server: 'http://locus.test', nodeId: 'n', orgId: 'o', enrolledAt: new Date(0).toISOString(), samplingIntervalS: 10 },
      key: generateSigningKey(),
      simulate: '2xH100',
      intervalMs: 15,
      sendEvery,
      hostname,
      fetch: poster,
      metrics,
      ...(backoff ? { backoff } : {}),
    });
    return { sent, stateDir };
  }

  const until = async (what: string, done: () => boolean) => {
    for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!done()) throw new Error(`timed out waiting for ${what}`);
  };

  it('sends the first pass at once, then every third sample', async () => {
    const { sent } = await running(undefined);
    await until('five sends', () => sent.length >= 5);
    // The first pass, with the host's inventory; then samples three at a time.
    expect(sent[0]!.samples).toHaveLength(1);
    expect(sent[0]!.events.map((e) => e.kind)).toEqual(['inventory']);
    for (const batch of sent.slice(1, 5)) expect([batch.samples.length, batch.events.length]).toEqual([3, 0]);
    // Nothing left behind or sent twice: every sample's instant once, in order.
    const instants = sent.flatMap((b) => b.samples.map((s) => s.at));
    expect(instants).toEqual([...new Set(instants)].sort());
  });

  it('drops a batch the server refuses for good, counts it, and goes on with the next', async () => {
    const refusal = { statusCode: 400, code: 'LOCUS_ERR_VALIDATION', error: 'Bad Request', message: 'body v: Invalid input: expected 1' };
    const { sent } = await running(1, undefined, (batch, nth) => (nth === 0 ? { status: 400, body: refusal } : stored(batch, nth)), { host: '127.0.0.1', port: 0 });
    await until('three sends', () => sent.length >= 3);
    // Not sent again: the refused batch's items are gone, the next batches carry new ones.
    expect(new Set(sent.map((b) => b.batchId)).size).toBe(sent.length);
    expect(sent[1]!.samples.map((x) => x.at)).not.toContain(sent[0]!.samples[0]!.at);
    const text = await (await fetch(agent!.metricsUrl!)).text();
    expect(text).toMatch(/^locus_agent_batches_refused_total 1$/m);
    expect(text).toMatch(/^locus_agent_send_failures_total 1$/m);
  });

  it.each([
    ['its protocol version', { statusCode: 400, code: 'LOCUS_ERR_PROTO_VERSION', error: 'Bad Request', message: 'the body is of protocol version 1; this server reads version 2: upgrade the server', versions: [2] }],
    ['its host key', { statusCode: 401, code: 'LOCUS_ERR_UNAUTHENTICATED', error: 'Unauthorized', message: 'no enrolled node has this host key; enroll the agent first' }],
  ])('holds its queue while the server refuses %s, drops nothing, and sends it all once one takes it', async (_what, refusal) => {
    let upgraded = false;
    const answer: Answer = (batch, nth) => (upgraded ? stored(batch, nth) : { status: refusal.statusCode, body: refusal });
    const { sent } = await running(1, undefined, answer, { host: '127.0.0.1', port: 0 }, { initialMs: 10, maxMs: 60 });
    const metric = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(agent!.metricsUrl!)).text())?.[1]);
    await until('three refusals', () => sent.length >= 3);
    // The same batch each time, not sent at every pass, while the queue grows behind it.
    expect(new Set(sent.map((b) => b.batchId)).size).toBe(1);
    expect(await metric('locus_agent_delivery_held')).toBe(1);
    const held = (await agent!.outbox.deliveryStatus()).held!;
    expect(held).toMatchObject({ code: refusal.code, message: `${refusal.code}: ${refusal.message}` });
    expect(Date.parse(held.since)).toBeLessThan(Date.parse(held.at));
    const queued = await agent!.outbox.size();
    expect(queued.samples).toBeGreaterThan(1);
    upgraded = true;
    await until('the queue sent', () => sent.some((b, i) => i > 0 && b.batchId !== sent[0]!.batchId) && sent.length > 6);
    // The held batch sent again as it was; every sample taken while held delivered, once, in order.
    expect(new Set(sent.filter((b) => b.batchId === sent[0]!.batchId).map((b) => JSON.stringify(b))).size).toBe(1);
    const batches = [...new Map(sent.map((b) => [b.batchId, b])).values()];
    const instants = batches.flatMap((b) => b.samples.map((x) => x.at));
    expect(instants).toEqual([...new Set(instants)].sort());
    expect(instants.length).toBeGreaterThanOrEqual(queued.samples);
    expect(await metric('locus_agent_delivery_held')).toBe(0);
    expect(await metric('locus_agent_batches_refused_total')).toBe(0);
    expect(await agent!.outbox.deliveryStatus()).toMatchObject({ held: null, lastRefusal: null });
  });

  it('reports the hostname it is given (in a pod, the node name) in its inventory, else the OS hostname', async () => {
    const named = await running(1, 'gpu-node-7');
    await until('the first send', () => named.sent.length >= 1);
    const inventoryOf = (batch: IngestBatch) => batch.events.find((e) => e.kind === 'inventory') as { inventory: { hostname: string } } | undefined;
    expect(inventoryOf(named.sent[0]!)?.inventory.hostname).toBe('gpu-node-7');
    await agent?.stop();
    const plain = await running(1);
    await until('the first send', () => plain.sent.length >= 1);
    expect(inventoryOf(plain.sent[0]!)?.inventory.hostname).toBe(hostname());
  });

  it('sends a pass that queued an event at once, with the samples waiting before it', async () => {
    const { sent, stateDir } = await running(50);
    await until('the first send', () => sent.length >= 1);
    // A GPU falls off the bus, long before the 50th sample.
    await new Promise((r) => setTimeout(r, 60));
    const { state } = loadSimulator(stateDir, '2xH100');
    const fault = parseFault(['xid=79', 'gpu=1'], 2, new Date());
    if ('error' in fault) throw new Error(fault.error);
    saveSimulator(stateDir, { ...state, faults: [fault] });
    await until('the Xid to be sent', () => sent.some((b) => b.events.some((e) => e.kind === 'xid')));
    const withXid = sent.find((b) => b.events.some((e) => e.kind === 'xid'))!;
    expect(sent.indexOf(withXid)).toBe(1);
    // The batch ends with the pass that saw the Xid (its health change is stamped with the pass's time), and holds every sample taken since the first send.
    expect(withXid.samples.at(-1)!.at).toBe(withXid.events.find((e) => e.kind === 'health')!.at);
    expect(withXid.samples.length).toBeGreaterThan(1);
    expect(withXid.samples.length).toBeLessThan(50);
  });

  it('sends every sample when told to', async () => {
    const { sent } = await running(1);
    await until('five sends', () => sent.length >= 5);
    for (const batch of sent.slice(0, 5)) expect(batch.samples).toHaveLength(1);
  });
});

describe('the agent queuing passes', () => {
  it('logs how a pass read the host when that changes (the kernel log unreadable, then readable), not every pass', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'locus-queuer-'));
    const outbox = await Outbox.open(join(stateDir, 'outbox.db'));
    try {
      const lines: string[] = [];
      let kernelLog: { text: string } | { note: string } = { note: 'kernel log unreadable: Xid events are not checked' };
      const nvml = new FakeNvml({ driverVersion: '570.133.20', cudaDriverVersion: 12080, gpus: [fakeH100(0)] });
      const queuer = createQueuer({ outbox, stateDir, log: (line) => lines.push(line), sources: { openNvml: async () => ({ nvml }), nvidiaSmiXml: async () => '', kernelLog: async () => kernelLog } });
      const t0 = Date.parse('2026-11-29T12:00:00Z');
      for (const i of [0, 1, 2]) await queuer.tick(new Date(t0 + i * 10_000));
      expect(lines).toEqual(['collection: kernel log unreadable: Xid events are not checked']);
      kernelLog = { text: '' };
      for (const i of [3, 4]) await queuer.tick(new Date(t0 + i * 10_000));
      expect(lines.slice(1)).toEqual(['collection: no longer so: kernel log unreadable: Xid events are not checked']);
    } finally {
      await outbox.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('writes its state (health, Xids, inventory) only when a pass changed it, and a restart repeats no event', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'locus-queuer-'));
    const outbox = await Outbox.open(join(stateDir, 'outbox.db'));
    try {
      const written: string[][] = [];
      const commit = outbox.commit.bind(outbox);
      outbox.commit = (items, at) => (written.push(Object.keys(items.state).sort()), commit(items, at));
      const t0 = Date.parse('2026-11-29T12:00:00Z');
      const pass = (queuer: ReturnType<typeof createQueuer>, i: number) => queuer.tick(new Date(t0 + i * 10_000));
      const queuer = createQueuer({ outbox, stateDir, simulate: '2xH100' });
      expect((await pass(queuer, 0)).events).toBe(1);
      expect((await pass(queuer, 1)).events).toBe(0);
      const { state } = loadSimulator(stateDir, '2xH100');
      saveSimulator(stateDir, { ...state, faults: [parseFault(['xid=79', 'gpu=1'], 2, new Date(t0 + 15_000)) as Exclude<ReturnType<typeof parseFault>, { error: string }>] });
      expect((await pass(queuer, 2)).events).toBeGreaterThan(1);
      expect((await pass(queuer, 3)).events).toBe(0);
      // A new process on the same outbox: it reads the state back and queues nothing again.
      expect((await pass(createQueuer({ outbox, stateDir, simulate: '2xH100' }), 4)).events).toBe(0);
      // Xid 79 takes GPU 1 off the bus: the inventory changes with it.
      expect(written).toEqual([['health', 'inventory', 'xids'], [], ['health', 'inventory', 'xids'], [], []]);
      expect((await outbox.size()).samples).toBe(5);
    } finally {
      await outbox.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('the agent daemon starting', () => {
  it('takes and sends its first pass as it starts, not an interval later', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'locus-daemon-'));
    const sent: IngestBatch[] = [];
    const agent = await startAgent({
      stateDir,
      enrollment: { server: 'http://locus.test', nodeId: 'n', orgId: 'o', enrolledAt: new Date(0).toISOString(), samplingIntervalS: 600 },
      key: generateSigningKey(),
      simulate: '1xH100',
      intervalMs: 600_000,
      fetch: async (_url, init) => {
        const batch = JSON.parse(init.body) as IngestBatch;
        sent.push(batch);
        return { ok: true, status: 200, headers: { get: () => null }, text: async () => JSON.stringify({ batchId: batch.batchId, duplicate: false, samples: batch.samples.length, events: batch.events.length }) };
      },
    });
    try {
      for (let i = 0; i < 500 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(sent).toHaveLength(1);
      expect([sent[0]!.samples.length, sent[0]!.events.map((e) => e.kind)]).toEqual([1, ['inventory']]);
      // A pass asked for meanwhile waits for it, and starts from what it stored: no second inventory.
      await agent.tick();
      expect((await agent.outbox.size()).events).toBe(0);
    } finally {
      await agent.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('the agent daemon answering landmarks', () => {
  it('logs why it cannot reach a landmark, not nothing', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'locus-daemon-'));
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const lines: string[] = [];
    const agent = await startAgent({
      stateDir,
      enrollment: { server: 'http://locus.test', nodeId: 'n', orgId: 'o', enrolledAt: new Date(0).toISOString(), samplingIntervalS: 10 },
      key: generateSigningKey(),
      simulate: '1xH100',
      intervalMs: 60_000,
      landmarks: [`ws://127.0.0.1:${port}/v1/timing`],
      fetch: async () => ({ ok: true, status: 200, headers: { get: () => null }, text: async () => '{}' }),
      log: (line) => lines.push(line),
    });
    try {
      for (let i = 0; i < 400 && !lines.some((l) => l.includes('landmark')); i++) await new Promise((r) => setTimeout(r, 10));
      expect(lines.find((l) => l.includes('landmark'))).toMatch(new RegExp(`^landmark ws://127\\.0\\.0\\.1:${port}/v1/timing unreachable \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\); trying again in \\d+ ms$`));
    } finally {
      await agent.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

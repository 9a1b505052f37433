import { get, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { holdTokenChecks, untilNotListening } from '../../../test/support/server-closing.js';
import type { SigningKey } from '@locus/protocol';
import { relayPayloads } from './changes.js';
import { enrollAgent, LANDMARKS, measurementOf, SHENZHEN, testServer, type TestServer } from './test-support.js';

/** A change stream read over real HTTP (node:http: closing it closes its socket), its events in order, and whether it ended. */
async function openStream(url: string, headers: { authorization: string }) {
  const res = await new Promise<IncomingMessage>((resolve, reject) => get(`${url}/api/v1/changes`, { headers }, resolve).on('error', reject));
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const state = { ended: false, comments: 0, text: '' };
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    state.text += chunk;
    let end: number;
    while ((end = state.text.indexOf('\n\n')) >= 0) {
      const block = state.text.slice(0, end);
      state.text = state.text.slice(end + 2);
      if (block.startsWith(':')) state.comments++;
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
    }
  });
  for (const done of ['end', 'close']) res.on(done, () => (state.ended = true));
  const until = async (what: () => boolean, ms = 3_000) => {
    for (const start = performance.now(); !what(); ) {
      if (performance.now() - start > ms) throw new Error(`timed out; events so far: ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { res, events, state, until, close: () => res.destroy() };
}

const settle = () => new Promise((r) => setTimeout(r, 400));

describe('the change stream', () => {
  let s: TestServer;
  let url: string;
  let owner: { authorization: string };
  const call = (method: string, path: string, headers: { authorization: string }, payload?: object) => s.app.inject({ method: method as 'GET', url: path, headers, ...(payload ? { payload } : {}) });

  beforeEach(async () => {
    s = await testServer('sqlite::memory:', {}, undefined, { changeStreams: { heartbeatMs: 100, max: 3 } });
    owner = await s.tokenFor('org-a', 'owner');
    await s.registerLandmarks(LANDMARKS.map((l) => l.info));
    url = await s.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await s.close();
  });

  it("tells each org's streams the kinds of its own changes, together when they come together, and auditors only verdicts", async () => {
    const a = await openStream(url, owner);
    const auditor = await openStream(url, await s.tokenFor('org-a', 'auditor'));
    const b = await openStream(url, await s.tokenFor('org-b', 'owner'));
    expect(a.res.statusCode).toBe(200);
    expect(a.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(a.res.headers['x-content-type-options']).toBe('nosniff');
    await a.until(() => a.events.length === 1);
    await auditor.until(() => auditor.events.length === 1);
    expect(a.events[0]).toEqual({ event: 'ready', data: { kinds: ['alerts', 'verdicts', 'nodes', 'events'] } });
    expect(auditor.events[0]).toEqual({ event: 'ready', data: { kinds: ['verdicts'] } });

    // Changes at once: one event naming them all.
    s.app.changes.publish('org-a', 'nodes');
    s.app.changes.publish('org-a', 'alerts');
    s.app.changes.publish('org-a', 'nodes');
    await a.until(() => a.events.length === 2);
    expect(a.events[1]).toMatchObject({ event: 'change', data: { kinds: ['alerts', 'nodes'], at: s.clock.now().toISOString() } });
    await settle();
    expect(a.events).toHaveLength(2);

    // What the routes change: a zone, a mute rule, an agent that enrolls, then is measured in
    // Shenzhen (its verdict, and the alerts it raises).
    const heard = (stream: typeof a, from: number) => new Set(stream.events.slice(from).flatMap((e) => e.data.kinds as string[]));
    let from = a.events.length;
    expect((await call('POST', '/api/v1/zones', owner, { name: 'sg-1', claimedCountry: 'SG' })).statusCode).toBe(201);
    await a.until(() => heard(a, from).has('nodes'));
    from = a.events.length;
    expect((await call('POST', '/api/v1/mute-rules', owner, { kind: 'gpu-health', nodeId: null, durationS: 60, reason: 'r' })).statusCode).toBe(201);
    await a.until(() => heard(a, from).has('alerts'));
    from = a.events.length;
    const { key } = await enrollAgent(s, owner, { name: 'sz-1', claimedCountry: 'SG', gpus: [{ uuid: 'GPU-1', serial: '1' }] });
    await a.until(() => heard(a, from).has('nodes'));
    from = a.events.length;
    await measure(key);
    await a.until(() => heard(a, from).has('verdicts') && heard(a, from).has('alerts'));
    await auditor.until(() => auditor.events.length === 2);
    expect(auditor.events[1]!.data.kinds).toEqual(['verdicts']);

    await settle();
    expect(b.events.map((e) => e.event)).toEqual(['ready']);
    expect(auditor.events).toHaveLength(2);
    for (const x of [a, auditor, b]) x.close();
  });

  const measure = async (key: SigningKey) => {
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/measurements', payload: { measurements: LANDMARKS.map((l) => measurementOf(l, key.publicKey, SHENZHEN, s.clock.now())) } });
    expect(res.statusCode, res.body).toBeLessThan(300);
  };

  it('keeps a quiet stream alive, ends it once its token no longer works, and ends every stream when the server closes', async () => {
    const viewer = await s.tokenFor('org-a', 'viewer');
    const stream = await openStream(url, viewer);
    const other = await openStream(url, owner);
    await stream.until(() => stream.state.comments >= 2);
    // Revoked: the next heartbeat checks the token and ends the stream.
    const tokens = (await call('GET', '/api/v1/tokens', owner)).json() as { tokens: { id: string; role: string }[] };
    const id = tokens.tokens.find((t) => t.role === 'viewer')!.id;
    expect((await call('DELETE', `/api/v1/tokens/${id}`, owner)).statusCode).toBe(200);
    await stream.until(() => stream.state.ended);
    expect(other.state.ended).toBe(false);
    await s.app.close();
    await other.until(() => other.state.ended);
  });

  it('ends a stream whose token was still being checked when the server began to close, so that the close is not held up', async () => {
    const { checking, release } = holdTokenChecks();
    const opening = openStream(url, owner);
    await checking;
    const closing = s.app.close();
    await untilNotListening(s.app.server);
    release();
    const stream = await opening;
    await stream.until(() => stream.state.ended);
    await closing;
  });

  it('answers errors as JSON before streaming: no token, and too many streams open', async () => {
    expect((await call('GET', '/api/v1/changes', { authorization: '' })).json()).toMatchObject({ statusCode: 401, code: 'LOCUS_ERR_UNAUTHENTICATED' });
    // HEAD: the GET's headers, and nothing kept open.
    const head = await call('HEAD', '/api/v1/changes', owner);
    expect([head.statusCode, head.headers['content-type'], head.body]).toEqual([200, 'text/event-stream; charset=utf-8', '']);
    const streams = [await openStream(url, owner), await openStream(url, owner), await openStream(url, owner)];
    await Promise.all(streams.map((x) => x.until(() => x.events.length === 1)));
    const refused = await openStream(url, owner);
    await refused.until(() => refused.state.ended);
    expect(refused.res.statusCode).toBe(429);
    expect(refused.res.headers['retry-after']).toBe('30');
    expect(JSON.parse(refused.state.text)).toMatchObject({ code: 'LOCUS_ERR_RATE_LIMITED' });
    streams[0]!.close();
    // Closed by the client: its place is free again, once the server has seen it go.
    let again = await openStream(url, owner);
    for (let i = 0; i < 100 && again.res.statusCode === 429; i++) {
      await new Promise((r) => setTimeout(r, 20));
      again = await openStream(url, owner);
    }
    await again.until(() => again.events.length === 1);
    for (const x of [...streams.slice(1), again]) x.close();
  });
});

describe('relayPayloads', () => {
  it('splits changes into as few NOTIFY payloads as hold them under the limit in bytes, each change once and in order', () => {
    // Org ids of 1- to 4-byte characters: the limit is in bytes, not characters.
    const changes = Array.from({ length: 2_000 }, (_, i) => JSON.stringify([`org-${i}-${'aé€😀'.repeat(1 + (i % 7))}`, i % 2 ? 'alerts' : 'verdicts']));
    const payloads = relayPayloads('server-a', changes, 7_000);
    expect(payloads.length).toBeGreaterThan(10);
    const parsed = payloads.map((p) => JSON.parse(p) as { from: string; changes: unknown[] });
    expect(parsed.every((p) => p.from === 'server-a')).toBe(true);
    expect(parsed.flatMap((p) => p.changes)).toEqual(changes.map((c) => JSON.parse(c) as unknown));
    for (const [i, p] of payloads.entries()) {
      expect(Buffer.byteLength(p)).toBeLessThanOrEqual(7_000);
      // Full: the next payload's first change would not have fitted in this one.
      const next = parsed[i + 1]?.changes[0];
      if (next !== undefined) expect(Buffer.byteLength(p) + 1 + Buffer.byteLength(JSON.stringify(next))).toBeGreaterThan(7_000);
    }
    expect(relayPayloads('server-a', changes.slice(0, 3))).toEqual([`{"from":"server-a","changes":[${changes.slice(0, 3).join(',')}]}`]);
    expect(relayPayloads('server-a', [])).toEqual([]);
  });
});

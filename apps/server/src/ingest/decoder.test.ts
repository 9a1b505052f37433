import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELLS_PER_ROW, generateSigningKey, signBody, wireText, type SampleWire } from '@locus/protocol';
import { h100Readings, signedBatch } from '../../../../test/support/ingest-batches.js';
import { hostInventory, testServer } from '../test-support.js';
import { buildDecoderWorker } from '../../../../test/support/worker-bundle.js';
import { decodeBatch, decodeBatchSync, needsBytes, type DecodedBatch } from './decode.js';
import { inThreadDecoder, workerDecoder } from './decoder.js';
import { WARM_UP_BATCHES_PER_THREAD, warmUpDecoder } from './warm-up.js';

const key = generateSigningKey();
const AT = Date.parse('2026-11-29T12:00:00.000Z');
const samples = (count: number, gpus = 2): SampleWire[] =>
  Array.from({ length: count }, (_, i) => ({ at: new Date(AT - (count - i) * 10_000).toISOString(), gpus: Array.from({ length: gpus }, (_, g) => h100Readings(`GPU-${g}`, (i + g) / 10)) }));
const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
const decoded = (d: DecodedBatch) => {
  if (d.kind !== 'decoded') throw new Error(`not decoded: ${d.kind}`);
  return d;
};

describe('decodeBatch', () => {
  const signed = signedBatch(key, samples(3));

  it('lays out the samples as columns and verifies the signature over the wire text', async () => {
    const d = decoded(await decodeBatchSync(bytes(wireText(signed))));
    expect(d.signed).toBe(true);
    expect(d.instants).toBe(3);
    expect(d.columns.gpus).toEqual(['GPU-0', 'GPU-1']);
    expect(d.columns.cells.length).toBe(6 * CELLS_PER_ROW);
    expect(d.columns.cells[0]).toBe(Date.parse(signed.samples[0]!.at));
    expect(d.batch).toEqual({ v: signed.v, batchId: signed.batchId, hostKey: signed.hostKey, sentAt: signed.sentAt, events: [], signature: signed.signature });
  });

  it('leaves the signature to the canonical re-encoding when the text is in another layout', async () => {
    for (const text of [JSON.stringify(signed), `${wireText(signed)}\n`, JSON.stringify(signed, null, 1)]) expect(decoded(await decodeBatchSync(bytes(text))).signed).toBe(false);
  });

  it('does not verify a changed text, another purpose, another key or a forged signature', async () => {
    const edited = wireText(signed).replace(/"temperatureC":\d+/, '"temperatureC":1');
    expect(edited).not.toBe(wireText(signed));
    const forged = `${signed.signature.startsWith('A') ? 'B' : 'A'}${signed.signature.slice(1)}`;
    const { signature: _s, ...body } = signed;
    const texts = [edited, wireText(signBody('enroll', body as never, key.privateKey)), wireText(signBody('ingest', body as never, generateSigningKey().privateKey)), wireText({ ...signed, signature: forged })];
    for (const text of texts) expect(decoded(await decodeBatchSync(bytes(text))).signed).toBe(false);
  });

  it('calls text that is not JSON malformed, and anything without valid samples or envelope invalid', async () => {
    expect((await decodeBatchSync(bytes('{"v":1,'))).kind).toBe('malformed');
    expect((await decodeBatchSync(bytes(''))).kind).toBe('malformed');
    const envelopes = [{ ...signed, batchId: 7 }, { ...signed, events: [{ kind: 'shell' }] }, { ...signed, extra: true }];
    // In agents' own layout (read by the scanner) as well as any other.
    const texts = [...envelopes.map((e) => wireText(e as never)), ...envelopes.map((e) => JSON.stringify(e))];
    for (const text of ['[]', 'null', '{}', JSON.stringify({ ...signed, samples: [{ at: 'yesterday', gpus: [] }] }), JSON.stringify({ ...signed, samples: [{ at: signed.samples[0]!.at, gpus: [{ uuid: 'GPU-0' }] }] }), ...texts]) {
      expect((await decodeBatchSync(bytes(text))).kind, text).toBe('invalid');
    }
  });

  it('reads text beyond ASCII as UTF-8', async () => {
    const withName = signedBatch(key, samples(1), [{ kind: 'xid', id: randomUUID(), at: signed.sentAt, gpu: null, pciBusId: '0000:18:00.0', xid: 79, message: 'GPU fell off the bus — Überhitzung' }]);
    const d = decoded(await decodeBatch(bytes(wireText(withName)), () => true));
    expect((d.batch.events[0] as { message: string }).message).toBe('GPU fell off the bus — Überhitzung');
  });
});

describe('workerDecoder', () => {
  let worker: { url: URL; remove(): void };
  beforeAll(async () => {
    worker = await buildDecoderWorker();
  }, 60_000);
  afterAll(() => worker.remove());

  it('decodes on worker threads exactly as on the calling thread, many batches at once', async () => {
    const decoder = workerDecoder(worker.url, 2);
    try {
      expect(decoder.threads).toBe(2);
      // Small texts (copied to the workers) and large ones (moved there, and back where needed, once a worker has answered).
      const texts = Array.from({ length: 40 }, (_, i) => bytes(i % 4 === 0 ? JSON.stringify(signedBatch(key, samples(1 + (i % 7), 1 + (i % 5) * 8))) : wireText(signedBatch(key, samples(1 + (i % 7), 1 + (i % 5) * 8)))));
      texts.push(bytes('not json'), bytes('{"samples":1}'));
      const copies = texts.map((t) => Buffer.from(t));
      // Both threads answer once (two at a time go to both), so that later bytes move to either.
      await Promise.all([decoder.decode(bytes('[]')), decoder.decode(bytes('[]'))]);
      const [answers, here] = await Promise.all([Promise.all(texts.map((t) => decoder.decode(t))), Promise.all(copies.map((t) => inThreadDecoder().decode(t)))]);
      expect(answers.map((d) => d.decoded)).toEqual(here.map((d) => d.decoded));
      expect(answers.filter((d) => d.decoded.kind === 'decoded' && d.decoded.signed)).toHaveLength(30);
      // The large ones left the Buffers given empty, and came back where the server reads them again, as sent.
      expect(texts.filter((t) => t.byteLength === 0).length).toBeGreaterThan(10);
      answers.forEach((d, i) => {
        if (texts[i]!.byteLength > 0 || needsBytes(d.decoded)) expect(d.bytes?.toString('utf8')).toBe(copies[i]!.toString('utf8'));
        else expect(d.bytes).toBeUndefined();
      });
      expect(answers.filter((d) => d.bytes === undefined).length).toBeGreaterThan(5);
      expect(answers.filter((d, i) => texts[i]!.byteLength === 0 && d.bytes !== undefined).length).toBeGreaterThan(2);
    } finally {
      await decoder.close();
    }
  });

  it('warms its threads up on made-up batches that decode as signed, and as on the calling thread; each thread says what checks signatures', async () => {
    const decoder = workerDecoder(worker.url, 2);
    try {
      const warm = await warmUpDecoder(decoder);
      expect(warm).toMatchObject({ batches: 2 * WARM_UP_BATCHES_PER_THREAD, signed: 2 * WARM_UP_BATCHES_PER_THREAD });
      expect(warm.ms).toBeGreaterThan(0);
      // Said by the threads themselves (the bundled worker, loading sodium-native from its own place).
      expect(decoder.signatureChecks).toEqual(['libsodium']);
      expect(await warmUpDecoder(inThreadDecoder(), 3)).toMatchObject({ batches: 3, signed: 3 });
      expect(inThreadDecoder().signatureChecks).toEqual(['node:crypto']);
    } finally {
      await decoder.close();
    }
  });

  it('decodes on the calling thread when its worker cannot start, losing no batch', async () => {
    const logged: string[] = [];
    const decoder = workerDecoder(new URL('./no-such-worker.js', worker.url), 1, (m) => logged.push(m));
    try {
      const text = bytes(wireText(signedBatch(key, samples(2))));
      // Large enough to move, but a worker that never answered is sent copies.
      const large = () => bytes(wireText(signedBatch(key, samples(20, 8))));
      const results = await Promise.all([...Array.from({ length: 5 }, () => decoder.decode(text)), decoder.decode(large())]);
      for (const d of results) expect(decoded(d.decoded).signed).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      expect(decoder.threads).toBe(0);
      expect(decoder.signatureChecks).toEqual([]);
      expect(logged.join('\n')).toMatch(/decoding on the server's thread/);
      expect(decoded((await decoder.decode(text)).decoded).signed).toBe(true);
      expect(decoded((await decoder.decode(large())).decoded).signed).toBe(true);
    } finally {
      await decoder.close();
    }
  });

  it('fails a batch whose bytes moved to a thread that then stopped, and decodes the next on the calling thread', async () => {
    // A stand-in worker: answers the first batch, ends on the second (as a thread that crashes would).
    const dir = mkdtempSync(join(tmpdir(), 'locus-decoder-test-'));
    const script = join(dir, 'stops.mjs');
    writeFileSync(
      script,
      `import { parentPort } from 'node:worker_threads';
let seen = 0;
parentPort.on('message', ({ id, bytes, moved }) => {
  if (++seen > 1) process.exit(3);
  parentPort.postMessage({ id, decoded: { kind: 'invalid' }, bytes: moved ? bytes : undefined });
});`,
    );
    const logged: string[] = [];
    const decoder = workerDecoder(pathToFileURL(script), 1, (m) => logged.push(m));
    try {
      const large = () => bytes(wireText(signedBatch(key, samples(20, 8))));
      expect((await decoder.decode(large())).decoded.kind).toBe('invalid');
      const lost = large();
      await expect(decoder.decode(lost)).rejects.toThrow(/the thread holding this batch stopped \(exit 3\)/);
      expect(lost.byteLength).toBe(0);
      expect(logged.join('\n')).toMatch(/decoding on the server's thread/);
      expect(decoded((await decoder.decode(large())).decoded).signed).toBe(true);
    } finally {
      await decoder.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves the ingest route: a batch stored once, a forged one refused, errors as on the calling thread', async () => {
    const decoder = workerDecoder(worker.url, 1);
    const s = await testServer('sqlite::memory:', {}, decoder);
    try {
      const owner = await s.tokenFor('default', 'owner');
      const token = ((await s.app.inject({ method: 'POST', url: '/api/v1/enrollment-tokens', headers: owner, payload: {} })).json() as { token: string }).token;
      const gpus = [0, 1].map((g) => ({ uuid: `GPU-${g}`, serial: `16${g}` }));
      const enroll = signBody('enroll', { v: 1, token, hostKey: key.publicKey, name: 'w1', claimedCountry: 'DE', inventory: hostInventory(gpus), at: s.clock.now().toISOString() }, key.privateKey);
      expect((await s.app.inject({ method: 'POST', url: '/api/v1/agents/enroll', payload: enroll })).statusCode).toBe(201);
      const post = (body: string) => s.app.inject({ method: 'POST', url: '/api/v1/ingest', headers: { 'content-type': 'application/json' }, payload: body });
      const batch = signedBatch(key, samples(3));
      expect((await post(wireText(batch))).json()).toEqual({ batchId: batch.batchId, duplicate: false, samples: 3, events: 0 });
      expect((await post(JSON.stringify(batch))).json()).toEqual({ batchId: batch.batchId, duplicate: true, samples: 0, events: 0 });
      const other = signedBatch(key, samples(2));
      expect((await post(JSON.stringify(other))).json()).toMatchObject({ duplicate: false, samples: 2 });
      const forged = wireText({ ...signedBatch(key, samples(1)), signature: other.signature });
      expect((await post(forged)).json()).toMatchObject({ statusCode: 401, code: 'LOCUS_ERR_UNAUTHENTICATED' });
      expect((await post('{"v":1,')).json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_MALFORMED_JSON' });
      // An empty body, and none at all (no Content-Type either: no content parser runs).
      expect((await post('')).json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_MALFORMED_JSON' });
      expect((await s.app.inject({ method: 'POST', url: '/api/v1/ingest' })).json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_MALFORMED_JSON', message: 'the body is not valid JSON: there is none' });
      const badSample = JSON.stringify({ ...signedBatch(key, samples(1)), samples: [{ at: '2026-02-30T00:00:00.000Z', gpus: [] }] });
      expect((await post(badSample)).json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION', message: 'body samples.0.at: is not a real date and time' });
      const extra = JSON.stringify({ ...signedBatch(key, samples(1)), shell: 'reboot' });
      expect((await post(extra)).json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION' });
      const proto = wireText(signedBatch(key, samples(1))).replace('{', '{"__proto__":{"polluted":true},');
      expect((await post(proto)).json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION' });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      // Bytes that are not UTF-8 (ü in Latin-1), and a compressed body: said so, never read as other text.
      const latin1 = Buffer.from(wireText(signedBatch(key, samples(1))).replace('{', '{"note":"zürich",'), 'latin1');
      expect((await s.app.inject({ method: 'POST', url: '/api/v1/ingest', headers: { 'content-type': 'application/json' }, payload: latin1 })).json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_MALFORMED_JSON', message: 'the body is not valid JSON: its bytes are not UTF-8; send JSON as UTF-8' });
      const zipped = gzipSync(wireText(signedBatch(key, samples(1))));
      expect((await s.app.inject({ method: 'POST', url: '/api/v1/ingest', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: zipped })).json()).toMatchObject({ statusCode: 415, code: 'LOCUS_ERR_UNSUPPORTED_MEDIA' });
      const stored = (await s.app.inject({ method: 'GET', url: `/api/v1/nodes/${(await s.app.inject({ method: 'GET', url: '/api/v1/nodes', headers: owner })).json<{ nodes: { id: string }[] }>().nodes[0]!.id}/samples?limit=1000`, headers: owner })).json() as { samples: unknown[] };
      // 3 instants × 2 GPUs: the second batch's two instants were already stored by the first.
      expect(stored.samples).toHaveLength(2 * 3);
      // Large batches (their bytes moved to the worker and back) read again where they must be: another layout, a forgery, an invalid sample.
      const big = signedBatch(key, samples(40));
      expect((await post(JSON.stringify(big))).json()).toMatchObject({ duplicate: false, samples: 40 });
      expect((await post(JSON.stringify({ ...signedBatch(key, samples(40)), signature: big.signature }))).json()).toMatchObject({ statusCode: 401, code: 'LOCUS_ERR_UNAUTHENTICATED' });
      const bigBad = wireText({ ...signedBatch(key, samples(40)), samples: [...samples(39), { at: '2026-02-30T00:00:00.000Z', gpus: [] }] } as { signature: string });
      expect((await post(bigBad)).json()).toMatchObject({ statusCode: 400, code: 'LOCUS_ERR_VALIDATION', message: 'body samples.39.at: is not a real date and time' });
    } finally {
      await s.close();
    }
  });
});

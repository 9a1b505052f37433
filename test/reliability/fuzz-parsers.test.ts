import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_RESTRICTED } from '@locus/geo';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { buildProof, verifyProof } from '@locus/proof';
import { startResponder } from '@locus/responder';
import { generateSigningKey, PROTOCOL_ERRORS, PROTOCOL_VERSION, signChallenge, toBase64url, verifyChallengeResponse, type ProtocolErrorCode } from '@locus/protocol';
import { parseNvidiaSmiXml, SmiParseError } from '../../apps/agent/src/nvidia/smi-xml.js';
import { parseKernelLog } from '../../apps/agent/src/nvidia/kmsg.js';
import { CliError, CLI_ERRORS } from '../../apps/cli/src/errors.js';
import { parseClaims, parseLandmarks, parseRtts } from '../../apps/cli/src/geo/inputs.js';
import { runLocus, tempFiles } from '../../apps/cli/src/test-support.js';
import { DEFAULT_MEASURE_CONFIG, type LandmarkEnv, type MeasureConfig } from '../../apps/landmark/src/config.js';
import { HostSession } from '../../apps/landmark/src/host-session.js';
import { testLandmark } from '../../apps/landmark/src/test-support.js';
import { landmarkAt, signedMeasurement } from '../support/measurements.js';
import { sharedData } from '../support/shared-data.js';
import { recordFigures, scaled } from './figures.js';
import { fuzzRuns, mutated, within } from './fuzz-support.js';

/**
 * Every parser of outside input: the geo CSVs, proof bundles, landmark wire messages, nvidia-smi
 * XML and kernel-log lines. Bad input gives the parser's own coded error (exit 2 at the CLI),
 * never a crash, a hang or an untyped exception.
 */
const cases: Record<string, number> = {};
const count = (target: string): void => void (cases[target] = (cases[target] ?? 0) + 1);
const dir = tempFiles({});
afterAll(() => {
  recordFigures('fuzz-parsers', Object.fromEntries(Object.entries(cases).map(([k, v]) => [`cases.${k}`, v])));
  rmSync(dir, { recursive: true, force: true });
});

/** A parser's outcome: a value, or a coded CLI error that exits 2. Anything else fails. */
function expectCoded(parse: () => unknown, input: string): void {
  try {
    parse();
  } catch (error) {
    if (!(error instanceof CliError)) throw new Error(`untyped ${String(error)} for ${JSON.stringify(input).slice(0, 500)}`, { cause: error });
    expect(CLI_ERRORS[error.code].exitCode).toBe(2);
    expect(error.message).toMatch(/\S/);
  }
}

/** CSV text: plausible fields (numbers, countries, ids), quotes, odd separators and line ends. */
const field = fc.oneof(
  fc.constantFrom('sin', 'tyo', 'fra', 'SG', 'DE', 'xx', 'ZZ', '1.5', '-90', '180.0001', '1e3', 'NaN', 'Infinity', '0x10', '', ' ', '"', '""', '"a,b"', '"a\nb"', '\u00a0', '١٢'),
  fc.double().map(String),
  fc.string({ maxLength: 12 }),
);
const csv = (header: readonly string[]): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.oneof(fc.constant(header.join(',')), fc.shuffledSubarray([...header, 'extra']).map((h) => h.join(',')), fc.string({ maxLength: 30 })),
      fc.array(fc.array(field, { minLength: 0, maxLength: header.length + 2 }).map((r) => r.join(',')), { maxLength: 8 }),
      fc.constantFrom('\n', '\r\n', '\r', '\n\n'),
      fc.constantFrom('', '\ufeff'),
    )
    .map(([head, rows, eol, bom]) => `${bom}${[head, ...rows].join(eol)}`);

describe('parser fuzzing', () => {
  const landmarks = parseLandmarks('l.csv', 'id,name,country,lat,lon\nsin,Singapore,SG,1.35,103.82\ntyo,Tokyo,JP,35.68,139.65\n');

  it('reads the geo verify CSVs into values or a coded exit-2 error naming the file', () => {
    fc.assert(
      fc.property(csv(['id', 'name', 'country', 'lat', 'lon']), csv(['target', 'landmark', 'rtt_ms']), csv(['target', 'country']), (l, r, c) => {
        count('geo-csv');
        expectCoded(() => parseLandmarks('l.csv', l), l);
        expectCoded(() => parseRtts('r.csv', r, landmarks, 'l.csv'), r);
        expectCoded(() => parseClaims('c.csv', c), c);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('runs locus geo verify end to end on generated files: exit 0 or 2 with a code, never a crash', async () => {
    const gen = fc.tuple(csv(['id', 'name', 'country', 'lat', 'lon']), csv(['target', 'landmark', 'rtt_ms']));
    await fc.assert(
      fc.asyncProperty(gen, async ([l, r]) => {
        count('geo-verify-cli');
        writeFileSync(join(dir, 'l.csv'), l);
        writeFileSync(join(dir, 'r.csv'), r);
        const res = await runLocus(['geo', 'verify', '--landmarks', join(dir, 'l.csv'), '--rtts', join(dir, 'r.csv')]);
        expect([0, 2], res.stderr).toContain(res.code);
        if (res.code === 2) expect(res.stderr).toMatch(/^locus: error LOCUS_ERR_[A-Z_]+: /);
      }),
      { numRuns: scaled(1_000, 100) },
    );
  });

  const world = naturalEarthWorld();
  const lms = [landmarkAt('sin', 'SG', 1.3521, 103.8198), landmarkAt('tyo', 'JP', 35.6762, 139.6503), landmarkAt('fra', 'DE', 50.1109, 8.6821)];
  const host = generateSigningKey().publicKey;
  const createdAt = new Date('2026-11-29T12:00:00.000Z');
  const bundle = buildProof(world, {
    hostKey: host,
    claimed: 'SG',
    landmarks: lms.map((l) => l.info),
    measurements: lms.map((l, i) => signedMeasurement(l, host, { lat: 1.33, lon: 103.74 }, new Date(createdAt.getTime() - 60_000 * (i + 1)))),
    speed: 'vacuum',
    restricted: DEFAULT_RESTRICTED,
    marginKm: 25,
    maxAgeMs: 24 * 3600_000,
    travelKmPerH: 1200,
    createdAt,
  });

  it('checks every mutated proof bundle: a verdict with reasons, never an exception', () => {
    expect(verifyProof(world, structuredClone(bundle)).ok).toBe(true);
    fc.assert(
      fc.property(mutated(bundle), (b) => {
        count('proof-bundle');
        const result = verifyProof(world, b);
        if (!result.ok) expect(result.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('runs locus proof verify on generated files: exit 0 or 3 (holds) or 1 (does not hold, each problem coded), never bad input nor a crash', async () => {
    const text = fc.oneof(mutated(bundle).map((b) => JSON.stringify(b) ?? ''), fc.string({ maxLength: 200 }), fc.jsonValue().map((v) => JSON.stringify(v)));
    await fc.assert(
      fc.asyncProperty(text, fc.boolean(), async (t, asJson) => {
        count('proof-verify-cli');
        writeFileSync(join(dir, 'proof.json'), t);
        const res = await runLocus(['proof', 'verify', join(dir, 'proof.json'), ...(asJson ? ['--json'] : [])]);
        // Whatever a readable proof file holds is the bundle's problem, not bad input (exit 2).
        expect([0, 1, 3], `${res.stderr}\n${t.slice(0, 1000)}`).toContain(res.code);
        expect(res.stderr).toBe('');
        if (res.code === 1 && !asJson) {
          // Each problem on a line of its own, with its code: a proof's own (LOCUS_ERR_PROOF_…) or a
          // measurement's (a repeated nonce hash is LOCUS_ERR_MEASUREMENT_REPLAYED).
          const said = /^proof does NOT hold \((\d+) problems?\):\n/.exec(res.stdout);
          expect(said, res.stdout).not.toBeNull();
          expect(res.stdout.split('\n').filter((line) => /^ {2}LOCUS_ERR_(PROOF|MEASUREMENT)_[A-Z_]+ at /.test(line))).toHaveLength(Number(said![1]));
        }
      }),
      // Each run builds the world's borders afresh (half a second), as one `locus` process does.
      { numRuns: scaled(200, 20) },
    );
  });

  it("gives a landmark's host session any frame: a protocol error code and a closed channel, or a valid step", () => {
    const lm = testLandmark('fuzz-lm', 50.1, 8.7);
    const hostKey = generateSigningKey();
    const env: LandmarkEnv = { monotonicNs: () => 0n, random: () => 0.5, randomBytes: (n) => Buffer.alloc(n, 7), now: () => createdAt };
    const config: MeasureConfig = { ...DEFAULT_MEASURE_CONFIG, rounds: 3, firstMeasureAfterMs: 60_000 };
    const hello = { type: 'hello', v: PROTOCOL_VERSION, hostKey: hostKey.publicKey, software: 'fuzz' };
    const response = { type: 'response', v: PROTOCOL_VERSION, seq: 0, signature: signChallenge(toBase64url(env.randomBytes(32)), hostKey.publicKey, hostKey.privateKey) };
    const frame = fc.oneof(mutated(hello).map((m) => JSON.stringify(m) ?? ''), mutated(response).map((m) => JSON.stringify(m) ?? ''), fc.string({ maxLength: 100 }), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)));
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 4 }), (frames) => {
        count('landmark-host-message');
        const problems: ProtocolErrorCode[] = [];
        let closed = false;
        const session = new HostSession(lm.info, lm.key.privateKey, config, env, { send: () => {}, close: () => void (closed = true) }, { onMeasurement: () => {}, onProblem: (code) => void problems.push(code) });
        try {
          for (const f of frames) session.receive(f, 1_000n);
          for (const code of problems) expect(Object.keys(PROTOCOL_ERRORS)).toContain(code);
          if (problems.length > 0) expect(closed).toBe(true);
        } finally {
          session.close();
        }
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it("keeps the host's responder answering whatever a landmark sends: one answer or one event per frame", async () => {
    const lm = testLandmark('fuzz-lm', 50.1, 8.7);
    const key = generateSigningKey();
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    const socket = new Promise<WebSocket>((r) => wss.once('connection', (ws) => r(ws)));
    let signal: (() => void) | undefined;
    const settled = () => new Promise<void>((r) => (signal = r));
    const events: string[] = [];
    // Frames come as fast as they are answered: no bound on challenges a second here (responder.test.ts tests it).
    const responder = startResponder({ url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, key, maxChallengesPerS: Infinity, onEvent: (e) => {
        events.push(e.kind);
        signal?.();
      },
    });
    const ws = await socket;
    const answers: string[] = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string };
      if (m.type !== 'response') return;
      answers.push(String(data));
      signal?.();
    });
    const nonce = toBase64url(Buffer.alloc(32, 9));
    const welcome = { type: 'welcome', v: PROTOCOL_VERSION, landmark: lm.info };
    const challenge = { type: 'challenge', v: PROTOCOL_VERSION, seq: 1, nonce };
    const notice = { type: 'measurement', v: PROTOCOL_VERSION, signed: signedMeasurement(lm, key.publicKey, { lat: 50, lon: 8 }, createdAt) };
    const refusal = { type: 'error', v: PROTOCOL_VERSION, code: 'LOCUS_ERR_PROTO_BUSY', message: 'busy' };
    // Frames over the responder's 64 KiB limit end the connection by design (it reconnects): not generated here.
    const frame = fc
      .oneof(...[welcome, challenge, notice, refusal].map((m) => mutated(m).map((x) => JSON.stringify(x) ?? '')), fc.string({ maxLength: 100 }), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)))
      .filter((f) => Buffer.byteLength(f) < 60_000);
    try {
      await fc.assert(
        fc.asyncProperty(frame, async (f) => {
          count('responder-landmark-message');
          const before = events.length + answers.length;
          const done = settled();
          ws.send(f);
          await within(5_000, 'the responder', done);
          expect(events.length + answers.length).toBe(before + 1);
          expect(events).not.toContain('disconnected');
        }),
        { numRuns: fuzzRuns() },
      );
      // Still alive and still honest: a fresh challenge gets a valid signature.
      const done = settled();
      ws.send(JSON.stringify({ ...challenge, seq: 999_999 }));
      await within(5_000, 'the responder', done);
      const last = JSON.parse(answers.at(-1)!) as { seq: number; signature: string };
      expect(last.seq).toBe(999_999);
      expect(verifyChallengeResponse(nonce, key.publicKey, last.signature)).toBe(true);
    } finally {
      await responder.close();
      wss.close();
    }
  });

  const xmlDir = sharedData('nvidia/nvidia-smi-xml');
  it.skipIf(!xmlDir)('parses every mutated nvidia-smi XML capture or refuses it with SmiParseError', () => {
    const captures = readdirSync(xmlDir!).filter((f) => f.endsWith('.xml')).map((f) => readFileSync(join(xmlDir!, f), 'utf8'));
    const xml = fc.tuple(fc.constantFrom(...captures), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 200 }), fc.oneof(fc.constantFrom('', '<', '>', '</gpu>', '<gpu id="x">', 'N/A', '-1 W', '1e309 MiB', '&amp;', '&bogus;', '<![CDATA[', '<constructor>', '<__proto__>1</__proto__>'), fc.string({ maxLength: 20 }))), { maxLength: 4 }));
    fc.assert(
      fc.property(xml, ([base, edits]) => {
        count('nvidia-smi-xml');
        let text = base;
        for (const [at, cut, insert] of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + insert + text.slice(i + cut);
        }
        try {
          const log = parseNvidiaSmiXml(text);
          expect(Array.isArray(log.gpus)).toBe(true);
        } catch (error) {
          if (!(error instanceof SmiParseError)) throw new Error(`untyped ${String(error)}`, { cause: error });
        }
      }),
      { numRuns: fuzzRuns() },
    );
  });

  const kmsgDir = sharedData('nvidia/kmsg');
  it.skipIf(!kmsgDir)('reads any kernel-log text (mutated real captures, raw and dmesg formats) without throwing', () => {
    const lines = readdirSync(kmsgDir!).flatMap((f) => readFileSync(join(kmsgDir!, f), 'utf8').split('\n'));
    const line = fc.oneof(
      fc.constantFrom(...lines),
      fc.tuple(fc.constantFrom(...lines), fc.nat(), fc.string({ maxLength: 30 })).map(([l, at, s]) => l.slice(0, at % (l.length + 1)) + s + l.slice(at % (l.length + 1))),
      fc.string({ maxLength: 120 }),
      fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 60 })).map(([p, t, m]) => `${p % 8},${t},${t * 1000},-;NVRM: Xid (PCI:0000:${m}): ${m}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), (ls) => {
        count('kmsg');
        const scan = parseKernelLog(ls.join('\n'));
        for (const x of scan.xids) expect(Number.isInteger(x.xid)).toBe(true);
      }),
      { numRuns: fuzzRuns() },
    );
  });
});

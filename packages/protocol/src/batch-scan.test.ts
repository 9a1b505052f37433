import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { samplesValid, signBody, wireText, type GpuMetricsWire, type SampleWire } from './agent.js';
import { scanCanonicalBatch, type ScannedBatch } from './batch-scan.js';
import { generateSigningKey } from './keys.js';
import { PROTOCOL_VERSION } from './messages.js';
import { CELLS_PER_ROW, sampleColumns } from './sample-columns.js';

/** What the server reads from a batch's text without the scanner: JSON.parse, samplesValid, sampleColumns. */
function parsedAsBefore(text: Buffer): ScannedBatch | 'malformed' | 'invalid' {
  let body: unknown;
  try {
    body = JSON.parse(text.toString('utf8'));
  } catch {
    return 'malformed';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'invalid';
  const { samples, ...envelope } = body as Record<string, unknown>;
  if (!samplesValid(samples)) return 'invalid';
  const instants = samples as SampleWire[];
  return { envelope, instants: instants.length, columns: sampleColumns(instants.map((s) => ({ at: Date.parse(s.at), gpus: s.gpus }))) };
}

/** The scanner either declines or reads exactly what JSON.parse and the checks read. */
function expectSameReading(text: Buffer): ScannedBatch | undefined {
  const scanned = scanCanonicalBatch(text);
  if (scanned === undefined) return undefined;
  const before = parsedAsBefore(text);
  expect(before, text.toString('utf8').slice(0, 400)).not.toBeTypeOf('string');
  const reference = before as ScannedBatch;
  expect(scanned.envelope).toStrictEqual(reference.envelope);
  expect(scanned.instants).toBe(reference.instants);
  expect(scanned.columns.gpus).toStrictEqual(reference.columns.gpus);
  expect(scanned.columns.reasons).toStrictEqual(reference.columns.reasons);
  expect(scanned.columns.cells.length).toBe(reference.columns.cells.length);
  // Cell by cell with Object.is: NaN for null, and -0 apart from 0.
  const differing = Array.from(scanned.columns.cells).findIndex((v, i) => !Object.is(v, reference.columns.cells[i]));
  expect(differing, `cell ${differing} (row ${Math.floor(differing / CELLS_PER_ROW)})`).toBe(-1);
  return scanned;
}

const key = generateSigningKey();
const batchText = (samples: readonly SampleWire[], events: readonly unknown[] = []): Buffer =>
  Buffer.from(wireText(signBody('ingest', { v: PROTOCOL_VERSION, batchId: '4b8f4c59-6c0e-4f39-9d0c-4ad5d1ab2f0e', hostKey: key.publicKey, sentAt: '2026-11-29T12:00:00.000Z', samples, events } as never, key.privateKey)));

/** Numbers of every shape JSON writes: integers, decimals, exponents, long and tiny ones. */
const reading = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -1_000_000, max: 10_000_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Object.is(v, -0)),
  fc.tuple(fc.integer({ min: -999_999_999, max: 999_999_999 }), fc.integer({ min: 0, max: 15 })).map(([n, k]) => n / 10 ** k),
  fc.constantFrom(0.1 + 0.2, 1e21, 1e-7, 123456789012345.6, 2 ** 53 + 2, 5e-324, 1.7976931348623157e308),
);
/** Texts agents send (printable ASCII) and some they do not: escapes, non-ASCII, overlong. */
const text = (max: number) => fc.oneof(fc.string({ unit: fc.constantFrom(...'abcXYZ-_09 .'.split('')), maxLength: max }), fc.string({ maxLength: max + 2 }), fc.constantFrom('', 'a"b', 'back\\slash', 'tab\t', 'é', '\u2028'));
const gpu: fc.Arbitrary<GpuMetricsWire> = fc.record({
  uuid: fc.oneof(fc.constantFrom('GPU-0', 'GPU-1', 'GPU-2'), text(101)),
  temperatureC: reading,
  memoryTemperatureC: reading,
  powerDrawW: reading,
  powerLimitW: reading,
  energyMj: reading,
  smClockMHz: reading,
  memoryClockMHz: reading,
  gpuUtilizationPct: reading,
  memoryUtilizationPct: reading,
  framebufferUsedMiB: reading,
  framebufferTotalMiB: reading,
  eccVolatileUncorrected: reading,
  eccAggregateUncorrected: reading,
  remappedRowsPending: fc.constantFrom(null, true, false),
  pcieReplayCounter: reading,
  clockEventReasons: fc.oneof(fc.constant(null), fc.array(text(65), { maxLength: 17 })),
});
const instant = fc.integer({ min: Date.parse('2020-01-01T00:00:00.000Z'), max: Date.parse('2030-01-01T00:00:00.000Z') }).map((ms) => new Date(ms).toISOString());
const samples = fc.array(fc.record({ at: instant, gpus: fc.array(gpu, { maxLength: 9 }) }), { maxLength: 6 });
const events = fc.array(fc.record({ kind: fc.constant('xid'), message: text(20), xid: fc.integer({ min: 0, max: 200 }) }), { maxLength: 2 });

describe('scanCanonicalBatch', () => {
  it('reads an agent batch exactly as JSON.parse and the checks do, and does read it', () => {
    fc.assert(
      fc.property(samples, events, (s, e) => {
        const body = batchText(s, e);
        const scanned = expectSameReading(body);
        // In agents' layout with plain texts and valid samples, the scanner must not decline.
        const plain = (t: string) => /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(t);
        const texts = s.flatMap((x) => x.gpus.flatMap((g) => [g.uuid, ...(g.clockEventReasons ?? [])]));
        if (texts.every(plain) && samplesValid(s)) expect(scanned, body.toString('utf8').slice(0, 300)).toBeDefined();
      }),
      { numRuns: 300, seed: 20261129 },
    );
  });

  it('declines, or reads the same, whatever bytes are changed, added or cut', () => {
    const base = batchText(
      [0, 1, 2].map((i) => ({
        at: new Date(Date.parse('2026-11-29T11:00:00.000Z') + i * 10_000).toISOString(),
        gpus: [0, 1].map((g) => ({ ...gpuOf(`GPU-${g}`, i + g), clockEventReasons: g === 1 ? ['SwPowerCap', 'HwSlowdown'] : [] })),
      })),
      [{ kind: 'xid', message: 'Überhitzung, "quoted" \\ and }]', xid: 79 }],
    );
    const bytes = fc.constantFrom(...' ,:"\\{}[]-+.0159eEnulltrufals\u00e9\n'.split('').map((c) => Buffer.from(c)[0]!));
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(base.length - 1), byte: bytes }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(base.length), byte: bytes }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(base.length - 1), length: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(base.length - 1), length: fc.integer({ min: 1, max: 400 }) }),
    );
    let read = 0;
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        let b = Buffer.from(base);
        for (const e of edits) {
          const at = Math.min(e.at, b.length);
          if (e.kind === 'set') b[Math.min(at, b.length - 1)] = e.byte;
          else if (e.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from([e.byte]), b.subarray(at)]);
          else if (e.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.length)]);
          else b = Buffer.concat([b.subarray(0, at + e.length), b.subarray(at)]);
        }
        if (expectSameReading(b)) read++;
      }),
      { numRuns: 5000, seed: 7 },
    );
    // Edits inside values (a digit for a digit, a texts's letter) keep the layout: some must be read.
    expect(read).toBeGreaterThan(150);
  });

  it('reads every number form JSON has to the same double', () => {
    const numbers = ['0', '-0', '7', '-7', '0.5', '663.02', '0.0001234', '3.14159265358979', '-2.718281828459045', '98765.4321', '835.27199727433625', '9531.428839566389', '10502601.075924343', '1e3', '1E+3', '2.5e-3', '123456789012345', '1234567890123456', '0.1000000000000000055511151231257827', '9007199254740993', '1e400', '-1e400', '4.9e-324', '1e-400'];
    for (const n of numbers) {
      const text = batchText([{ at: '2026-11-29T12:00:00.000Z', gpus: [gpuOf('GPU-0', 1)] }]).toString('latin1').replace('"energyMj":', `"energyMj":${n},"x":`);
      // The replacement leaves a member "x" with the old value: take it out again.
      const body = Buffer.from(text.replace(/,"x":[^,]*/, ''), 'latin1');
      const scanned = expectSameReading(body);
      if (n.endsWith('e400') && !n.startsWith('1e-')) expect(scanned, n).toBeUndefined();
      else expect(scanned?.columns.cells[2 + 4], n).toBe(Number(n));
    }
    for (const bad of ['01', '-', '1.', '.5', '+1', '1e', '0x10', 'NaN', 'Infinity', '1..2']) {
      const text = batchText([{ at: '2026-11-29T12:00:00.000Z', gpus: [gpuOf('GPU-0', 1)] }]).toString('latin1').replace(/"energyMj":\d+/, `"energyMj":${bad}`);
      expect(scanCanonicalBatch(Buffer.from(text, 'latin1')), bad).toBeUndefined();
      expect(parsedAsBefore(Buffer.from(text, 'latin1')), bad).toBe('malformed');
    }
  });

  it('leaves other layouts, duplicate members and oversized batches to JSON.parse', () => {
    const one = { at: '2026-11-29T12:00:00.000Z', gpus: [gpuOf('GPU-0', 1)] };
    const body = batchText([one]).toString('latin1');
    const declined = [
      JSON.stringify(JSON.parse(body), null, 1),
      `${body} `,
      body.replace('{"at"', '{ "at"'),
      body.replace('"samples":[', '"samples":[],"samples":['),
      body.replace('"uuid":"GPU-0"', '"uuid":"GPU-0","uuid":"GPU-1"'),
      body.replace('"samples"', '"sampl\\u0065s"'),
      body.replace('"gpus":[', '"gpus":[{},'),
      batchText(Array.from({ length: 1001 }, () => ({ at: one.at, gpus: [] }))).toString('latin1'),
      batchText([{ at: one.at, gpus: Array.from({ length: 65 }, () => gpuOf('GPU-0', 1)) }]).toString('latin1'),
      batchText([{ at: '2026-02-30T00:00:00.000Z', gpus: [] }]).toString('latin1'),
    ];
    const limits = (uuid: string, reasons: string[]) => batchText([{ at: one.at, gpus: [{ ...gpuOf(uuid, 1), clockEventReasons: reasons }] }]).toString('latin1');
    declined.push(limits('G'.repeat(101), []), limits('', []), limits('GPU-0', ['r'.repeat(65)]), limits('GPU-0', Array.from({ length: 17 }, () => 'r')));
    for (const text of declined) expect(scanCanonicalBatch(Buffer.from(text, 'latin1')), text.slice(0, 200)).toBeUndefined();
    for (const text of [limits('G'.repeat(100), ['r'.repeat(64)]), limits('G', Array.from({ length: 16 }, () => 'r'))]) expect(expectSameReading(Buffer.from(text, 'latin1'))).toBeDefined();
    // At the limits, still read.
    expect(expectSameReading(batchText(Array.from({ length: 1000 }, () => ({ at: one.at, gpus: [] }))))?.instants).toBe(1000);
    expect(expectSameReading(batchText([{ at: one.at, gpus: Array.from({ length: 64 }, (_, g) => gpuOf(`GPU-${g}`, g)) }]))?.columns.gpus).toHaveLength(64);
  });

  it('keeps a "__proto__" member as an own member of the envelope, as JSON.parse does', () => {
    const body = batchText([]).toString('latin1').replace('{', '{"__proto__":{"polluted":true},');
    const scanned = expectSameReading(Buffer.from(body, 'latin1'));
    expect(Object.keys(scanned!.envelope)).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

function gpuOf(uuid: string, n: number): GpuMetricsWire {
  return {
    uuid,
    temperatureC: 60 + n,
    memoryTemperatureC: null,
    powerDrawW: 512.25 + n,
    powerLimitW: 700,
    energyMj: 1_000_000_000 + n,
    smClockMHz: 1980,
    memoryClockMHz: 2619,
    gpuUtilizationPct: 97,
    memoryUtilizationPct: 51,
    framebufferUsedMiB: 60_000,
    framebufferTotalMiB: 81_559,
    eccVolatileUncorrected: 0,
    eccAggregateUncorrected: null,
    remappedRowsPending: n % 2 === 0,
    pcieReplayCounter: 0,
    clockEventReasons: null,
  };
}

import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GpuMetricsWire, MAX_BATCH_SAMPLES, SampleWire, samplesValid, signBody, signedPartOf, wireText } from './agent.js';
import { canonicalBytes, canonicalJson } from './canonical.js';
import { generateSigningKey } from './keys.js';
import { Instant, isInstant, PROTOCOL_VERSION } from './messages.js';

/** What samplesValid must accept, exactly. */
const SamplesSchema = z.array(SampleWire).max(MAX_BATCH_SAMPLES);
const zodAccepts = (samples: unknown): boolean => SamplesSchema.safeParse(samples).success;

type Plain = Record<string, unknown>;
const GPU_KEYS = Object.keys(GpuMetricsWire.shape) as (keyof GpuMetricsWire)[];

/** A copy of `o` with an own, enumerable member `key` (defined, so that "__proto__" stays a member). */
function withMember(o: Plain, key: string, value: unknown): Plain {
  const copy = { ...o };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function without(o: Plain, key: string): Plain {
  const copy = { ...o };
  delete copy[key];
  return copy;
}

/** An H100-like GPU, every field present. */
const gpu = (uuid = 'GPU-0'): GpuMetricsWire => ({
  uuid,
  temperatureC: 61,
  memoryTemperatureC: 70,
  powerDrawW: 512.25,
  powerLimitW: 700,
  energyMj: 1_005_120_000,
  smClockMHz: 1980,
  memoryClockMHz: 2619,
  gpuUtilizationPct: 73,
  memoryUtilizationPct: 44,
  framebufferUsedMiB: 51_712,
  framebufferTotalMiB: 81_559,
  eccVolatileUncorrected: 0,
  eccAggregateUncorrected: 0,
  remappedRowsPending: false,
  pcieReplayCounter: 0,
  clockEventReasons: [],
});

const AT = '2026-11-29T03:14:41.123Z';

// Generators. zod is the oracle, so a "mutation" may well leave the value valid (null where null
// is allowed, a string as the uuid): what matters is that both checks see the same inputs.

const readingArb = fc.oneof(fc.constant(null), fc.integer({ min: -1_000_000, max: 2_000_000_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
const reasonsArb = fc.option(fc.array(fc.string({ maxLength: 64 }), { maxLength: 16 }), { nil: null });
const fieldArb = (key: keyof GpuMetricsWire): fc.Arbitrary<unknown> =>
  key === 'uuid'
    ? fc.string({ minLength: 1, maxLength: 100 })
    : key === 'remappedRowsPending'
      ? fc.option(fc.boolean(), { nil: null })
      : key === 'clockEventReasons'
        ? reasonsArb
        : readingArb;
/** A valid GpuMetricsWire: every key of the schema's shape, so that a new field is generated too. */
const validGpuArb: fc.Arbitrary<Plain> = fc.record(Object.fromEntries(GPU_KEYS.map((k) => [k, fieldArb(k)])) as Record<string, fc.Arbitrary<unknown>>);

const validInstantArb = fc
  .date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const BAD_INSTANTS = [
  '2026-02-30T00:00:00.000Z',
  '2025-02-29T00:00:00.000Z',
  '2026-04-31T00:00:00.000Z',
  '2026-13-01T00:00:00.000Z',
  '2026-00-10T00:00:00.000Z',
  '2026-11-29T24:00:00.000Z',
  '2026-11-29T23:60:00.000Z',
  '2026-11-29T23:59:60.000Z',
  '2026-11-29T03:14:41Z',
  '2026-11-29T03:14:41.12Z',
  '2026-11-29T03:14:41.1234Z',
  '2026-11-29T03:14:41.123z',
  '2026-11-29T03:14:41.123+00:00',
  '2026-11-29 03:14:41.123Z',
  '+012026-11-29T03:14:41.123Z',
  '2026-11-29',
  '',
];
const instantArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: validInstantArb },
  { weight: 1, arbitrary: fc.constant('2024-02-29T00:00:00.000Z') },
  { weight: 3, arbitrary: fc.constantFrom(...BAD_INSTANTS) },
  { weight: 1, arbitrary: validInstantArb.map((s) => `${s} `) },
  { weight: 1, arbitrary: validInstantArb.map((s) => s.slice(0, -1)) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.constant(null), fc.constant(undefined), fc.date({ noInvalidDate: true })) },
);

/** Values of every JSON type and then some, valid for some fields and wrong for others. */
const anyValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constant({}),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
  fc.constant([]),
  fc.array(fc.integer(), { minLength: 1, maxLength: 2 }),
  fc.array(fc.string({ maxLength: 3 }), { minLength: 1, maxLength: 2 }),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom<unknown>(null, undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, 1, -0, '1', 'true', 'null'),
);
const extraKeyArb = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('extra', 'Uuid', 'uuid ', 'temperaturec', '__proto__', 'constructor', 'at'));
const UUIDS = ['', 'u', 'u'.repeat(100), 'u'.repeat(101), 'u'.repeat(150)];
const REASONS: unknown[] = [
  [],
  ['SwPowerCap'],
  Array.from({ length: 16 }, () => 'x'.repeat(64)),
  Array.from({ length: 17 }, () => 'SwPowerCap'),
  ['x'.repeat(65)],
  ['SwPowerCap', 7],
  [null],
  [['SwPowerCap']],
  'SwPowerCap',
];
const anythingArb = fc.anything({ maxDepth: 2, maxKeys: 3 });

type Mutation = (o: Plain) => unknown;
const gpuMutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...GPU_KEYS).map((k): Mutation => (g) => without(g, k)),
  fc.tuple(extraKeyArb, anyValueArb).map(([k, v]): Mutation => (g) => withMember(g, k, v)),
  fc.tuple(fc.constantFrom(...GPU_KEYS), anyValueArb).map(([k, v]): Mutation => (g) => withMember(g, k, v)),
  fc.constantFrom(...UUIDS).map((u): Mutation => (g) => withMember(g, 'uuid', u)),
  fc.constantFrom(...REASONS).map((r): Mutation => (g) => withMember(g, 'clockEventReasons', r)),
  anythingArb.map((x): Mutation => () => x),
);
const sampleMutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  instantArb.map((at): Mutation => (s) => withMember(s, 'at', at)),
  fc.constantFrom('at', 'gpus').map((k): Mutation => (s) => without(s, k)),
  fc.tuple(extraKeyArb, anyValueArb).map(([k, v]): Mutation => (s) => withMember(s, k, v)),
  anyValueArb.map((v): Mutation => (s) => withMember(s, 'gpus', v)),
  fc.tuple(validGpuArb, fc.integer({ min: 63, max: 66 })).map(([g, n]): Mutation => (s) => withMember(s, 'gpus', Array.from({ length: n }, () => ({ ...g })))),
  anythingArb.map((x): Mutation => () => x),
);

const validSampleArb = (minGpus: number) => fc.record({ at: validInstantArb, gpus: fc.array(validGpuArb, { minLength: minGpus, maxLength: 4 }) }) as fc.Arbitrary<Plain>;
const validSamplesArb = fc.array(validSampleArb(0), { maxLength: 4 });

/** Valid samples with one thing changed, somewhere: in a GPU, in a sample, or a sample replaced. */
const mutatedSamplesArb: fc.Arbitrary<unknown> = fc
  .tuple(fc.array(validSampleArb(1), { minLength: 1, maxLength: 4 }), fc.oneof(gpuMutationArb.map((m) => ({ gpu: m })), sampleMutationArb.map((m) => ({ sample: m }))), fc.nat(), fc.nat())
  .map(([samples, mutation, i, j]) => {
    const at = i % samples.length;
    return samples.map((s, n) => {
      if (n !== at) return s;
      if ('sample' in mutation) return mutation.sample(s);
      const gpus = s.gpus as Plain[];
      return { ...s, gpus: gpus.map((g, m) => (m === j % gpus.length ? mutation.gpu(g) : g)) };
    });
  });

/** Samples whose every GPU may be changed: mostly refused, with the odd change that is valid. */
const mixedSamplesArb: fc.Arbitrary<unknown> = fc.array(
  fc.record({
    at: instantArb,
    gpus: fc.array(fc.oneof({ weight: 3, arbitrary: validGpuArb }, { weight: 1, arbitrary: fc.tuple(validGpuArb, gpuMutationArb).map(([g, m]) => m(g)) }), { maxLength: 3 }),
  }),
  { maxLength: 3 },
);

const notAnArrayArb: fc.Arbitrary<unknown> = fc.oneof(
  anythingArb,
  fc.constantFrom<unknown>(null, undefined, 0, '', '[]', {}),
  validSampleArb(1),
  validSampleArb(0).map((s) => ({ 0: s, length: 1 })),
);

const samplesInputArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: validSamplesArb },
  { weight: 6, arbitrary: mutatedSamplesArb },
  { weight: 2, arbitrary: mixedSamplesArb },
  { weight: 1, arbitrary: notAnArrayArb },
);

describe('samplesValid', () => {
  it('accepts exactly what z.array(SampleWire).max(MAX_BATCH_SAMPLES) accepts (property, fixed seed)', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(samplesInputArb, (samples) => {
        const expected = zodAccepts(samples);
        if (expected) accepted++;
        else refused++;
        expect(samplesValid(samples)).toBe(expected);
      }),
      { seed: 20_261_129, numRuns: 2000 },
    );
    // Both outcomes are well represented, so that the property says something about each.
    expect(accepted).toBeGreaterThan(400);
    expect(refused).toBeGreaterThan(400);
  });

  it(`accepts ${MAX_BATCH_SAMPLES} samples and refuses ${MAX_BATCH_SAMPLES + 1}, as zod does`, () => {
    const samples = (n: number) => Array.from({ length: n }, () => ({ at: AT, gpus: [gpu()] }));
    expect(samplesValid(samples(MAX_BATCH_SAMPLES))).toBe(true);
    expect(zodAccepts(samples(MAX_BATCH_SAMPLES))).toBe(true);
    expect(samplesValid(samples(MAX_BATCH_SAMPLES + 1))).toBe(false);
    expect(zodAccepts(samples(MAX_BATCH_SAMPLES + 1))).toBe(false);
  });

  it('accepts 64 GPUs in a sample and refuses 65, as zod does', () => {
    const sample = (n: number) => [{ at: AT, gpus: Array.from({ length: n }, (_, i) => gpu(`GPU-${i}`)) }];
    expect(samplesValid(sample(64))).toBe(true);
    expect(zodAccepts(sample(64))).toBe(true);
    expect(samplesValid(sample(65))).toBe(false);
    expect(zodAccepts(sample(65))).toBe(false);
  });

  it('accepts a well-formed sample, an empty array and a sample with no GPUs', () => {
    for (const samples of [[{ at: AT, gpus: [gpu()] }], [], [{ at: AT, gpus: [] }]]) {
      expect(samplesValid(samples)).toBe(true);
      expect(zodAccepts(samples)).toBe(true);
    }
  });

  it.each(GPU_KEYS)('refuses a GPU whose %s is wrong, as zod does', (key) => {
    const wrong: unknown[] = [{}, key === 'uuid' ? 7 : 'x'];
    if (key === 'uuid') wrong.push('', 'u'.repeat(101), null);
    else if (key === 'remappedRowsPending') wrong.push(0, 1, 'true', []);
    else if (key === 'clockEventReasons') wrong.push([1], ['x'.repeat(65)], Array.from({ length: 17 }, () => 'x'), { 0: 'x', length: 1 });
    else wrong.push(true, [], [1], Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '1');
    wrong.push(undefined);
    for (const value of wrong) {
      const samples = [{ at: AT, gpus: [withMember(gpu(), key, value)] }];
      expect({ key, value, samplesValid: samplesValid(samples) }).toEqual({ key, value, samplesValid: false });
      expect({ key, value, zod: zodAccepts(samples) }).toEqual({ key, value, zod: false });
    }
    const missing = [{ at: AT, gpus: [without(gpu(), key)] }];
    expect(samplesValid(missing)).toBe(false);
    expect(zodAccepts(missing)).toBe(false);
  });

  it('refuses a GPU or a sample with a member the schema does not name, as zod does', () => {
    for (const samples of [
      [{ at: AT, gpus: [{ ...gpu(), extra: 1 }] }],
      [{ at: AT, gpus: [withMember(gpu(), '__proto__', {})] }],
      [{ at: AT, gpus: [gpu()], extra: null }],
      [withMember({ at: AT, gpus: [gpu()] }, '__proto__', null)],
      // A key swapped for another: the count of keys is right, the names are not.
      [{ at: AT, gpus: [{ ...without(gpu(), 'pcieReplayCounter'), pcieReplayCount: 0 }] }],
      [{ at: AT, gpu: [gpu()] }],
    ]) {
      expect(samplesValid(samples)).toBe(false);
      expect(zodAccepts(samples)).toBe(false);
    }
  });

  it('refuses what JSON.parse makes of a batch whose GPU carries "__proto__", as zod does', () => {
    const text = JSON.stringify([{ at: AT, gpus: [gpu()] }]).replace('"uuid":', '"__proto__":{"uuid":"GPU-0"},"uuid":');
    const samples: unknown = JSON.parse(text);
    expect(samplesValid(samples)).toBe(false);
    expect(zodAccepts(samples)).toBe(false);
  });

  it('refuses instants that are not real dates and times, as zod does', () => {
    for (const at of BAD_INSTANTS) {
      const samples = [{ at, gpus: [gpu()] }];
      expect({ at, samplesValid: samplesValid(samples) }).toEqual({ at, samplesValid: false });
      expect({ at, zod: zodAccepts(samples) }).toEqual({ at, zod: false });
    }
  });

  it('refuses what is not an array of samples, as zod does', () => {
    for (const samples of [null, undefined, 0, 'samples', {}, { 0: { at: AT, gpus: [] }, length: 1 }, [null], [[]], [AT], [{ at: AT, gpus: {} }]]) {
      expect(samplesValid(samples)).toBe(false);
      expect(zodAccepts(samples)).toBe(false);
    }
  });
});

describe('samplesValid and zod on values JSON.parse never makes', () => {
  // The server only ever checks JSON.parse's output; outside it, samplesValid must still never
  // accept what zod refuses.

  it('agree on a clockEventReasons array with a hole', () => {
    const reasons = ['SwPowerCap'];
    reasons[2] = 'HwSlowdown'; // reasons[1] is a hole
    const samples = [{ at: AT, gpus: [{ ...gpu(), clockEventReasons: reasons }] }];
    expect({ samplesValid: samplesValid(samples), zod: zodAccepts(samples) }).toEqual({ samplesValid: false, zod: false });
  });

  it('agree on a GPU that inherits a field from its prototype and has an extra member of its own', () => {
    const { temperatureC, ...rest } = gpu();
    const g: Plain = Object.assign(Object.create({ temperatureC }) as Plain, rest, { extra: 1 });
    const samples = [{ at: AT, gpus: [g] }];
    expect({ samplesValid: samplesValid(samples), zod: zodAccepts(samples) }).toEqual({ samplesValid: false, zod: false });
  });

  it('refuses a GPU that inherits a field from its prototype, where zod accepts it (stricter, never looser)', () => {
    const { temperatureC, ...rest } = gpu();
    const g: Plain = Object.assign(Object.create({ temperatureC }) as Plain, rest);
    const samples = [{ at: AT, gpus: [g] }];
    expect({ samplesValid: samplesValid(samples), zod: zodAccepts(samples) }).toEqual({ samplesValid: false, zod: true });
  });
});

/** A small batch, as an agent signs it. */
function batchBody(key: ReturnType<typeof generateSigningKey>) {
  return {
    v: PROTOCOL_VERSION,
    batchId: randomUUID(),
    hostKey: key.publicKey,
    sentAt: '2026-11-29T03:15:11.123Z',
    samples: [
      { at: AT, gpus: [gpu('GPU-0'), { ...gpu('GPU-1'), temperatureC: 58.5, remappedRowsPending: null, clockEventReasons: ['SwPowerCap'] }] },
      { at: '2026-11-29T03:14:51.123Z', gpus: [gpu('GPU-0'), { ...gpu('GPU-1'), powerDrawW: null, clockEventReasons: null }] },
    ],
    events: [],
  };
}

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('wireText and signedPartOf', () => {
  const key = generateSigningKey();
  const body = batchBody(key);
  const signed = signBody('ingest', body, key.privateKey);

  it('writes the signed body as its canonical JSON, signature included', () => {
    expect(wireText(signed)).toBe(canonicalJson(signed));
    expect(JSON.parse(wireText(signed))).toEqual(signed);
  });

  it('cuts from the wire text exactly the canonical bytes the signature covers ("signature" between other members)', () => {
    const part = signedPartOf(bytes(wireText(signed)), signed);
    expect(part).toBeDefined();
    expect(part!.toString('utf8')).toBe(canonicalJson(body));
    expect(part!.equals(canonicalBytes(body))).toBe(true);
  });

  it('cuts the same bytes from a view into a larger buffer', () => {
    const text = bytes(`xx${wireText(signed)}yy`);
    const view = text.subarray(2, text.length - 2);
    expect(signedPartOf(view, signed)!.equals(canonicalBytes(body))).toBe(true);
    expect(signedPartOf(new Uint8Array(view.buffer, view.byteOffset, view.length), signed)!.equals(canonicalBytes(body))).toBe(true);
  });

  it('cuts the signed bytes when "signature" is the last member', () => {
    const last = { events: [], hostKey: key.publicKey, samples: [{ at: AT, gpus: [gpu()] }] };
    const signedLast = signBody('ingest', last, key.privateKey);
    expect(wireText(signedLast).endsWith(`"signature":"${signedLast.signature}"}`)).toBe(true);
    expect(signedPartOf(bytes(wireText(signedLast)), signedLast)!.equals(canonicalBytes(last))).toBe(true);
  });

  it('cuts the signed bytes when "signature" is the first member', () => {
    const first = { v: PROTOCOL_VERSION, zone: 'fra', zz: { b: [1, 'two'], a: null } };
    const signedFirst = signBody('ingest', first, key.privateKey);
    expect(wireText(signedFirst).startsWith('{"signature":')).toBe(true);
    expect(signedPartOf(bytes(wireText(signedFirst)), signedFirst)!.equals(canonicalBytes(first))).toBe(true);
  });

  it('cuts "{}" when "signature" is the only member', () => {
    const signedEmpty = signBody('ingest', {}, key.privateKey);
    expect(wireText(signedEmpty)).toBe(`{"signature":"${signedEmpty.signature}"}`);
    expect(signedPartOf(bytes(wireText(signedEmpty)), signedEmpty)!.toString('utf8')).toBe('{}');
  });

  it('cuts the signed bytes of a body with strings that need escaping and text beyond ASCII', () => {
    const tricky = { a: 'quote " backslash \\ newline \n', s: 'signature', u: 'é \u{1F600}', w: { signature: 'nested' } };
    const signedTricky = signBody('ingest', tricky, key.privateKey);
    expect(signedPartOf(bytes(wireText(signedTricky)), signedTricky)!.equals(canonicalBytes(tricky))).toBe(true);
  });

  it('gives undefined for JSON.stringify of the signed body (its members in another order)', () => {
    const text = JSON.stringify(signed);
    expect(text).not.toBe(wireText(signed));
    expect(signedPartOf(bytes(text), signed)).toBeUndefined();
  });

  it('gives undefined for the wire text with whitespace after it, or indented', () => {
    for (const text of [`${wireText(signed)} `, `${wireText(signed)}\n`, `${wireText(signed)}\r\n`, JSON.stringify(JSON.parse(wireText(signed)), null, 2)]) {
      expect(signedPartOf(bytes(text), signed)).toBeUndefined();
    }
  });

  it('gives undefined when the signature member of the text is not the body\'s', () => {
    const other = signBody('ingest', { ...body, batchId: randomUUID() }, key.privateKey);
    expect(other.signature).not.toBe(signed.signature);
    expect(signedPartOf(bytes(wireText({ ...signed, signature: other.signature })), signed)).toBeUndefined();
    expect(signedPartOf(bytes(wireText(signed)), { ...signed, signature: other.signature })).toBeUndefined();
  });

  it('gives undefined when the members after "signature" differ from the body\'s', () => {
    const otherVersion = { ...signed, v: 2 };
    const extraMember = { ...signed, zz: 1 };
    expect(signedPartOf(bytes(wireText(signed)), otherVersion)).toBeUndefined();
    expect(signedPartOf(bytes(wireText(signed)), extraMember)).toBeUndefined();
  });

  it('gives undefined for text that is no more than the signature member, or not even that', () => {
    const signedEmpty = signBody('ingest', {}, key.privateKey);
    for (const text of [`"signature":"${signedEmpty.signature}"}`, '', '}', `x"signature":"${signedEmpty.signature}"}`]) {
      expect(signedPartOf(bytes(text), signedEmpty)).toBeUndefined();
    }
  });
});

describe('isInstant and Instant', () => {
  it.each(['2026-11-29T03:14:41.123Z', '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '2024-02-29T12:00:00.000Z', '1970-01-01T00:00:00.000Z'])(
    'accept %s',
    (text) => {
      expect(isInstant(text)).toBe(true);
      expect(Instant.safeParse(text).success).toBe(true);
    },
  );

  it.each([
    ['30 February', '2026-02-30T00:00:00.000Z'],
    ['29 February of a common year', '2026-02-29T00:00:00.000Z'],
    ['31 April', '2026-04-31T00:00:00.000Z'],
    ['month 13', '2026-13-01T00:00:00.000Z'],
    ['month 0', '2026-00-01T00:00:00.000Z'],
    ['day 0', '2026-11-00T00:00:00.000Z'],
    ['hour 24', '2026-11-29T24:00:00.000Z'],
    ['minute 60', '2026-11-29T23:60:00.000Z'],
    ['second 60', '2026-11-29T23:59:60.000Z'],
    ['no milliseconds', '2026-11-29T03:14:41Z'],
    ['two digits of milliseconds', '2026-11-29T03:14:41.12Z'],
    ['a lowercase z', '2026-11-29T03:14:41.123z'],
    ['an offset', '2026-11-29T03:14:41.123+00:00'],
    ['an offset after the Z', '2026-11-29T03:14:41.123Z+00:00'],
    ['a space for the T', '2026-11-29 03:14:41.123Z'],
    ['an extended year', '+002026-11-29T03:14:41.123Z'],
    ['a date alone', '2026-11-29'],
    ['a trailing newline', '2026-11-29T03:14:41.123Z\n'],
    ['nothing', ''],
  ])('refuse %s (%s)', (_, text) => {
    expect(isInstant(text)).toBe(false);
    expect(Instant.safeParse(text).success).toBe(false);
  });

  it('agree with each other on instants near the edges of months and days (property, fixed seed)', () => {
    const part = (n: number, width: number) => String(n).padStart(width, '0');
    const textArb = fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 999 }))
      .map(([y, mo, d, h, mi, s, ms]) => `${part(y, 4)}-${part(mo, 2)}-${part(d, 2)}T${part(h, 2)}:${part(mi, 2)}:${part(s, 2)}.${part(ms, 3)}Z`);
    fc.assert(
      fc.property(textArb, (text) => {
        const [y, mo, d, h, mi, s, ms] = text.split(/[-T:.Z]/).map(Number) as [number, number, number, number, number, number, number];
        const date = new Date(0);
        date.setUTCFullYear(y, mo - 1, d);
        date.setUTCHours(h, mi, s, ms);
        const real = mo >= 1 && mo <= 12 && h <= 23 && mi <= 59 && s <= 59 && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
        expect(isInstant(text)).toBe(real);
        expect(Instant.safeParse(text).success).toBe(real);
      }),
      { seed: 20_261_129, numRuns: 2000 },
    );
  });
});

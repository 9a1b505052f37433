import fc from 'fast-check';
import { scaled } from './figures.js';

/** Generated cases per fuzz target: ≥ 10,000 in the full run, a few hundred in the quick one. */
export const fuzzRuns = (): number => scaled(10_000, 300);

/** Values that break careless code: edge numbers, odd strings, wrong shapes. */
const nasty = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1, '', ' ', '\u0000', 'constructor', '__proto__', 'toString', '1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', [], {}),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

type Path = readonly (string | number)[];

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (prefix.length > 0) out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function edit(value: unknown, path: Path, change: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  change(parent, path.at(-1)!);
  return copy;
}

/**
 * Variants of a valid value: a field replaced by a nasty value, removed or duplicated into an
 * unknown key, an array emptied or grown, or the whole thing replaced; several edits stack.
 */
export function mutated(valid: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(valid);
  if (paths.length === 0) return fc.oneof(fc.constant(valid), nasty);
  const one = (v: unknown): fc.Arbitrary<unknown> =>
    fc.oneof(
      fc.tuple(fc.constantFrom(...paths), nasty).map(([p, x]) => tryEdit(v, p, (o, k) => void (o[k] = x))),
      fc.constantFrom(...paths).map((p) => tryEdit(v, p, (o, k) => void (Array.isArray(o) ? o.splice(Number(k), 1) : delete o[k]))),
      fc.tuple(fc.constantFrom(...paths), fc.string({ maxLength: 12 })).map(([p, name]) => tryEdit(v, p, (o, k) => void (Array.isArray(o) ? o.push(o[Number(k)]) : (o[`${String(k)}${name}`] = o[k])))),
      fc.tuple(fc.constantFrom(...paths), fc.integer({ min: 2, max: 200 })).map(([p, n]) => tryEdit(v, p, (o, k) => void (o[k] = Array.from({ length: n }, () => o[k])))),
    );
  return fc.oneof({ weight: 1, arbitrary: fc.constant(valid) }, { weight: 6, arbitrary: one(valid) }, { weight: 3, arbitrary: one(valid).chain((v) => one(v)) }, { weight: 1, arbitrary: nasty });
}

function tryEdit(value: unknown, path: Path, change: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  try {
    return edit(value, path, change);
  } catch {
    // The path vanished under an earlier edit (a stacked one): keep the value as it was.
    return value;
  }
}

/** Rejects if `work` has not settled within `ms`: a hang is a failure like any other. */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * JSON text with one of its numbers rewritten as JSON allows and JSON.stringify never writes:
 * -0, exponents, numbers that parse to ±Infinity or to 0. Sometimes the text is left as it is.
 */
export function withEdgeNumbers(text: fc.Arbitrary<string | undefined>): fc.Arbitrary<string | undefined> {
  return fc.tuple(text, fc.option(fc.tuple(fc.nat(), fc.constantFrom('-0', '-0.0', '1e400', '-1e400', '1E2', '0.1e-400', '9007199254740993')), { freq: 2 })).map(([t, edit]) => {
    if (t === undefined || edit === null) return t;
    const numbers = [...t.matchAll(/(?<=[:,[])-?\d+(\.\d+)?([eE][+-]?\d+)?(?=[,}\]])/g)];
    if (numbers.length === 0) return t;
    const m = numbers[edit[0] % numbers.length]!;
    return t.slice(0, m.index) + edit[1] + t.slice(m.index + m[0].length);
  });
}

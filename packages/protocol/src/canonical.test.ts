import { describe, expect, it } from 'vitest';
import { CanonicalEncodingError, canonicalJson } from './canonical.js';
import { sha256 } from './keys.js';

describe('canonicalJson', () => {
  it.each([
    [{ b: 2, a: [1, 'x', null, true], c: { z: 1.5, y: -0.001 } }, '{"a":[1,"x",null,true],"b":2,"c":{"y":-0.001,"z":1.5}}'],
    [{ 'é': 1, z: 2, A: 3, '': 4 }, '{"":4,"A":3,"z":2,"é":1}'],
    [{ '\u{1F600}': 1, '\uFFFF': 2 }, '{"\u{1F600}":1,"\uFFFF":2}'],
    [[1e21, 0.1 + 0.2, 5e-7, 100, -0.5], '[1e+21,0.30000000000000004,5e-7,100,-0.5]'],
    ['line\nbreak "quoted" \u0001', '"line\\nbreak \\"quoted\\" \\u0001"'],
    [[], '[]'],
    [{}, '{}'],
  ])('encodes %j as %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('gives the same bytes whatever the key order', () => {
    expect(canonicalJson({ x: 1, y: { b: 1, a: 2 } })).toBe(canonicalJson({ y: { a: 2, b: 1 }, x: 1 }));
  });

  it('has a fixed digest for a fixed measurement-like value', () => {
    const value = { v: 1, landmarkId: 'fra-1', rounds: 10, minRttMs: 12.345678, measuredAt: '2026-11-29T03:14:41.123Z' };
    expect(canonicalJson(value)).toBe('{"landmarkId":"fra-1","measuredAt":"2026-11-29T03:14:41.123Z","minRttMs":12.345678,"rounds":10,"v":1}');
    expect(sha256(Buffer.from(canonicalJson(value)))).toBe('dD2ACFAdqEwKoPIp5M508o7uL9fTxG2LuANKKK4-qTg');
  });

  it.each([
    ['undefined', { a: undefined }, /undefined/],
    ['NaN', [Number.NaN], /NaN/],
    ['Infinity', { a: Infinity }, /Infinity/],
    ['-0', [-0], /-0/],
    ['a Date', { d: new Date(0) }, /plain objects/],
    ['a function', [() => 1], /function/],
    ['a bigint', [1n], /bigint/],
  ])('refuses %s', (_, value, message) => {
    expect(() => canonicalJson(value as never)).toThrow(CanonicalEncodingError);
    expect(() => canonicalJson(value as never)).toThrow(message);
  });
});

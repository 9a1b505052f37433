import { describe, expect, it } from 'vitest';
import { cosineAtLeast, FULL_CIRCLE, intersectIntervals, intervalAround, NO_ANGLES, TAU, totalAngle } from './intervals.js';

describe('intervalAround', () => {
  it('keeps an interval that does not wrap', () => {
    expect(intervalAround(1, 0.5)).toEqual([[0.5, 1.5]]);
  });

  it('splits an interval that wraps through zero', () => {
    const set = intervalAround(0.1, 0.3);
    expect(set).toHaveLength(2);
    expect(set[0]![0]).toBe(0);
    expect(set[0]![1]).toBeCloseTo(0.4);
    expect(set[1]![0]).toBeCloseTo(TAU - 0.2);
    expect(set[1]![1]).toBe(TAU);
    expect(totalAngle(set)).toBeCloseTo(0.6);
  });

  it('is the full circle from a half-width of π', () => {
    expect(intervalAround(3, Math.PI)).toEqual(FULL_CIRCLE);
  });
});

describe('cosineAtLeast', () => {
  it('solves cos φ ≥ 0.5 as |φ| ≤ π/3', () => {
    const set = cosineAtLeast(0, 1, 0, 0.5);
    expect(totalAngle(set)).toBeCloseTo((2 * Math.PI) / 3);
  });

  it('returns everything or nothing when the bound is out of reach', () => {
    expect(cosineAtLeast(2, 1, 0, 0.5)).toEqual(FULL_CIRCLE);
    expect(cosineAtLeast(-2, 1, 0, 0.5)).toEqual(NO_ANGLES);
  });
});

describe('intersectIntervals', () => {
  it.each([
    [[[0, 1]], [[0.5, 2]], [[0.5, 1]]],
    [[[0, 1], [2, 3]], [[0.5, 2.5]], [[0.5, 1], [2, 2.5]]],
    [[[0, 1]], [[2, 3]], []],
    [[], [[0, 1]], []],
  ] as const)('intersects %j with %j', (a, b, expected) => {
    expect(intersectIntervals(a, b)).toEqual(expected);
  });
});

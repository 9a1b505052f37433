import { describe, expect, it } from 'vitest';
import { assertValidLink, sampleDelayMs } from './link.js';

describe('assertValidLink', () => {
  it.each([[{ oneWayMs: 0 }], [{ oneWayMs: 0.3 }], [{ oneWayMs: 80, jitterMs: 0 }], [{ oneWayMs: 10, jitterMs: 5 }]])('accepts %j', (link) => {
    expect(() => assertValidLink(link)).not.toThrow();
  });

  it.each([
    [{ oneWayMs: -1 }, /oneWayMs/],
    [{ oneWayMs: Number.NaN }, /oneWayMs/],
    [{ oneWayMs: Number.POSITIVE_INFINITY }, /oneWayMs/],
    [{ oneWayMs: 5, jitterMs: -0.1 }, /jitterMs/],
    [{ oneWayMs: 5, jitterMs: Number.NaN }, /jitterMs/],
  ])('rejects %j', (link, message) => {
    expect(() => assertValidLink(link)).toThrow(RangeError);
    expect(() => assertValidLink(link)).toThrow(message);
  });
});

describe('sampleDelayMs', () => {
  it.each([
    [{ oneWayMs: 10 }, 0.5, 10],
    [{ oneWayMs: 10, jitterMs: 4 }, 0, 10],
    [{ oneWayMs: 10, jitterMs: 4 }, 0.25, 11],
    [{ oneWayMs: 10, jitterMs: 4 }, 0.999, 13.996],
  ])('gives %j with draw %d a delay of %d ms', (link, draw, expected) => {
    expect(sampleDelayMs(link, () => draw)).toBeCloseTo(expected, 9);
  });

  it.each([[-3], [Number.NaN], [7]])('keeps the delay within [oneWayMs, oneWayMs + jitterMs] for a bad draw of %d', (draw) => {
    const delayMs = sampleDelayMs({ oneWayMs: 10, jitterMs: 4 }, () => draw);
    expect(delayMs).toBeGreaterThanOrEqual(10);
    expect(delayMs).toBeLessThanOrEqual(14);
  });
});

import { describe, expect, it } from 'vitest';
import { alignTelemetry } from './telemetry.js';

const point = (at: string, avg: number) => ({ at, min: avg - 1, avg, max: avg + 1, count: 30 });

describe('alignTelemetry', () => {
  it('puts each GPU on the union of the times, its means in the order asked, gaps as null', () => {
    const aligned = alignTelemetry(
      [
        { gpu: 'GPU-b', points: [point('2026-11-29T00:05:00.000Z', 300)] },
        { gpu: 'GPU-a', points: [point('2026-11-29T00:00:00.000Z', 60), point('2026-11-29T00:05:00.000Z', 61)] },
      ],
      ['GPU-a', 'GPU-b', 'GPU-gone'],
    );
    expect(aligned).toEqual({ x: [1_795_910_400, 1_795_910_700], ys: [[60, 61], [null, 300], [null, null]] });
  });

  it('is empty without points', () => {
    expect(alignTelemetry([], ['GPU-a'])).toEqual({ x: [], ys: [[]] });
  });
});

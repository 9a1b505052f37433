import { describe, expect, it } from 'vitest';
import type { Sample } from '../../api/types.js';
import { alignSeries, mergeSamples } from './series.js';

const sample = (gpu: string, at: string, temperatureC: number | null): Sample => ({ gpu, at, metrics: { temperatureC } as Sample['metrics'] });

describe('alignSeries', () => {
  it('puts every GPU on the union of their times, null where one has no reading', () => {
    const samples = new Map([
      ['A', [sample('A', '2026-01-01T00:00:00.000Z', 60), sample('A', '2026-01-01T00:00:10.000Z', 61)]],
      ['B', [sample('B', '2026-01-01T00:00:10.000Z', 70), sample('B', '2026-01-01T00:00:20.000Z', null)]],
    ]);
    const t0 = Date.parse('2026-01-01T00:00:00.000Z') / 1000;
    expect(alignSeries(samples, ['A', 'B', 'C'], 'temperatureC')).toEqual({
      x: [t0, t0 + 10, t0 + 20],
      ys: [
        [60, 61, null],
        [null, 70, null],
        [null, null, null],
      ],
    });
  });

  it('gives empty series when there are no samples', () => {
    expect(alignSeries(new Map(), ['A'], 'powerDrawW')).toEqual({ x: [], ys: [[]] });
  });
});

describe('mergeSamples', () => {
  const a = sample('A', '2026-01-01T00:00:00.000Z', 60);
  const b = sample('A', '2026-01-01T00:00:10.000Z', 61);
  const c = sample('A', '2026-01-01T00:00:20.000Z', 62);

  it('adds each new sample once when a refresh overlaps what is kept', () => {
    expect(mergeSamples([a, b], [b, c], 0)).toEqual([a, b, c]);
  });

  it('drops samples older than the window', () => {
    expect(mergeSamples([a, b], [c], Date.parse(b.at))).toEqual([b, c]);
  });

  it('returns the same array when nothing changed, so charts do not redraw', () => {
    const kept = [a, b];
    expect(mergeSamples(kept, [b], 0)).toBe(kept);
  });
});

import { describe, expect, it } from 'vitest';
import { placeLabels } from './labels.js';

describe('placeLabels', () => {
  it('drops a label that would overlap one placed before it, and keeps the rest', () => {
    const placed = placeLabels([
      { label: 'London (lon-1)', x: 100, y: 100 },
      { label: 'Frankfurt (fra-1)', x: 120, y: 104 },
      { label: 'Mumbai (bom-1)', x: 300, y: 200 },
    ]);
    expect(placed.map((p) => p.labelled)).toEqual([true, false, true]);
  });

  it('keeps labels on the same row that do not touch', () => {
    expect(placeLabels([{ label: 'A', x: 0, y: 0 }, { label: 'B', x: 50, y: 0 }]).map((p) => p.labelled)).toEqual([true, true]);
  });
});

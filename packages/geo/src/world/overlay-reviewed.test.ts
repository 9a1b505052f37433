import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OVERLAY_AREAS } from './overlay-areas.js';
import { OVERLAY_FRONTS, OVERLAY_REVIEWED, dayStart, overlayReviewDue } from './overlay-reviewed.js';

const at = (instant: string): number => Date.parse(instant);

describe('overlay review date', () => {
  it('is a real day, and names as fronts only areas that are drawn', () => {
    expect(dayStart(OVERLAY_REVIEWED)).toBeTypeOf('number');
    const names = new Set(OVERLAY_AREAS.map((a) => a.name));
    for (const front of OVERLAY_FRONTS) expect(names.has(front), front).toBe(true);
  });

  it.each([
    ['2025-12-01', 1764547200000],
    ['2024-02-29', 1709164800000],
    ['2025-02-29', undefined],
    ['2025-13-01', undefined],
    ['2025-12-1', undefined],
    ['2025-12-01T00:00:00.000Z', undefined],
    ['', undefined],
  ])('reads %j as the start of a day: %s', (day, ms) => {
    expect(dayStart(day)).toBe(ms);
  });

  it.each([
    ['2025-12-01', '2026-06-01T00:00:00.000Z', false],
    ['2025-12-01', '2026-06-01T00:00:00.001Z', true],
    ['2025-12-01', '2026-05-31T23:59:59.999Z', false],
    ['2025-12-01', '2026-12-02T11:00:00.000Z', true],
    ['2025-08-31', '2026-03-02T00:00:00.000Z', false],
    ['2025-08-31', '2026-03-03T00:00:00.001Z', true],
    ['2025-12-01', '2025-11-01T00:00:00.000Z', false],
    ['not a day', '2025-12-01T00:00:00.000Z', true],
  ])('outlines reviewed %s are due at %s: %s (six months)', (reviewed, now, due) => {
    expect(overlayReviewDue(reviewed, at(now))).toBe(due);
  });

  it('takes another limit', () => {
    expect(overlayReviewDue('2025-12-01', at('2026-02-15T00:00:00.000Z'), 1)).toBe(true);
    expect(overlayReviewDue('2025-12-01', at('2026-02-15T00:00:00.000Z'), 3)).toBe(false);
  });

  it('is exported from the package index without the outlines, which stay out of bundles that import the index', async () => {
    const index = fileURLToPath(new URL('../index.ts', import.meta.url));
    const result = await build({ entryPoints: [index], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', logLevel: 'silent', external: ['*.json'] });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((p) => p.endsWith('world/overlay-reviewed.ts'))).toBe(true);
    expect(inputs.filter((p) => p.endsWith('world/overlay-areas.ts') || p.endsWith('world/natural-earth.ts'))).toEqual([]);
  });
});

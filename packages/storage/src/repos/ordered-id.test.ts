import { describe, expect, it } from 'vitest';
import { orderedId } from './ordered-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('orderedId', () => {
  it('is a version-7 UUID of the time given', () => {
    const id = orderedId(Date.parse('2026-11-30T12:00:00.000Z'));
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(Date.parse('2026-11-30T12:00:00.000Z'));
  });

  it('sorts as made: within one millisecond (past 4,096 of them too), and across milliseconds, the clock going back included', () => {
    const at = Date.parse('2030-01-01T00:00:00.000Z');
    const ids = [...Array.from({ length: 5_000 }, () => orderedId(at)), orderedId(at + 1), orderedId(at - 10), orderedId(at + 5)];
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from './messages.js';
import { foreignVersion, heldRetryMs, PROTOCOL_VERSIONS, readVersions } from './versions.js';

describe('protocol versions', () => {
  it('reads the version it writes', () => {
    expect(PROTOCOL_VERSIONS).toContain(PROTOCOL_VERSION);
    expect(readVersions()).toBe(`version ${PROTOCOL_VERSION}`);
  });

  it("names the version of a body it does not read: its own, or a delivered measurement's", () => {
    const newer = Math.max(...PROTOCOL_VERSIONS) + 1;
    expect(foreignVersion({ v: newer, batchId: 'x' })).toBe(newer);
    expect(foreignVersion({ measurements: [{ measurement: { v: PROTOCOL_VERSION } }, { measurement: { v: newer } }] })).toBe(newer);
  });

  it.each([
    ['a version it reads', { v: PROTOCOL_VERSION }],
    ['no version', { batchId: 'x' }],
    ['a version that is no positive integer', { v: '2' }],
    ['version 0', { v: 0 }],
    ['a fraction', { v: 1.5 }],
    ['measurements of versions it reads', { measurements: [{ measurement: { v: PROTOCOL_VERSION } }] }],
    ['measurements that are not objects', { measurements: [null, 3, [{ v: 9 }]] }],
    ['an array', [{ v: 9 }]],
    ['null', null],
    ['text', 'v: 9'],
  ])('names none for %s (the schema judges it)', (_, body) => {
    expect(foreignVersion(body)).toBeUndefined();
  });
});

describe('the wait of a held sender', () => {
  it('is half to all of its longest backoff', () => {
    expect(heldRetryMs(300_000, () => 0)).toBe(150_000);
    expect(heldRetryMs(300_000, () => 0.5)).toBe(225_000);
    expect(heldRetryMs(60_000, () => 0.999_999)).toBe(60_000);
  });
});

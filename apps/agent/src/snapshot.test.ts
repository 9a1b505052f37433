import { describe, expect, it } from 'vitest';
import { kernelPciId } from './snapshot.js';

describe('kernelPciId', () => {
  it.each([
    ['00000000:18:00.0', '0000:18:00'],
    ['00000000:9B:00.0', '0000:9b:00'],
    ['0000:19:00', '0000:19:00'],
    ['00010000:01:00.0', '10000:01:00'],
    ['10000:01:00', '10000:01:00'],
    ['weird', 'weird'],
  ])('writes %s as the kernel does: %s', (input, expected) => {
    expect(kernelPciId(input)).toBe(expected);
  });
});

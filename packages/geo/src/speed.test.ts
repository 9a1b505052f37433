import { describe, expect, it } from 'vitest';
import { isPhysicalBound, parseSpeedModel, speedOf } from './speed.js';

describe('parseSpeedModel', () => {
  it.each([
    ['vacuum', 'vacuum'],
    ['fiber', 'fiber'],
    ['FIBRE', 'fiber'],
    ['150', 150],
    ['299.792458', 299.792458],
  ])('accepts %s', (text, expected) => {
    expect(parseSpeedModel(text)).toBe(expected);
  });

  it.each([
    ['', /must be/],
    ['fast', /must be/],
    ['0', /positive/],
    ['-5', /positive/],
    ['300', /faster than light/],
    ['Infinity', /must be/],
    ['0x10', /must be/],
    ['0b11', /must be/],
    ['1_0', /must be/],
  ])('rejects "%s"', (text, message) => {
    const result = parseSpeedModel(text);
    expect(typeof result).toBe('object');
    expect((result as { error: string }).error).toMatch(message);
  });
});

describe('speed models', () => {
  it('treats only the vacuum speed as a physical bound', () => {
    expect(isPhysicalBound('vacuum')).toBe(true);
    expect(isPhysicalBound('fiber')).toBe(false);
    expect(speedOf('fiber')).toBeCloseTo(199.86, 2);
  });
});

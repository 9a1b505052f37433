import { describe, expect, it } from 'vitest';
import { ACTIVE, ENABLED, FieldReader, YES_NO, at, parseQuantity, type SmiUnit } from './smi-xml-fields.js';

// Values as they appear in ../shared/data/nvidia/nvidia-smi-xml (README "Things a parser must
// survive": units inside values, `33 C`, `24.84 W`, `19968 MiB`).
describe('parseQuantity', () => {
  it.each<[string, SmiUnit, number | null]>([
    ['33 C', 'C', 33],
    ['-7 C', 'C', -7],
    ['24.84 W', 'W', 24.84],
    ['19968 MiB', 'MiB', 19968],
    ['1410 MHz', 'MHz', 1410],
    ['0 %', '%', 0],
    ['16x', 'x', 16],
    ['33 C', 'W', null],
    ['4000 KB/s', 'MiB', null],
    ['912.500 mV', 'W', null],
    ['192 bank(s)', 'x', null],
    ['33', 'C', null],
    ['C', 'C', null],
    ['1.2.3 W', 'W', null],
  ])('reads "%s" in %s as %s', (text, unit, expected) => {
    expect(parseQuantity(text, unit)).toBe(expected);
  });
});

describe('FieldReader.text', () => {
  it.each([
    { node: 'N/A', value: null, unsupported: true },
    { node: '[N/A]', value: null, unsupported: true },
    { node: 'Not Supported', value: null, unsupported: true },
    { node: 'Requested functionality has been deprecated', value: null, unsupported: true },
    { node: 'Unknown Error', value: null, unsupported: false },
    { node: '', value: null, unsupported: false },
    { node: 'REDACTED', value: null, unsupported: false },
    { node: '0000000000000', value: '0000000000000', unsupported: false },
    { node: 'Not Active\n            ', value: 'Not Active', unsupported: false },
    { node: undefined, value: null, unsupported: false },
    { node: { total: '1 MiB' }, value: null, unsupported: false },
  ])('reads $node as $value, unsupported: $unsupported', ({ node, value, unsupported }) => {
    const reader = new FieldReader();
    expect(reader.text('serial', node)).toBe(value);
    expect(reader.unsupported).toEqual(unsupported ? ['serial'] : []);
  });
});

describe('FieldReader', () => {
  it.each([
    { node: 'Enabled', vocabulary: ENABLED, value: true },
    { node: 'Disabled', vocabulary: ENABLED, value: false },
    { node: 'Yes', vocabulary: YES_NO, value: true },
    { node: 'No', vocabulary: YES_NO, value: false },
    { node: 'Active', vocabulary: ACTIVE, value: true },
    { node: 'Not Active', vocabulary: ACTIVE, value: false },
    { node: 'Yes', vocabulary: ENABLED, value: null },
    { node: 'N/A', vocabulary: ENABLED, value: null },
  ])('reads the flag $node against $vocabulary.yes/$vocabulary.no as $value', ({ node, vocabulary, value }) => {
    expect(new FieldReader().flag('migEnabled', node, vocabulary)).toBe(value);
  });

  it.each([
    ['7627', 7627],
    ['0', 0],
    ['16x', null],
    ['-1', null],
    ['0x3400', null],
  ])('reads the count "%s" as %s', (node, expected) => {
    expect(new FieldReader().count('replayCounter', node)).toBe(expected);
  });

  it('reports what it adopts under the prefix, sorted', () => {
    const sub = new FieldReader();
    sub.text('volatileCorrected', 'N/A');
    sub.text('enabled', 'N/A');
    const reader = new FieldReader();
    reader.text('migEnabled', 'N/A');
    reader.adopt('ecc', sub);
    expect(reader.unsupported).toEqual(['ecc.enabled', 'ecc.volatileCorrected', 'migEnabled']);
  });
});

describe('at', () => {
  const gpu = { temperature: { gpu_temp: '33 C' }, remapped_rows: 'N/A', mig_devices: 'None' };

  it.each([
    { path: ['temperature', 'gpu_temp'], expected: '33 C' },
    { path: ['temperature', 'memory_temp'], expected: undefined },
    // <remapped_rows>N/A</remapped_rows> stands for each of its children.
    { path: ['remapped_rows', 'remapped_row_corr'], expected: 'N/A' },
    { path: ['mig_devices', 'mig_device'], expected: undefined },
    { path: ['toString'], expected: undefined },
  ])('finds $expected at $path', ({ path, expected }) => {
    expect(at(gpu, ...path)).toBe(expected);
  });
});

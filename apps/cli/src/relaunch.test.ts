import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { GC_ENV, serverV8Flags } from './relaunch.js';

describe('serverV8Flags', () => {
  it.each([
    [undefined, 1, true],
    [undefined, 2, true],
    [undefined, 3, false],
    [undefined, 64, false],
    ['auto', 2, true],
    [' Auto ', 8, false],
    ['', 2, true],
    ['on', 64, true],
    ['1', 64, true],
    ['true', 64, true],
    ['off', 1, false],
    ['0', 2, false],
    ['FALSE', 2, false],
  ])('%s on %i core(s): one-threaded GC %s', (setting, cores, on) => {
    expect(serverV8Flags(setting === undefined ? {} : { [GC_ENV]: setting }, cores)).toEqual(on ? ['--single-threaded-gc'] : []);
  });

  it('refuses any other setting as a usage error naming it', () => {
    expect(() => serverV8Flags({ [GC_ENV]: 'yes please' }, 2)).toThrow(CliError);
    expect(() => serverV8Flags({ [GC_ENV]: 'yes please' }, 2)).toThrow(/LOCUS_SINGLE_THREADED_GC must be auto, on or off \(it is "yes please"\)/);
  });
});

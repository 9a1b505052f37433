import { describe, expect, it } from 'vitest';
import { parseOpenFileLimit } from './file-limit.js';

const limits = (openFiles: string) => `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max open files            ${openFiles}            files     
Max locked memory         8388608              8388608              bytes     
`;

describe('parseOpenFileLimit', () => {
  it.each([
    ['1024                 524288  ', 1024],
    ['16384                16384   ', 16384],
    ['unlimited            unlimited', undefined],
  ])('reads the soft limit of "Max open files %s"', (line, expected) => {
    expect(parseOpenFileLimit(limits(line))).toBe(expected);
  });

  it.each([[''], ['not /proc/self/limits']])('gives none for %j', (text) => {
    expect(parseOpenFileLimit(text)).toBeUndefined();
  });
});

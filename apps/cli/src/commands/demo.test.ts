import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLocus, tempFiles } from '../test-support.js';

describe('locus demo', () => {
  it('writes CSV files that `locus geo verify` turns into the same verdicts', async () => {
    const dir = tempFiles({});
    const demo = await runLocus(['demo', '--format', 'jsonl', '--write', dir]);
    expect(demo.code).toBe(0);
    expect(demo.stderr).toMatch(/wrote landmarks\.csv, rtts\.csv, claims\.csv/);
    const verify = await runLocus(['geo', 'verify', '--landmarks', join(dir, 'landmarks.csv'), '--rtts', join(dir, 'rtts.csv'), '--claims', join(dir, 'claims.csv')]);
    expect(verify.code).toBe(0);
    const strip = (out: string) => out.trim().split('\n').map((l) => {
      const { areaKm2: _a, radiusKm: _r, estimate: _e, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
    // The CSV rounds RTTs to microseconds, which may move the area by a hair; verdicts stay.
    expect(strip(verify.stdout)).toEqual(strip(demo.stdout));
  });

  it('refuses an unknown format', async () => {
    const r = await runLocus(['demo', '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/LOCUS_ERR_CLI_USAGE: locus demo: --format must be table or jsonl/);
  });

  it.each([
    ['under /proc, where Node\'s recursive mkdir never returns', '/proc/locus-demo/out', 'a directory cannot be made there'],
    ['below a file', 'file.txt/out', 'part of the path is a file, not a directory'],
  ])('fails at once, naming the directory, when --write cannot be made (%s)', async (_, path, why) => {
    const dir = tempFiles({ 'file.txt': 'not a directory' });
    const r = await runLocus(['demo', '--write', path], dir);
    expect(r.stderr).toBe(`locus: error LOCUS_ERR_OUTPUT: locus demo: cannot create the directory ${path.startsWith('/') ? path : join(dir, path)}: ${why}\nChoose a directory you can write to.\n`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
  }, 10_000);
});

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

  // Under /proc (where Node's recursive mkdir would spin in this process, out of a timeout's
  // reach): test/unmakeable-dirs-e2e.test.ts, which runs the command as a process of its own.
  it('fails at once, naming the directory, when --write cannot be made (below a file)', async () => {
    const dir = tempFiles({ 'file.txt': 'not a directory' });
    const r = await runLocus(['demo', '--write', 'file.txt/out'], dir);
    expect(r.stderr).toBe(`locus: error LOCUS_ERR_OUTPUT: locus demo: cannot create the directory ${join(dir, 'file.txt/out')}: part of the path is a file, not a directory\nChoose a directory you can write to.\n`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
  });
});

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
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RESTRICTED, WONDERPROXY_GLOBAL_MODEL, fitGlobalModel } from '@locus/geo';
import { naturalEarthWorld } from '@locus/geo/natural-earth';
import { describe, expect, it } from 'vitest';
import { runLocus, tempFiles } from '../apps/cli/src/test-support.js';
import { formatSummary, landmarkSamples, runValidation, summarise } from './support/plan-validation.js';
import { sharedData } from './support/shared-data.js';
import { loadWonderProxy } from './support/wonderproxy.js';

const dir = sharedData('wonderproxy');

// vitest runs a skipped suite's body to collect its tests, so nothing here may read the data
// unless it is there.
describe.skipIf(!dir)('landmark planner on the WonderProxy data', () => {
  if (!dir) return;
  const wp = loadWonderProxy(dir);
  const world = naturalEarthWorld();

  it('ships the global model that a fit on landmark-rtts.csv gives', () => {
    const fit = fitGlobalModel(landmarkSamples(dir, wp, new Set(wp.landmarks.keys())));
    expect(fit).toEqual(WONDERPROXY_GLOBAL_MODEL);
    // Fit quality, as docs/geo.md reports it.
    expect(fit.belowShare).toBeCloseTo(0.1, 2);
    expect(fit.effectiveKmPerMs).toBeGreaterThan(100);
  });

  it('chooses better sites than chance, by at least half the gap to an oracle that knows the real RTTs', () => {
    const result = runValidation(dir, wp, world);
    console.log(formatSummary(result));
    const [k5, k10] = summarise(result);
    expect(k5!.k).toBe(5);
    expect(k5!.withRtts).toBeGreaterThanOrEqual(k5!.randomMean + (k5!.oracle - k5!.randomMean) / 2);
    expect(k5!.withRtts).toBeGreaterThanOrEqual(k5!.randomMean + 1.5 * k5!.randomSd);
    expect(k10!.k).toBe(10);
    expect(k10!.withRtts).toBeGreaterThanOrEqual(k10!.randomMean + (k10!.oracle - k10!.randomMean) / 2);
    // The oracle picks with the real RTTs, so nothing reaches past it by much (greedy is not optimal).
    expect(k5!.withRtts).toBeLessThanOrEqual(k5!.oracle + 1);
  }, 120_000);

  it('never changes a verdict: geo verify prints the same before and after planning on the same data', async () => {
    const restricted = new Set(DEFAULT_RESTRICTED);
    const free = wp.hosts.filter((h) => !restricted.has(h.country));
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
    const tmp = tempFiles({
      'hosts.csv': `id,lat,lon\n${free.map((h) => `${h.id},${h.lat},${h.lon}`).join('\n')}\n`,
      'rtts.csv': `target,landmark,rtt_ms\n${free.flatMap((h) => [...h.rtts].map(([l, r]) => `${h.id},${l},${r}`)).join('\n')}\n`,
      'candidates.csv': read('landmarks.csv'),
    });
    const verify = ['geo', 'verify', '--landmarks', join(dir, 'landmarks.csv'), '--rtts', join(tmp, 'rtts.csv')];
    const before = await runLocus(verify);
    const plan = await runLocus(['geo', 'plan', '--landmarks', join(dir, 'landmarks.csv'), '--candidates', join(tmp, 'candidates.csv'), '--hosts', join(tmp, 'hosts.csv'), '--rtts', join(tmp, 'rtts.csv'), '--format', 'json', '--k', '3']);
    const after = await runLocus(verify);
    expect(before.code).toBe(0);
    expect(plan.code).toBe(0);
    expect(after.stdout).toBe(before.stdout);
    // The planner starts from exactly the verdicts geo verify gives.
    const excluded = before.stdout.trim().split('\n').filter((l) => (JSON.parse(l) as { restricted: string }).restricted === 'excluded').length;
    expect(excluded).toBe(47);
    expect((JSON.parse(plan.stdout) as { predictedExcluded: { before: number } }).predictedExcluded.before).toBe(excluded);
  }, 60_000);
});

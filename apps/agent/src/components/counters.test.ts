import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../../test/support/shared-data.js';
import type { GpuSample, NvlinkLink } from '../model.js';
import { parseNvidiaSmiXml } from '../nvidia/smi-xml.js';
import { scan } from '../report.js';
import { parseFleetSpec, type FleetSpec } from '../simulator/models.js';
import { simulateHost } from '../simulator/simulate.js';
import type { HostSnapshot } from '../snapshot.js';
import { ALL_COMPONENTS } from './all.js';
import { ecc } from './ecc.js';
import { nvlink } from './nvlink.js';
import { pcie } from './pcie.js';
import { retiredPages } from './retired-pages.js';

const t0 = new Date('2026-11-29T12:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const host = (when: Date): HostSnapshot => simulateHost(parseFleetSpec('2xH100') as FleetSpec, 'seed', when, []);
const withGpu0 = (s: HostSnapshot, change: (g: GpuSample) => GpuSample): HostSnapshot => ({ ...s, gpus: s.gpus.map((g) => (g.identity.index === 0 ? change(g) : g)) });
const links = (s: HostSnapshot, change: (l: NvlinkLink) => NvlinkLink) => withGpu0(s, (g) => ({ ...g, nvlink: g.nvlink!.map(change) }));
const replays = (s: HostSnapshot, replayCounter: number, more: Partial<GpuSample['pcie']> = {}) => withGpu0(s, (g) => ({ ...g, pcie: { ...g.pcie, replayCounter, ...more } }));
const gpu0 = (results: ReturnType<typeof nvlink.check>) => results.find((r) => r.gpu === 0)!;

describe('nvlink judges error counters by their increase (DCGM NVLink watch)', () => {
  const old = (s: HostSnapshot) => links(s, (l) => (l.link === 3 ? { ...l, crcErrors: 40, replayErrors: 2, recoveryErrors: 1 } : l));

  it('keeps a GPU with old errors healthy on a one-shot scan, and says the totals and why no rate', () => {
    expect(gpu0(nvlink.check(old(host(t0)), null))).toEqual({
      gpu: 0,
      health: 'healthy',
      reason: "18 of 18 links up; 40 CRC, 2 replay, 1 recovery error(s) since the driver loaded (no earlier pass to judge a rate by: a one-shot scan, or the daemon's first pass)",
    });
  });

  it('keeps it healthy when the counters did not move since the earlier pass', () => {
    expect(gpu0(nvlink.check(old(host(at(60))), old(host(t0))))).toMatchObject({ health: 'healthy', reason: expect.stringContaining('no new errors in 60 s') });
  });

  it.each([
    ['one new replay', { replayErrors: 3 }, /link 3: 1 replay in 60 s/],
    ['one new recovery', { recoveryErrors: 2 }, /link 3: 1 recovery in 60 s/],
    ['CRC errors at 100/s', { crcErrors: 40 + 6000 }, /link 3: 6000 CRC in 60 s \(100\/s or more\)/],
  ])('degrades it on %s, suggesting to inspect the hardware', (_name, now, reason) => {
    const later = links(old(host(at(60))), (l) => (l.link === 3 ? { ...l, ...now } : l));
    expect(gpu0(nvlink.check(later, old(host(t0))))).toMatchObject({ health: 'degraded', suggestedAction: 'inspect_hardware', reason: expect.stringMatching(reason) });
  });

  it('only notes CRC errors below 100/s, which a replay corrects', () => {
    const later = links(old(host(at(60))), (l) => (l.link === 3 ? { ...l, crcErrors: 40 + 5999 } : l));
    expect(gpu0(nvlink.check(later, old(host(t0))))).toMatchObject({ health: 'healthy', reason: expect.stringContaining('link 3: 5999 CRC in 60 s, below 100/s') });
  });

  it('does not read a counter that went down (driver reload, GPU reset) as a rate', () => {
    const reset = links(host(at(60)), (l) => (l.link === 3 ? { ...l, replayErrors: 1 } : l));
    expect(gpu0(nvlink.check(reset, old(host(t0))))).toMatchObject({ health: 'healthy', reason: expect.stringContaining('counters were reset since the earlier pass') });
  });

  it('matches the earlier pass by UUID, not by index', () => {
    const before = old(host(t0));
    const swapped = { ...before, gpus: before.gpus.map((g) => ({ ...g, identity: { ...g.identity, index: 1 - g.identity.index } })) };
    const later = links(old(host(at(60))), (l) => (l.link === 3 ? { ...l, replayErrors: 3 } : l));
    expect(gpu0(nvlink.check(later, swapped))).toMatchObject({ health: 'degraded' });
  });

  it('still degrades a GPU with a link down, with or without an earlier pass', () => {
    const down = links(host(at(60)), (l) => (l.link === 7 ? { ...l, active: false } : l));
    expect(gpu0(nvlink.check(down, null))).toMatchObject({ health: 'degraded', suggestedAction: 'reset_gpu', reason: expect.stringMatching(/^NVLink 7 down of 18/) });
    expect(gpu0(nvlink.check(down, host(t0)))).toMatchObject({ health: 'degraded' });
  });
});

describe('pcie judges replays by their rate and width at full speed', () => {
  it('keeps a GPU with many old replays healthy on a one-shot scan, with the total in the reason', () => {
    expect(gpu0(pcie.check(replays(host(t0), 5312), null))).toMatchObject({ health: 'healthy', reason: expect.stringContaining('5312 replay(s) since the driver loaded (no earlier pass') });
  });

  it.each([
    [8, 'healthy'],
    [9, 'degraded'],
  ])('calls %d replays in a minute %s (DCGM: more than 8/min)', (added, health) => {
    const result = gpu0(pcie.check(replays(host(at(60)), 5312 + added), replays(host(t0), 5312)));
    expect(result.health).toBe(health);
    expect(result.reason).toContain(`${added} in 60 s (${added.toFixed(1)}/min)`);
  });

  it('degrades a link narrower than its maximum at full speed', () => {
    expect(gpu0(pcie.check(replays(host(t0), 0, { gen: 5, genMax: 5, width: 8, widthMax: 16 }), null))).toMatchObject({ health: 'degraded', suggestedAction: 'inspect_hardware', reason: expect.stringMatching(/^PCIe link x8 of x16 at Gen5/) });
  });

  it('only notes a narrow width while the link idles at a lower generation', () => {
    expect(gpu0(pcie.check(replays(host(t0), 0, { gen: 1, genMax: 4, width: 8, widthMax: 16 }), null))).toMatchObject({ health: 'healthy', reason: expect.stringContaining('x8 of x16 while the link idles at Gen1 of Gen4') });
  });
});

describe('ecc', () => {
  const eccOf = (change: (g: GpuSample) => GpuSample) => gpu0(ecc.check(withGpu0(host(t0), change), null));

  it('keeps uncorrectable errors since the last reset unhealthy', () => {
    expect(eccOf((g) => ({ ...g, ecc: { ...g.ecc, volatileUncorrected: 1, aggregateUncorrected: 1 } }))).toMatchObject({ health: 'unhealthy', suggestedAction: 'reset_gpu' });
  });

  it('reports lifetime uncorrectable errors that a reset dealt with without degrading the GPU', () => {
    expect(eccOf((g) => ({ ...g, ecc: { ...g.ecc, volatileUncorrected: 0, aggregateUncorrected: 3 } }))).toMatchObject({ health: 'healthy', reason: expect.stringMatching(/since the last reset .*; 3 over the GPU's life$/) });
  });
});

describe("retired-pages judges as DCGM's memory watch (limits 63 in all, 15 double-bit)", () => {
  const pages = (s: HostSnapshot, singleBit: number, doubleBit: number, pending = false) => withGpu0(s, (g) => ({ ...g, retiredPages: { singleBit, doubleBit, pending } }));
  const judge = (now: HostSnapshot, before: HostSnapshot | null = null) => gpu0(retiredPages.check(now, before));

  it('notes retired pages, double-bit ones too, as the repair working', () => {
    expect(judge(pages(host(t0), 4, 15))).toEqual({ gpu: 0, health: 'healthy', reason: '19 page(s) retired (4 single-bit, 15 double-bit)' });
  });

  it('asks for a reset while a retirement is pending', () => {
    expect(judge(pages(host(t0), 0, 1, true))).toMatchObject({ health: 'degraded', suggestedAction: 'reset_gpu', reason: expect.stringMatching(/^pages are pending retirement/) });
  });

  it('is unhealthy at 63 pages in all, whatever else', () => {
    expect(judge(pages(host(t0), 60, 2))).toMatchObject({ health: 'healthy' });
    expect(judge(pages(host(t0), 60, 3, true))).toMatchObject({ health: 'unhealthy', suggestedAction: 'inspect_hardware', reason: expect.stringMatching(/^63 page\(s\) retired .*at the limit of 63/) });
  });

  it('past 15 double-bit pages, degrades only while more are being retired', () => {
    expect(judge(pages(host(t0), 0, 16))).toMatchObject({ health: 'healthy', reason: expect.stringContaining('no earlier pass') });
    expect(judge(pages(host(at(60)), 0, 16), pages(host(t0), 0, 16))).toMatchObject({ health: 'healthy', reason: expect.stringContaining('none more in 60 s') });
    expect(judge(pages(host(at(60)), 0, 17), pages(host(t0), 0, 16))).toMatchObject({ health: 'degraded', suggestedAction: 'inspect_hardware', reason: expect.stringContaining('1 more double-bit in 60 s') });
    // Below the soft limit a new double-bit page is the repair working.
    expect(judge(pages(host(at(60)), 0, 15), pages(host(t0), 0, 14))).toMatchObject({ health: 'healthy' });
  });
});

const dir = sharedData('nvidia');
const capture = (file: string): HostSnapshot => {
  const log = parseNvidiaSmiXml(readFileSync(join(dir!, 'nvidia-smi-xml', file), 'utf8'));
  return { collectedAt: t0.toISOString(), source: 'nvidia-smi', driverVersion: log.driverVersion, cudaVersion: log.cudaVersion, gpus: log.gpus, xids: [], sxids: [], expectedGpus: log.attachedGpus, missingGpus: [] };
};

describe.skipIf(!dir)('the counter checks on real captures', () => {
  it.each([
    ['geforce-rtx-2080ti-x2-ecc-unsupported-v10-410.73.xml', 'ecc', 'healthy', /^ECC not supported by this board/],
    ['geforce-rtx-4090-v12-535.86.05.xml', 'ecc', 'healthy', /^ECC is disabled/],
    ['tesla-v100-sxm3-32gb-dbe-retired-pages-410.104.xml', 'ecc', 'unhealthy', /^1 uncorrectable ECC error\(s\) since the last reset/],
    ['tesla-v100-sxm3-32gb-dbe-retired-pages-410.104.xml', 'retired-pages', 'degraded', /^pages are pending retirement: reset the GPU to retire them; 2 page\(s\) retired \(0 single-bit, 2 double-bit\)$/],
    ['a10g-aws-passthrough-515.105.01.xml', 'pcie', 'healthy', /x8 of x16 while the link idles at Gen1 of Gen4/],
    ['tesla-t4-passthrough-515.105.01.xml', 'pcie', 'degraded', /^PCIe link x8 of x16 at Gen3/],
  ])('%s: %s is %s', (file, component, health, reason) => {
    const check = scan(capture(file), ALL_COMPONENTS).gpus[0]!.checks[component]!;
    expect(check.health).toBe(health);
    expect(check.reason).toMatch(reason);
  });
});

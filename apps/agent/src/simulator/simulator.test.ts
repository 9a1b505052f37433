import { describe, expect, it } from 'vitest';
import { parseFault } from './faults.js';
import { parseFleetSpec, type FleetSpec } from './models.js';
import { simulateHost } from './simulate.js';

const spec = parseFleetSpec('8xH100') as FleetSpec;
const now = new Date('2026-11-29T12:00:00.000Z');

describe('parseFleetSpec', () => {
  it.each([
    ['8xH100', 8, ['NVIDIA H100 80GB HBM3']],
    ['4xH100,4xh200', 8, ['NVIDIA H100 80GB HBM3', 'NVIDIA H200']],
    ['2 x B200', 2, ['NVIDIA B200']],
  ])('reads %s', (text, count, names) => {
    const s = parseFleetSpec(text) as FleetSpec;
    expect(s.gpus).toHaveLength(count);
    expect([...new Set(s.gpus.map((g) => g.name))]).toEqual(names);
  });

  it.each([['', /empty/], ['8xA100', /unknown GPU model "A100"/], ['H100', /COUNTxMODEL/], ['0xH100', /between 1 and 16/], ['12xH100,8xH200', /more than one host/]])('refuses "%s"', (text, message) => {
    expect((parseFleetSpec(text) as { error: string }).error).toMatch(message);
  });
});

describe('simulateHost', () => {
  it('is deterministic for a seed and time, and differs between seeds', () => {
    expect(simulateHost(spec, 'a', now, [])).toEqual(simulateHost(spec, 'a', now, []));
    expect(simulateHost(spec, 'b', now, []).gpus[0]!.identity.uuid).not.toBe(simulateHost(spec, 'a', now, []).gpus[0]!.identity.uuid);
  });

  it('gives eight distinct H100s with plausible, load-dependent readings', () => {
    const { gpus } = simulateHost(spec, 'seed', now, []);
    expect(new Set(gpus.map((g) => g.identity.uuid)).size).toBe(8);
    expect(new Set(gpus.map((g) => g.identity.pciBusId)).size).toBe(8);
    for (const g of gpus) {
      expect(g.identity.uuid).toMatch(/^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(g.powerDrawW!).toBeGreaterThanOrEqual(70);
      expect(g.powerDrawW!).toBeLessThanOrEqual(700);
      expect(g.temperatureC!).toBeGreaterThan(25);
      expect(g.temperatureC!).toBeLessThan(90);
      expect(g.framebufferUsedMiB! + g.framebufferFreeMiB!).toBe(g.framebufferTotalMiB);
    }
    // Hotter when busier: power and temperature follow utilisation.
    const byUtil = [...gpus].sort((a, b) => a.gpuUtilizationPct! - b.gpuUtilizationPct!);
    expect(byUtil.at(-1)!.powerDrawW!).toBeGreaterThan(byUtil[0]!.powerDrawW!);
  });

  it('accumulates energy over time', () => {
    const later = simulateHost(spec, 's', new Date(now.getTime() + 60_000), []).gpus[0]!.energyMj!;
    expect(later).toBeGreaterThan(simulateHost(spec, 's', now, []).gpus[0]!.energyMj!);
  });

  it('applies injected faults to the named GPU only', () => {
    const faults = ['xid=79 gpu=3', 'thermal gpu=1', 'ecc=dbe gpu=2', 'pcie=degraded gpu=4', 'nvlink=down gpu=5'].map((f) => parseFault(f.split(' '), 8, now) as never);
    const host = simulateHost(spec, 's', now, faults);
    expect(host.gpus.map((g) => g.identity.index)).toEqual([0, 1, 2, 4, 5, 6, 7]);
    expect(host.missingGpus).toEqual([expect.objectContaining({ index: 3 })]);
    expect(host.xids).toEqual([expect.objectContaining({ xid: 79, pciBusId: '0000:5d:00', message: 'GPU has fallen off the bus.' })]);
    const gpu = (i: number) => host.gpus.find((g) => g.identity.index === i)!;
    expect(gpu(1)).toMatchObject({ temperatureC: 93, clockEventReasons: expect.arrayContaining(['hw_thermal_slowdown']) });
    expect(gpu(2).ecc.volatileUncorrected).toBe(1);
    expect(gpu(2).remappedRows!.pending).toBe(true);
    expect(gpu(4).pcie).toMatchObject({ gen: 5, genMax: 5, width: 8, widthMax: 16 });
    expect(gpu(5).nvlink!.filter((l) => !l.active)).toHaveLength(1);
    expect(gpu(0).temperatureC!).toBeLessThan(90);
  });
});

describe('parseFault', () => {
  it.each([
    [['xid=79', 'gpu=3'], { kind: 'xid', xid: 79, gpu: 3 }],
    [['ecc=dbe', 'gpu=0'], { kind: 'ecc-dbe', gpu: 0 }],
    [['remap=pending', 'gpu=1'], { kind: 'remap-pending', gpu: 1 }],
    [['thermal', 'gpu=7'], { kind: 'thermal', gpu: 7 }],
    [['gpu=2', 'lost'], { kind: 'lost', gpu: 2 }],
  ])('reads %j', (words, expected) => {
    expect(parseFault(words, 8, now)).toEqual({ ...expected, at: now.toISOString() });
  });

  it.each([
    [['xid=79'], /gpu=N is required/],
    [['xid=79', 'gpu=8'], /from 0 to 7/],
    [['xid=abc', 'gpu=1'], /a number from 1 to 999/],
    [['melt', 'gpu=1'], /unknown fault "melt"/],
    [['thermal', 'lost', 'gpu=1'], /exactly one fault/],
  ])('refuses %j', (words, message) => {
    expect((parseFault(words, 8, now) as { error: string }).error).toMatch(message);
  });
});

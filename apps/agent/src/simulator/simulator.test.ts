import { describe, expect, it } from 'vitest';
import { classifyKernelMessage } from '../nvidia/kmsg-message.js';
import { xidKey } from '../xid-cleared.js';
import { parseFault, type Fault } from './faults.js';
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


  it('applies injected faults to the named GPU only', () => {
    const faults = ['xid=79 gpu=3', 'thermal gpu=1', 'ecc=dbe gpu=2', 'pcie=degraded gpu=4', 'nvlink=down gpu=5'].map((f) => parseFault(f.split(' '), 8, now) as never);
    const host = simulateHost(spec, 's', now, faults);
    expect(host.gpus.map((g) => g.identity.index)).toEqual([0, 1, 2, 4, 5, 6, 7]);
    expect(host.missingGpus).toEqual([expect.objectContaining({ index: 3 })]);
    expect(host.xids).toEqual([
      expect.objectContaining({ xid: 79, pciBusId: '0000:5d:00', message: 'GPU has fallen off the bus.' }),
      expect.objectContaining({ xid: 48, pciBusId: '0000:3a:00' }),
      expect.objectContaining({ xid: 63, pciBusId: '0000:3a:00' }),
    ]);
    const gpu = (i: number) => host.gpus.find((g) => g.identity.index === i)!;
    expect(gpu(1)).toMatchObject({ temperatureC: 93, clockEventReasons: expect.arrayContaining(['hw_thermal_slowdown']) });
    expect(gpu(2).ecc.volatileUncorrected).toBe(1);
    expect(gpu(2).remappedRows!.pending).toBe(true);
    expect(gpu(4).pcie).toMatchObject({ gen: 5, genMax: 5, width: 8, widthMax: 16 });
    expect(gpu(5).nvlink!.filter((l) => !l.active)).toHaveLength(1);
    expect(gpu(0).temperatureC!).toBeLessThan(90);
  });
});

describe('a double-bit ECC error on a simulated GPU', () => {
  const faults = (...texts: string[]): Fault[] => texts.map((f) => parseFault(f.split(' '), 8, now) as Fault);
  const gpu2 = (host: ReturnType<typeof simulateHost>) => host.gpus.find((g) => g.identity.index === 2)!;

  it('shows the same whether injected as xid=48 or ecc=dbe: the Xid 48 line, the Xid 63 of the row it marks, the counters and the remap it leaves pending', () => {
    const asXid = simulateHost(spec, 's', now, faults('xid=48 gpu=2'));
    expect(asXid).toEqual(simulateHost(spec, 's', now, faults('ecc=dbe gpu=2')));
    // As an H100 logged them (xid48-dbe-xid63-row-remap-…-iso.log): the Xid 63 some 28 ms after the Xid 48, naming the same address.
    expect(asXid.xids).toEqual([
      expect.objectContaining({ xid: 48, pciBusId: '0000:3a:00', time: { iso: now.toISOString() }, message: expect.stringMatching(/^An uncorrectable double bit error \(DBE\) .* at physAddr 0x12bac1c3e0 /) }),
      expect.objectContaining({ xid: 63, pciBusId: '0000:3a:00', time: { iso: '2026-11-29T12:00:00.028Z' }, message: 'Row Remapper: New row (0x00000012bac1c3e0) marked for remapping, reset gpu to activate.' }),
    ]);
    // Volatile (since the last reset) and aggregate (the board's life) uncorrectable counts both rise.
    expect(gpu2(asXid).ecc).toEqual({ enabled: true, volatileCorrected: 0, volatileUncorrected: 1, aggregateCorrected: 2, aggregateUncorrected: 1 });
    expect(gpu2(asXid).remappedRows).toEqual({ correctable: 0, uncorrectable: 1, pending: true, failed: false });
  });

  it('counts each error', () => {
    const later = new Date(now.getTime() + 1_000);
    const host = simulateHost(spec, 's', later, [...faults('xid=48 gpu=2'), parseFault(['ecc=dbe', 'gpu=2'], 8, later) as Fault]);
    expect(host.xids.map((x) => x.xid)).toEqual([48, 63, 48, 63]);
    expect(gpu2(host).ecc).toMatchObject({ volatileUncorrected: 2, aggregateUncorrected: 2 });
    expect(gpu2(host).remappedRows).toMatchObject({ uncorrectable: 2, pending: true });
  });

  it('takes an Xid 48 cleared with clear-xids as the GPU reset it asked for: volatile count back to 0, remap applied, lifetime count kept', () => {
    const injected = faults('ecc=dbe gpu=2');
    const events = simulateHost(spec, 's', now, injected).xids;
    const reset = simulateHost(spec, 's', now, injected, new Set(events.map(xidKey)));
    expect(gpu2(reset).ecc).toEqual({ enabled: true, volatileCorrected: 0, volatileUncorrected: 0, aggregateCorrected: 2, aggregateUncorrected: 1 });
    expect(gpu2(reset).remappedRows).toEqual({ correctable: 0, uncorrectable: 1, pending: false, failed: false });
    // The kernel log keeps the line: the collector, not the simulator, leaves cleared events out.
    expect(reset.xids).toEqual(events);
  });
});

describe('an Xid 63 injected alone', () => {
  const gpu1 = (host: ReturnType<typeof simulateHost>) => host.gpus.find((g) => g.identity.index === 1)!;
  const injected = [parseFault(['xid=63', 'gpu=1'], 8, now) as Fault];

  it('marks a row for remapping, pending until the GPU reset that clearing it stands for, with no ECC error counted', () => {
    const host = simulateHost(spec, 's', now, injected);
    expect(host.xids).toEqual([expect.objectContaining({ xid: 63, pciBusId: '0000:2a:00', message: expect.stringMatching(/^Row Remapper: New row .* marked for remapping/) })]);
    expect(gpu1(host).remappedRows).toEqual({ correctable: 0, uncorrectable: 1, pending: true, failed: false });
    expect(gpu1(host).ecc).toMatchObject({ volatileUncorrected: 0, aggregateUncorrected: 0 });
    const reset = simulateHost(spec, 's', now, injected, new Set(host.xids.map(xidKey)));
    expect(gpu1(reset).remappedRows).toEqual({ correctable: 0, uncorrectable: 1, pending: false, failed: false });
  });
});

describe('idle GPUs in the simulator', () => {
  /** Every GPU of a host every 10 s (mid-step) over one wave period (17 min) from `now`. */
  const period = (seed: string) => Array.from({ length: 102 }, (_, k) => simulateHost(spec, seed, new Date(now.getTime() + 5_000 + k * 10_000), []).gpus).flat();

  it('idle between jobs, as a real idle GPU reads: 0 % utilisation, no process, idle clocks and power, the driver\'s memory only', () => {
    const idle = period('s').filter((g) => g.gpuUtilizationPct === 0);
    expect(idle.length).toBeGreaterThan(0);
    for (const g of idle) {
      expect(g).toMatchObject({ processCount: 0, clockEventReasons: ['gpu_idle'], smClockMHz: 345, powerDrawW: 72, memoryUtilizationPct: 0, framebufferUsedMiB: 22 });
      expect(g.temperatureC!).toBeLessThan(40);
    }
    // Busy otherwise, never below the wave's floor less the jitter.
    for (const g of period('s').filter((x) => x.gpuUtilizationPct !== 0)) expect(g.gpuUtilizationPct!).toBeGreaterThanOrEqual(10);
  });

  it.each(['s', 'seed', 'another host'])('idle about one GPU in eight at a time, each its own share drawn from the seed (seed "%s")', (seed) => {
    const samples = period(seed);
    const idleShare = samples.filter((g) => g.gpuUtilizationPct === 0).length / samples.length;
    expect(idleShare).toBeGreaterThan(0.02);
    expect(idleShare).toBeLessThan(0.25);
    // Deterministic: the same seed idles the same GPUs at the same times.
    expect(period(seed).map((g) => g.gpuUtilizationPct)).toEqual(samples.map((g) => g.gpuUtilizationPct));
  });
});

describe('the simulated energy counter', () => {
  const gpus = spec.gpus.map((_, i) => i);
  const at = (ms: number, faults: readonly Fault[] = []) => simulateHost(spec, 's', new Date(now.getTime() + ms), faults).gpus;
  /** Mean power (W) over [from, to] ms from the energy counter: mJ per ms is W. */
  const energyRateW = (from: number, to: number, faults: readonly Fault[] = []) => {
    const [a, b] = [at(from, faults), at(to, faults)];
    return gpus.map((i) => (b[i]!.energyMj! - a[i]!.energyMj!) / (to - from));
  };

  // `now` is on a 10-s boundary, where the utilisation's jitter steps: these windows lie within one step.
  it.each([2_000, 125_000, 3_600_000 + 4_000])('rises over one second at the rate of the power gauge (+%i ms)', (ms) => {
    const rate = energyRateW(ms - 500, ms + 500);
    const gauge = at(ms).map((g) => g.powerDrawW!);
    for (const i of gpus) expect(rate[i]!, `GPU ${i}`).toBeCloseTo(gauge[i]!, 1);
  });

  // What rate(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION[5m]) / 1000 shows beside avg_over_time(DCGM_FI_DEV_POWER_USAGE[5m]), scraped every 10 s.
  it.each([0, 7 * 60_000, 86_400_000])('over 5 minutes, rises at the mean of the power gauge scraped every 10 s (+%i ms)', (end) => {
    const rate = energyRateW(end - 300_000, end);
    const scrapes = Array.from({ length: 30 }, (_, k) => at(end - 300_000 + 5_000 + k * 10_000));
    for (const i of gpus) {
      const mean = scrapes.reduce((sum, s) => sum + s[i]!.powerDrawW!, 0) / scrapes.length;
      expect(Math.abs(rate[i]! - mean), `GPU ${i}: ${rate[i]} W against ${mean} W`).toBeLessThan(0.5);
    }
  });

  it('counts idle power through an idle gap, and at the mean of the power gauge over 5 minutes across it', () => {
    // The first 10-s step, within one wave period, where some GPU idles.
    const k = Array.from({ length: 102 }, (_, i) => i).find((i) => at(5_000 + i * 10_000).some((g) => g.gpuUtilizationPct === 0))!;
    const gpu = at(5_000 + k * 10_000).find((g) => g.gpuUtilizationPct === 0)!.identity.index;
    expect(energyRateW(k * 10_000 + 2_000, k * 10_000 + 8_000)[gpu]!).toBeCloseTo(72, 3);
    for (const end of [k * 10_000 + 60_000, k * 10_000 + 200_000]) {
      const rate = energyRateW(end - 300_000, end)[gpu]!;
      const scrapes = Array.from({ length: 30 }, (_, j) => at(end - 300_000 + 5_000 + j * 10_000)[gpu]!.powerDrawW!);
      expect(scrapes.some((w) => w === 72) && scrapes.some((w) => w > 72), 'the window holds idle and busy time').toBe(true);
      expect(Math.abs(rate - scrapes.reduce((a, b) => a + b, 0) / scrapes.length)).toBeLessThan(0.5);
    }
  });

  it('counts less once the power brake holds the power down, never falling, and never before it was applied', () => {
    const brake = [{ kind: 'power-brake', gpu: 3, at: new Date(now.getTime() + 30_000).toISOString() }] as const satisfies readonly Fault[];
    let last = -Infinity;
    for (let ms = 0; ms <= 60_000; ms += 1_000) {
      const energy = at(ms, brake)[3]!.energyMj!;
      expect(energy, `+${ms} ms`).toBeGreaterThan(last);
      last = energy;
    }
    expect(at(25_000, brake)[3]!.energyMj).toBe(at(25_000)[3]!.energyMj);
    const braked = at(45_000, brake)[3]!;
    expect(braked.clockEventReasons).toContain('hw_power_brake_slowdown');
    expect(braked.powerDrawW!).toBeLessThanOrEqual(700 * 0.4);
    expect(energyRateW(44_500, 45_500, brake)[3]!).toBeCloseTo(braked.powerDrawW!, 1);
  });

  it('is the energy of a plausible draw since the driver loaded, growing with the time', () => {
    const loaded = Date.parse('2026-01-01T00:00:00.000Z');
    for (const g of at(0)) {
      const meanW = g.energyMj! / (now.getTime() - loaded);
      expect(meanW).toBeGreaterThan(72);
      expect(meanW).toBeLessThan(700);
    }
  });
});

describe('parseFault', () => {
  it.each([
    [['xid=79', 'gpu=3'], { kind: 'xid', xid: 79, gpu: 3 }],
    [['ecc=dbe', 'gpu=0'], { kind: 'ecc-dbe', gpu: 0 }],
    [['remap=pending', 'gpu=1'], { kind: 'remap-pending', gpu: 1 }],
    [['thermal', 'gpu=7'], { kind: 'thermal', gpu: 7 }],
    [['gpu=2', 'lost'], { kind: 'lost', gpu: 2 }],
    [['sxid=20034', 'fatal'], { kind: 'sxid', sxid: 20034, fatal: true, nvswitch: 0 }],
    [['sxid=12028', 'non-fatal', 'switch=3'], { kind: 'sxid', sxid: 12028, fatal: false, nvswitch: 3 }],
    [['switch=1', 'Nonfatal', 'SXid=11012'], { kind: 'sxid', sxid: 11012, fatal: false, nvswitch: 1 }],
  ])('reads %j', (words, expected) => {
    expect(parseFault(words, 8, now)).toEqual({ ...expected, at: now.toISOString() });
  });

  it.each([
    [['xid=79'], /gpu=N is required/],
    [['xid=79', 'gpu=8'], /gpu=8 is not a GPU of this host: give N from 0 to 7/],
    [['xid=79', 'gpu='], /gpu= is not a GPU of this host/],
    [['xid=abc', 'gpu=1'], /a number from 1 to 999/],
    [['melt', 'gpu=1'], /unknown fault "melt"/],
    [['thermal', 'lost', 'gpu=1'], /exactly one fault/],
    [['sxid=20034'], /say whether the SXid is fatal/],
    [['sxid=20034', 'fatal', 'non-fatal'], /say whether the SXid is fatal/],
    [['sxid=20034', 'fatal', 'gpu=1'], /an NVSwitch's, which serves every GPU, not one GPU's/],
    [['sxid=20034', 'fatal', 'switch=4'], /switch=4: an NVSwitch from 0 to 3/],
    [['sxid=20034', 'fatal', 'switch=x'], /switch=x: an NVSwitch from 0 to 3/],
    [['sxid=0', 'fatal'], /an SXid is a number from 1 to 999999/],
    [['sxid=2e4', 'fatal'], /an SXid is a number from 1 to 999999/],
    [['sxid=20034', 'fatal', 'thermal'], /unknown word "thermal" with an SXid/],
  ])('refuses %j', (words, message) => {
    expect((parseFault(words, 8, now) as { error: string }).error).toMatch(message);
  });
});

describe('NVSwitch errors (SXid) on a simulated host', () => {
  const inject = (...texts: string[]): Fault[] => texts.map((f) => parseFault(f.split(' '), 8, now) as Fault);

  it('logs each as the NVSwitch driver does, read back by the kernel-log parser with its Fatal or Non-fatal mark', () => {
    const host = simulateHost(spec, 's', now, inject('sxid=20034 fatal switch=1', 'sxid=12028 non-fatal'));
    expect(host.sxids.map((e) => e.raw)).toEqual([
      'nvidia-nvswitch1: SXid (PCI:0000:06:00.0): 20034, Fatal, Link 48 LTSSM Fault Up',
      'nvidia-nvswitch0: SXid (PCI:0000:05:00.0): 12028, Non-fatal, Link 61 egress non-posted PRIV error (First)',
    ]);
    for (const e of host.sxids) expect(classifyKernelMessage(e.raw)).toEqual({ kind: 'sxid', sxid: e.sxid, pciBusId: e.pciBusId, fatal: e.fatal, message: e.message });
    expect(host.sxids.map((e) => [e.fatal, e.time])).toEqual([[true, { iso: now.toISOString() }], [false, { iso: now.toISOString() }]]);
    // About the fabric: no GPU shows it, and no Xid is logged.
    expect(host.xids).toEqual([]);
    expect(host.gpus).toEqual(simulateHost(spec, 's', now, []).gpus);
  });
});

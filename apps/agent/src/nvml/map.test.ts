import { describe, expect, it } from 'vitest';
import type { GpuSample } from '../model.js';
import { NVML_DEVICE_QUERIES, NVML_RETURN, type NvmlDeviceQuery } from './api.js';
import { FakeNvml, fakeH100, type FakeGpu } from './fake.js';
import { cudaVersionText, nvmlGpuSample, nvmlSnapshotParts } from './map.js';
import { readNvmlGpu, readNvmlHost } from './read.js';

const system = { driverVersion: '570.133.20', cudaVersion: '12.8' };

/** An H100 whose every query answers, retired pages included, so that each can be taken away. */
const everyField = (): FakeGpu => {
  const h100 = fakeH100(0);
  return {
    ...h100,
    values: { ...h100.values, retiredPagesSingleBit: 1, retiredPagesDoubleBit: 0, retiredPagesPending: true, clocksEventReasons: 0x4 | 0x40, encoderUtilizationPct: 12, decoderUtilizationPct: 34 },
    codes: {},
    nvlinks: [
      { active: true, errors: { replay: 0, recovery: 0, crcFlit: 0, crcData: 0 } },
      { active: false, errors: { replay: 31, recovery: 4, crcFlit: 100, crcData: 12 } },
    ],
  };
};

const sampleOf = (gpu: FakeGpu) => nvmlGpuSample(readNvmlGpu(new FakeNvml({ gpus: [gpu] }), 0), system);

const FULL: GpuSample = {
  identity: {
    index: 0,
    uuid: 'GPU-00000000-aaaa-bbbb-cccc-0123456789ab',
    name: 'NVIDIA H100 80GB HBM3',
    serial: '1651000000000',
    boardPartNumber: '692-2G520-0200-000',
    boardId: '0x1800',
    pciBusId: '00000000:18:00.0',
    vbiosVersion: '96.00.99.00.01',
  },
  driverVersion: '570.133.20',
  cudaVersion: '12.8',
  persistenceMode: true,
  migEnabled: false,
  computeMode: 'Default',
  temperatureC: 61,
  memoryTemperatureC: 68,
  powerDrawW: 512.345,
  powerLimitW: 700,
  energyMj: 9_876_543_210,
  smClockMHz: 1980,
  memoryClockMHz: 2619,
  smClockMaxMHz: 1980,
  memoryClockMaxMHz: 2619,
  clockEventReasons: ['sw_power_cap', 'hw_thermal_slowdown'],
  gpuUtilizationPct: 87,
  memoryUtilizationPct: 41,
  encoderUtilizationPct: 12,
  decoderUtilizationPct: 34,
  framebufferTotalMiB: 81559,
  framebufferUsedMiB: 61559,
  framebufferFreeMiB: 20000,
  ecc: { enabled: true, volatileCorrected: 0, volatileUncorrected: 0, aggregateCorrected: 2, aggregateUncorrected: 0 },
  remappedRows: { correctable: 0, uncorrectable: 0, pending: false, failed: false },
  retiredPages: { singleBit: 1, doubleBit: 0, pending: true },
  pcie: { gen: 5, genMax: 5, width: 16, widthMax: 16, replayCounter: 0 },
  nvlink: [
    { link: 0, active: true, replayErrors: 0, recoveryErrors: 0, crcErrors: 0 },
    { link: 1, active: false, replayErrors: 31, recoveryErrors: 4, crcErrors: 112 },
  ],
  processCount: 2,
  unsupported: [],
};

/** Each query, the sample fields it fills (dotted paths) and what they become without it. */
const FIELDS_OF: Readonly<Record<NvmlDeviceQuery, { readonly paths: readonly string[]; readonly unsupported: readonly string[]; readonly empty?: unknown }>> = {
  uuid: { paths: ['identity.uuid'], unsupported: ['identity.uuid'], empty: '' },
  pciBusId: { paths: ['identity.pciBusId'], unsupported: ['identity.pciBusId'], empty: '' },
  name: { paths: ['identity.name'], unsupported: ['identity.name'], empty: '' },
  serial: { paths: ['identity.serial'], unsupported: ['identity.serial'] },
  boardPartNumber: { paths: ['identity.boardPartNumber'], unsupported: ['identity.boardPartNumber'] },
  boardId: { paths: ['identity.boardId'], unsupported: ['identity.boardId'] },
  vbiosVersion: { paths: ['identity.vbiosVersion'], unsupported: ['identity.vbiosVersion'] },
  persistenceMode: { paths: ['persistenceMode'], unsupported: ['persistenceMode'] },
  migMode: { paths: ['migEnabled'], unsupported: ['migEnabled'] },
  computeMode: { paths: ['computeMode'], unsupported: ['computeMode'] },
  temperatureC: { paths: ['temperatureC'], unsupported: ['temperatureC'] },
  memoryTemperatureC: { paths: ['memoryTemperatureC'], unsupported: ['memoryTemperatureC'] },
  powerUsageMw: { paths: ['powerDrawW'], unsupported: ['powerDrawW'] },
  enforcedPowerLimitMw: { paths: ['powerLimitW'], unsupported: ['powerLimitW'] },
  totalEnergyMj: { paths: ['energyMj'], unsupported: ['energyMj'] },
  smClockMHz: { paths: ['smClockMHz'], unsupported: ['smClockMHz'] },
  memoryClockMHz: { paths: ['memoryClockMHz'], unsupported: ['memoryClockMHz'] },
  smClockMaxMHz: { paths: ['smClockMaxMHz'], unsupported: ['smClockMaxMHz'] },
  memoryClockMaxMHz: { paths: ['memoryClockMaxMHz'], unsupported: ['memoryClockMaxMHz'] },
  clocksEventReasons: { paths: ['clockEventReasons'], unsupported: ['clockEventReasons'] },
  utilization: { paths: ['gpuUtilizationPct', 'memoryUtilizationPct'], unsupported: ['gpuUtilizationPct', 'memoryUtilizationPct'] },
  encoderUtilizationPct: { paths: ['encoderUtilizationPct'], unsupported: ['encoderUtilizationPct'] },
  decoderUtilizationPct: { paths: ['decoderUtilizationPct'], unsupported: ['decoderUtilizationPct'] },
  memory: { paths: ['framebufferTotalMiB', 'framebufferUsedMiB', 'framebufferFreeMiB'], unsupported: ['framebufferFreeMiB', 'framebufferTotalMiB', 'framebufferUsedMiB'] },
  eccEnabled: { paths: ['ecc.enabled'], unsupported: ['ecc.enabled'] },
  eccVolatileCorrected: { paths: ['ecc.volatileCorrected'], unsupported: ['ecc.volatileCorrected'] },
  eccVolatileUncorrected: { paths: ['ecc.volatileUncorrected'], unsupported: ['ecc.volatileUncorrected'] },
  eccAggregateCorrected: { paths: ['ecc.aggregateCorrected'], unsupported: ['ecc.aggregateCorrected'] },
  eccAggregateUncorrected: { paths: ['ecc.aggregateUncorrected'], unsupported: ['ecc.aggregateUncorrected'] },
  remappedRows: { paths: ['remappedRows'], unsupported: ['remappedRows'] },
  retiredPagesSingleBit: { paths: ['retiredPages.singleBit'], unsupported: ['retiredPages.singleBit'] },
  retiredPagesDoubleBit: { paths: ['retiredPages.doubleBit'], unsupported: ['retiredPages.doubleBit'] },
  retiredPagesPending: { paths: ['retiredPages.pending'], unsupported: ['retiredPages.pending'] },
  pcieLinkGen: { paths: ['pcie.gen'], unsupported: ['pcie.gen'] },
  pcieLinkGenMax: { paths: ['pcie.genMax'], unsupported: ['pcie.genMax'] },
  pcieLinkWidth: { paths: ['pcie.width'], unsupported: ['pcie.width'] },
  pcieLinkWidthMax: { paths: ['pcie.widthMax'], unsupported: ['pcie.widthMax'] },
  pcieReplayCounter: { paths: ['pcie.replayCounter'], unsupported: ['pcie.replayCounter'] },
  computeProcessCount: { paths: ['processCount'], unsupported: ['processCount'] },
};

function withPaths(sample: GpuSample, paths: readonly string[], value: unknown, unsupported: readonly string[]): GpuSample {
  const copy = structuredClone(sample) as unknown as Record<string, unknown>;
  for (const path of paths) {
    const keys = path.split('.');
    const parent = keys.slice(0, -1).reduce((o, k) => o[k] as Record<string, unknown>, copy);
    parent[keys.at(-1)!] = value;
  }
  return { ...(copy as unknown as GpuSample), unsupported };
}

describe('NVML readings as a GpuSample', () => {
  it('maps every field of a GPU that answers everything, in the model’s units', () => {
    const { sample, problems } = sampleOf(everyField());
    expect(sample).toEqual(FULL);
    expect(problems).toEqual([]);
  });

  it('covers every NVML query in the table below', () => {
    expect(Object.keys(FIELDS_OF).sort()).toEqual([...NVML_DEVICE_QUERIES].sort());
  });

  it.each(NVML_DEVICE_QUERIES.map((q) => [q]))('reports %s as unsupported when NVML answers NOT_SUPPORTED, and nothing else changes', (query) => {
    const gpu = everyField();
    const { sample, problems } = sampleOf({ ...gpu, codes: { [query]: NVML_RETURN.NOT_SUPPORTED } });
    const { paths, unsupported, empty = null } = FIELDS_OF[query];
    expect(sample).toEqual(withPaths(FULL, paths, empty, unsupported));
    expect(problems).toEqual([]);
  });

  it.each([
    ['NO_PERMISSION', NVML_RETURN.NO_PERMISSION, 'NO_PERMISSION (4)'],
    ['UNKNOWN', NVML_RETURN.UNKNOWN, 'UNKNOWN (999)'],
    ['an unnamed code', 26, 'NVML error 26'],
  ])('leaves a field null but not unsupported when NVML answers %s, and says so', (_what, code, text) => {
    const { sample, problems } = sampleOf({ ...everyField(), codes: { temperatureC: code } });
    expect(sample.temperatureC).toBeNull();
    expect(sample.unsupported).toEqual([]);
    expect(problems).toEqual([`temperatureC: ${text}`]);
  });

  it('takes a function the driver lacks (FUNCTION_NOT_FOUND) as unsupported', () => {
    const { sample } = sampleOf({ ...everyField(), codes: { memoryTemperatureC: NVML_RETURN.FUNCTION_NOT_FOUND } });
    expect(sample.unsupported).toEqual(['memoryTemperatureC']);
  });

  it('makes retired pages null as a whole on a GPU that retires none (Hopper)', () => {
    const { sample } = sampleOf(fakeH100(0));
    expect(sample.retiredPages).toBeNull();
    expect(sample.unsupported).toEqual(['retiredPages']);
  });

  it('reports NVLink as unsupported on a GPU without it, and per counter when one counter is refused', () => {
    const { nvlinks: _none, ...noNvlink } = everyField();
    expect(sampleOf(noNvlink).sample).toMatchObject({ nvlink: null, unsupported: ['nvlink'] });
    const links = everyField().nvlinks!;
    const oneCounter = sampleOf({ ...everyField(), nvlinks: [{ ...links[0]!, codes: { replay: NVML_RETURN.NOT_SUPPORTED, crcData: NVML_RETURN.NOT_SUPPORTED } }] });
    expect(oneCounter.sample.nvlink).toEqual([{ link: 0, active: true, replayErrors: null, recoveryErrors: 0, crcErrors: 0 }]);
  });

  it.each([
    [0, []],
    [0x1, ['gpu_idle']],
    [0x4 | 0x8 | 0x80, ['sw_power_cap', 'hw_slowdown', 'hw_power_brake_slowdown']],
    [0x10 | 0x20 | 0x100 | 0x2, ['applications_clocks_setting', 'sw_thermal_slowdown', 'sync_boost', 'display_clocks_setting']],
    // Bits NVML may add later are ignored rather than misnamed.
    [0x200 | 0x1, ['gpu_idle']],
  ])('reads the clock-event mask %i as %j', (mask, reasons) => {
    const gpu = everyField();
    expect(sampleOf({ ...gpu, values: { ...gpu.values, clocksEventReasons: mask } }).sample.clockEventReasons).toEqual(reasons);
  });

  it.each([
    [0, 'Default'],
    [2, 'Prohibited'],
    [3, 'Exclusive_Process'],
    [9, 'mode 9'],
  ])('names compute mode %i as nvidia-smi does (%s)', (mode, name) => {
    const gpu = everyField();
    expect(sampleOf({ ...gpu, values: { ...gpu.values, computeMode: mode } }).sample.computeMode).toBe(name);
  });

  it.each([
    [12080, '12.8'],
    [12020, '12.2'],
    [11070, '11.7'],
    [13000, '13.0'],
  ])('writes CUDA %i as %s', (v, text) => expect(cudaVersionText(v)).toBe(text));
});

describe('a GPU that falls off the bus', () => {
  it('stops reading at GPU_IS_LOST mid-read and reports the GPU missing by what was read before', () => {
    const nvml = new FakeNvml({ driverVersion: '570.133.20', cudaDriverVersion: 12080, gpus: [fakeH100(0), fakeH100(1, { lostAfterCalls: 5 }), fakeH100(2)] });
    const reading = readNvmlHost(nvml);
    expect(reading.gpus.map((g) => g.lost)).toEqual([false, true, false]);
    // Five answers (uuid, bus id, name, serial, part number), then one GPU_IS_LOST, then no more calls.
    expect(nvml.callsPerGpu[1]).toBe(6);
    const parts = nvmlSnapshotParts(reading);
    expect(parts.gpus.map((g) => g.identity.index)).toEqual([0, 2]);
    expect(parts.missingGpus).toEqual([{ index: 1, uuid: 'GPU-00000001-aaaa-bbbb-cccc-0123456789ab', pciBusId: '00000000:2A:00.0' }]);
    expect(parts.expectedGpus).toBe(3);
  });

  it('reports a GPU lost before its handle as missing, with what is unknown said so', () => {
    const parts = nvmlSnapshotParts(readNvmlHost(new FakeNvml({ gpus: [fakeH100(0, { handleCode: NVML_RETURN.GPU_IS_LOST })] })));
    expect(parts.missingGpus).toEqual([{ index: 0, uuid: 'unknown', pciBusId: 'UNKNOWN' }]);
  });

  it('reports a GPU lost while its NVLinks are read', () => {
    // Every query, then link 0 (state + 4 counters), then link 1's state is lost.
    const parts = nvmlSnapshotParts(readNvmlHost(new FakeNvml({ gpus: [fakeH100(0, { lostAfterCalls: NVML_DEVICE_QUERIES.length + 5 })] })));
    expect(parts.gpus).toEqual([]);
    expect(parts.missingGpus).toHaveLength(1);
  });

  it('skips a GPU NVML gives no handle for (no permission) and says why', () => {
    const parts = nvmlSnapshotParts(readNvmlHost(new FakeNvml({ gpus: [fakeH100(0), fakeH100(1, { handleCode: NVML_RETURN.NO_PERMISSION })] })));
    expect(parts.gpus).toHaveLength(1);
    expect(parts.missingGpus).toEqual([]);
    expect(parts.problems).toEqual(['GPU 1: no handle: NO_PERMISSION (4)']);
  });
});

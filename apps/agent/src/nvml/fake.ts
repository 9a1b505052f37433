import { NVML_RETURN, nvmlFailed, nvmlOk, type Nvml, type NvmlDevice, type NvmlDeviceQueries, type NvmlDeviceQuery, type NvmlResult, type NvlinkCounter } from './api.js';

export interface FakeNvlink {
  readonly active: boolean;
  readonly errors: { readonly [C in NvlinkCounter]: number };
  /** Return codes instead of values, per counter or for the link state. */
  readonly codes?: Partial<Record<NvlinkCounter | 'active', number>>;
}

/** One fake GPU. A query with neither a value nor a code answers NOT_SUPPORTED. */
export interface FakeGpu {
  readonly values: Partial<NvmlDeviceQueries>;
  readonly codes?: Partial<Record<NvmlDeviceQuery, number>>;
  /** The code nvmlDeviceGetHandleByIndex answers for this GPU, instead of a handle. */
  readonly handleCode?: number;
  readonly nvlinks?: readonly FakeNvlink[];
  /** After this many answered calls about the GPU, every call answers GPU_IS_LOST (it fell off the bus mid-read). */
  readonly lostAfterCalls?: number;
}

export interface FakeNvmlData {
  readonly driverVersion?: string;
  readonly cudaDriverVersion?: number;
  /** Return codes for the system calls instead of values. */
  readonly codes?: Partial<Record<'driverVersion' | 'cudaDriverVersion' | 'deviceCount', number>>;
  readonly gpus: readonly FakeGpu[];
}

/** An NVML driven by data, for tests and the benchmark: per-field values or return codes. */
export class FakeNvml implements Nvml {
  readonly source = 'fake';
  readonly #data: FakeNvmlData;
  readonly #callsPerGpu: number[];
  #closed = false;

  constructor(data: FakeNvmlData) {
    this.#data = data;
    this.#callsPerGpu = data.gpus.map(() => 0);
  }

  /** Calls answered about each GPU so far. */
  get callsPerGpu(): readonly number[] {
    return [...this.#callsPerGpu];
  }

  get closed(): boolean {
    return this.#closed;
  }

  #system<T>(name: 'driverVersion' | 'cudaDriverVersion' | 'deviceCount', value: T | undefined): NvmlResult<T> {
    const code = this.#data.codes?.[name];
    if (code !== undefined) return nvmlFailed(code);
    return value === undefined ? nvmlFailed(NVML_RETURN.NOT_SUPPORTED) : nvmlOk(value);
  }

  driverVersion(): NvmlResult<string> {
    return this.#system('driverVersion', this.#data.driverVersion);
  }

  cudaDriverVersion(): NvmlResult<number> {
    return this.#system('cudaDriverVersion', this.#data.cudaDriverVersion);
  }

  deviceCount(): NvmlResult<number> {
    return this.#system('deviceCount', this.#data.gpus.length);
  }

  device(index: number): NvmlResult<NvmlDevice> {
    const gpu = this.#data.gpus[index];
    if (gpu === undefined) return nvmlFailed(NVML_RETURN.INVALID_ARGUMENT);
    return gpu.handleCode === undefined ? nvmlOk({ index }) : nvmlFailed(gpu.handleCode);
  }

  /** The GPU behind a handle, or GPU_IS_LOST once it has answered its last call. */
  #gpu(device: NvmlDevice): FakeGpu | number {
    const gpu = this.#data.gpus[device.index]!;
    const calls = ++this.#callsPerGpu[device.index]!;
    return gpu.lostAfterCalls !== undefined && calls > gpu.lostAfterCalls ? NVML_RETURN.GPU_IS_LOST : gpu;
  }

  query<Q extends NvmlDeviceQuery>(device: NvmlDevice, query: Q): NvmlResult<NvmlDeviceQueries[Q]> {
    const gpu = this.#gpu(device);
    if (typeof gpu === 'number') return nvmlFailed(gpu);
    const code = gpu.codes?.[query];
    if (code !== undefined) return nvmlFailed(code);
    const value = gpu.values[query];
    return value === undefined ? nvmlFailed(NVML_RETURN.NOT_SUPPORTED) : nvmlOk(value as NvmlDeviceQueries[Q]);
  }

  #link(device: NvmlDevice, link: number, what: NvlinkCounter | 'active'): FakeNvlink | number {
    const gpu = this.#gpu(device);
    if (typeof gpu === 'number') return gpu;
    const l = gpu.nvlinks?.[link];
    if (l === undefined) return gpu.nvlinks === undefined ? NVML_RETURN.NOT_SUPPORTED : NVML_RETURN.INVALID_ARGUMENT;
    return l.codes?.[what] ?? l;
  }

  nvlinkActive(device: NvmlDevice, link: number): NvmlResult<boolean> {
    const l = this.#link(device, link, 'active');
    return typeof l === 'number' ? nvmlFailed(l) : nvmlOk(l.active);
  }

  nvlinkErrors(device: NvmlDevice, link: number, counter: NvlinkCounter): NvmlResult<number> {
    const l = this.#link(device, link, counter);
    return typeof l === 'number' ? nvmlFailed(l) : nvmlOk(l.errors[counter]);
  }

  close(): void {
    this.#closed = true;
  }
}

/** What NVML answers for a healthy, busy H100 SXM (figures as on a real HGX H100 at load). */
export function fakeH100(index: number, overrides: Partial<FakeGpu> = {}): FakeGpu {
  const bus = ['18', '2A', '3A', '5D', '9A', 'AB', 'BA', 'DB'][index % 8]!;
  const mib = 1024 * 1024;
  return {
    values: {
      uuid: `GPU-${String(index).padStart(8, '0')}-aaaa-bbbb-cccc-0123456789ab`,
      pciBusId: `00000000:${bus}:00.0`,
      name: 'NVIDIA H100 80GB HBM3',
      serial: `165${String(1000000000 + index)}`,
      boardPartNumber: '692-2G520-0200-000',
      boardId: parseInt(`${bus}00`, 16),
      vbiosVersion: '96.00.99.00.01',
      persistenceMode: true,
      migMode: false,
      computeMode: 0,
      temperatureC: 61,
      memoryTemperatureC: 68,
      powerUsageMw: 512_345,
      enforcedPowerLimitMw: 700_000,
      totalEnergyMj: 9_876_543_210,
      smClockMHz: 1980,
      memoryClockMHz: 2619,
      smClockMaxMHz: 1980,
      memoryClockMaxMHz: 2619,
      clocksEventReasons: 0,
      utilization: { gpuPct: 87, memoryPct: 41 },
      // A training job leaves the video engines idle.
      encoderUtilizationPct: 0,
      decoderUtilizationPct: 0,
      memory: { totalBytes: 81559 * mib, freeBytes: 20000 * mib, usedBytes: 61559 * mib },
      eccEnabled: true,
      eccVolatileCorrected: 0,
      eccVolatileUncorrected: 0,
      eccAggregateCorrected: 2,
      eccAggregateUncorrected: 0,
      remappedRows: { correctable: 0, uncorrectable: 0, pending: false, failed: false },
      pcieLinkGen: 5,
      pcieLinkGenMax: 5,
      pcieLinkWidth: 16,
      pcieLinkWidthMax: 16,
      pcieReplayCounter: 0,
      computeProcessCount: 2,
    },
    // Hopper retires no pages: it remaps rows.
    codes: { retiredPagesSingleBit: NVML_RETURN.NOT_SUPPORTED, retiredPagesDoubleBit: NVML_RETURN.NOT_SUPPORTED, retiredPagesPending: NVML_RETURN.NOT_SUPPORTED },
    nvlinks: Array.from({ length: 18 }, () => ({ active: true, errors: { replay: 0, recovery: 0, crcFlit: 0, crcData: 0 } })),
    ...overrides,
  };
}

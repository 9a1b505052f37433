/**
 * The small part of NVML (NVIDIA Management Library) the agent reads, as an interface with a
 * real implementation (`koffi.ts`, FFI into libnvidia-ml.so.1) and a fake one (`fake.ts`).
 * Every call answers a typed value or the NVML return code, never throws: the collector
 * decides what a code means for the field (docs.nvidia.com/deploy/nvml-api, nvml.h).
 */

/** NVML return codes the agent tells apart (nvmlReturn_t); any other is reported by number. */
export const NVML_RETURN = {
  SUCCESS: 0,
  UNINITIALIZED: 1,
  INVALID_ARGUMENT: 2,
  NOT_SUPPORTED: 3,
  NO_PERMISSION: 4,
  NOT_FOUND: 6,
  INSUFFICIENT_SIZE: 7,
  DRIVER_NOT_LOADED: 9,
  TIMEOUT: 10,
  LIBRARY_NOT_FOUND: 12,
  FUNCTION_NOT_FOUND: 13,
  GPU_IS_LOST: 15,
  UNKNOWN: 999,
} as const;
export type NvmlReturnName = keyof typeof NVML_RETURN;

export type NvmlResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: number };

export const nvmlOk = <T>(value: T): NvmlResult<T> => ({ ok: true, value });
export const nvmlFailed = <T>(code: number): NvmlResult<T> => ({ ok: false, code });

/** "NOT_SUPPORTED (3)", or the bare number for a code the agent does not name. */
export function nvmlCodeName(code: number): string {
  const name = (Object.keys(NVML_RETURN) as NvmlReturnName[]).find((k) => NVML_RETURN[k] === code);
  return name ? `${name} (${code})` : `NVML error ${code}`;
}

/**
 * What each per-device query answers, in NVML's units (mW, mJ, bytes, MHz). One query is one
 * NVML call, except `memoryTemperatureC` (one field of nvmlDeviceGetFieldValues) and the ECC
 * and retired-page counts (one call per counter).
 */
export interface NvmlDeviceQueries {
  readonly uuid: string;
  readonly name: string;
  readonly serial: string;
  readonly boardPartNumber: string;
  readonly boardId: number;
  /** nvmlPciInfo_t.busId, e.g. 00000000:19:00.0. */
  readonly pciBusId: string;
  readonly vbiosVersion: string;
  readonly persistenceMode: boolean;
  readonly migMode: boolean;
  /** nvmlComputeMode_t. */
  readonly computeMode: number;
  readonly temperatureC: number;
  readonly memoryTemperatureC: number;
  readonly powerUsageMw: number;
  readonly enforcedPowerLimitMw: number;
  readonly totalEnergyMj: number;
  readonly smClockMHz: number;
  readonly memoryClockMHz: number;
  readonly smClockMaxMHz: number;
  readonly memoryClockMaxMHz: number;
  /** Bitmask of nvmlClocksEventReason* (the older name: throttle reasons). */
  readonly clocksEventReasons: number;
  readonly utilization: { readonly gpuPct: number; readonly memoryPct: number };
  /** nvmlDeviceGetEncoderUtilization's percentage (its sampling period is not kept). */
  readonly encoderUtilizationPct: number;
  /** nvmlDeviceGetDecoderUtilization's percentage. */
  readonly decoderUtilizationPct: number;
  readonly memory: { readonly totalBytes: number; readonly freeBytes: number; readonly usedBytes: number };
  readonly eccEnabled: boolean;
  readonly eccVolatileCorrected: number;
  readonly eccVolatileUncorrected: number;
  readonly eccAggregateCorrected: number;
  readonly eccAggregateUncorrected: number;
  readonly remappedRows: { readonly correctable: number; readonly uncorrectable: number; readonly pending: boolean; readonly failed: boolean };
  readonly retiredPagesSingleBit: number;
  readonly retiredPagesDoubleBit: number;
  readonly retiredPagesPending: boolean;
  readonly pcieLinkGen: number;
  readonly pcieLinkGenMax: number;
  readonly pcieLinkWidth: number;
  readonly pcieLinkWidthMax: number;
  readonly pcieReplayCounter: number;
  /** Processes with a compute context (nvmlDeviceGetComputeRunningProcesses_v3). */
  readonly computeProcessCount: number;
}
export type NvmlDeviceQuery = keyof NvmlDeviceQueries;

/** Every device query, in the order the collector asks them (identity first). */
export const NVML_DEVICE_QUERIES = [
  'uuid',
  'pciBusId',
  'name',
  'serial',
  'boardPartNumber',
  'boardId',
  'vbiosVersion',
  'persistenceMode',
  'migMode',
  'computeMode',
  'temperatureC',
  'memoryTemperatureC',
  'powerUsageMw',
  'enforcedPowerLimitMw',
  'totalEnergyMj',
  'smClockMHz',
  'memoryClockMHz',
  'smClockMaxMHz',
  'memoryClockMaxMHz',
  'clocksEventReasons',
  'utilization',
  'encoderUtilizationPct',
  'decoderUtilizationPct',
  'memory',
  'eccEnabled',
  'eccVolatileCorrected',
  'eccVolatileUncorrected',
  'eccAggregateCorrected',
  'eccAggregateUncorrected',
  'remappedRows',
  'retiredPagesSingleBit',
  'retiredPagesDoubleBit',
  'retiredPagesPending',
  'pcieLinkGen',
  'pcieLinkGenMax',
  'pcieLinkWidth',
  'pcieLinkWidthMax',
  'pcieReplayCounter',
  'computeProcessCount',
] as const satisfies readonly NvmlDeviceQuery[];

/** NVLink error counters the agent reads (nvmlNvLinkErrorCounter_t). */
export const NVLINK_COUNTERS = { replay: 0, recovery: 1, crcFlit: 2, crcData: 3 } as const;
export type NvlinkCounter = keyof typeof NVLINK_COUNTERS;

/** NVML_NVLINK_MAX_LINKS in the current header (Blackwell has 18 links, the header allows 36). */
export const NVLINK_MAX_LINKS = 36;

/** A device handle; only the implementation that made it knows what it holds. */
export interface NvmlDevice {
  readonly index: number;
}

export interface Nvml {
  /** Where it was loaded from, for notes ("libnvidia-ml.so.1", "fake"). */
  readonly source: string;
  driverVersion(): NvmlResult<string>;
  /** e.g. 12080 for CUDA 12.8. */
  cudaDriverVersion(): NvmlResult<number>;
  deviceCount(): NvmlResult<number>;
  device(index: number): NvmlResult<NvmlDevice>;
  query<Q extends NvmlDeviceQuery>(device: NvmlDevice, query: Q): NvmlResult<NvmlDeviceQueries[Q]>;
  nvlinkActive(device: NvmlDevice, link: number): NvmlResult<boolean>;
  nvlinkErrors(device: NvmlDevice, link: number, counter: NvlinkCounter): NvmlResult<number>;
  /** Releases the library (nvmlShutdown). */
  close(): void;
}

/** Opening NVML either gives a ready library or says why not, in words for a note. */
export type NvmlOpen = { readonly nvml: Nvml } | { readonly unavailable: string };

/**
 * The real Nvml: libnvidia-ml.so.1 through koffi (FFI), loaded on first use. Each prototype
 * below is the one in NVIDIA's public nvml.h (NVML API 12/13), with enums passed as `int` and
 * nvmlReturn_t returned as `int`. A function the installed driver lacks answers
 * FUNCTION_NOT_FOUND instead of failing the load, so that old drivers still give what they have.
 * Keep this file small: everything else works on the Nvml interface and is tested with the fake.
 */
import type * as Koffi from 'koffi';
import { NVLINK_COUNTERS, NVML_RETURN, nvmlFailed, nvmlOk, type Nvml, type NvmlDevice, type NvmlDeviceQueries, type NvmlDeviceQuery, type NvmlOpen, type NvmlResult, type NvlinkCounter } from './api.js';

/** The soname the driver installs; LOCUS_NVML_LIBRARY may name another file. */
export const NVML_LIBRARY = 'libnvidia-ml.so.1';

// Buffer sizes from nvml.h (NVML_DEVICE_*_BUFFER_SIZE, NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE).
const TEXT_BUFFER = { uuid: 96, name: 96, serial: 30, boardPartNumber: 80, vbiosVersion: 32, driverVersion: 80 } as const;
const NVML_TEMPERATURE_GPU = 0;
const NVML_FI_DEV_MEMORY_TEMP = 82;
const CLOCK = { sm: 1, memory: 2 } as const;
const ERROR_TYPE = { corrected: 0, uncorrected: 1 } as const;
const COUNTER_TYPE = { volatile: 0, aggregate: 1 } as const;
const RETIREMENT_CAUSE = { multipleSingleBit: 0, doubleBit: 1 } as const;
/** nvmlFieldValue_t: fieldId u32 @0, scopeId u32 @4, timestamp i64 @8, latencyUsec i64 @16, valueType i32 @24, nvmlReturn i32 @28, value (union, 8 bytes) @32. */
const FIELD_VALUE = { size: 40, valueType: 24, nvmlReturn: 28, value: 32 } as const;
/** nvmlValueType_t members that the memory temperature can come as. */
const VALUE_TYPE = { double: 0, uint: 1, ulong: 2, ulonglong: 3, slonglong: 4, sint: 5 } as const;

type Fn = (...args: unknown[]) => number;
type KoffiModule = typeof Koffi;

/** The C functions the binding calls, by their use; exported so that the benchmark's pynvml script can be checked against it. */
export const PROTOTYPES = {
  init: 'int nvmlInit_v2(void)',
  shutdown: 'int nvmlShutdown(void)',
  driverVersion: 'int nvmlSystemGetDriverVersion(char *version, unsigned int length)',
  cudaDriverVersion: 'int nvmlSystemGetCudaDriverVersion(_Out_ int *cudaDriverVersion)',
  count: 'int nvmlDeviceGetCount_v2(_Out_ unsigned int *deviceCount)',
  handle: 'int nvmlDeviceGetHandleByIndex_v2(unsigned int index, _Out_ LocusNvmlDevice *device)',
  uuid: 'int nvmlDeviceGetUUID(LocusNvmlDevice device, char *uuid, unsigned int length)',
  name: 'int nvmlDeviceGetName(LocusNvmlDevice device, char *name, unsigned int length)',
  serial: 'int nvmlDeviceGetSerial(LocusNvmlDevice device, char *serial, unsigned int length)',
  boardPartNumber: 'int nvmlDeviceGetBoardPartNumber(LocusNvmlDevice device, char *partNumber, unsigned int length)',
  vbiosVersion: 'int nvmlDeviceGetVbiosVersion(LocusNvmlDevice device, char *version, unsigned int length)',
  boardId: 'int nvmlDeviceGetBoardId(LocusNvmlDevice device, _Out_ unsigned int *boardId)',
  pciInfo: 'int nvmlDeviceGetPciInfo_v3(LocusNvmlDevice device, _Out_ LocusNvmlPciInfo *pci)',
  persistenceMode: 'int nvmlDeviceGetPersistenceMode(LocusNvmlDevice device, _Out_ int *mode)',
  migMode: 'int nvmlDeviceGetMigMode(LocusNvmlDevice device, _Out_ unsigned int *currentMode, _Out_ unsigned int *pendingMode)',
  computeMode: 'int nvmlDeviceGetComputeMode(LocusNvmlDevice device, _Out_ int *mode)',
  temperature: 'int nvmlDeviceGetTemperature(LocusNvmlDevice device, int sensorType, _Out_ unsigned int *temp)',
  fieldValues: 'int nvmlDeviceGetFieldValues(LocusNvmlDevice device, int valuesCount, void *values)',
  powerUsage: 'int nvmlDeviceGetPowerUsage(LocusNvmlDevice device, _Out_ unsigned int *power)',
  powerLimit: 'int nvmlDeviceGetEnforcedPowerLimit(LocusNvmlDevice device, _Out_ unsigned int *limit)',
  energy: 'int nvmlDeviceGetTotalEnergyConsumption(LocusNvmlDevice device, _Out_ unsigned long long *energy)',
  clock: 'int nvmlDeviceGetClockInfo(LocusNvmlDevice device, int type, _Out_ unsigned int *clock)',
  maxClock: 'int nvmlDeviceGetMaxClockInfo(LocusNvmlDevice device, int type, _Out_ unsigned int *clock)',
  eventReasons: 'int nvmlDeviceGetCurrentClocksEventReasons(LocusNvmlDevice device, _Out_ unsigned long long *reasons)',
  // The same call before driver 535 named it; kept for older drivers.
  throttleReasons: 'int nvmlDeviceGetCurrentClocksThrottleReasons(LocusNvmlDevice device, _Out_ unsigned long long *reasons)',
  utilization: 'int nvmlDeviceGetUtilizationRates(LocusNvmlDevice device, _Out_ LocusNvmlUtilization *utilization)',
  encoderUtilization: 'int nvmlDeviceGetEncoderUtilization(LocusNvmlDevice device, _Out_ unsigned int *utilization, _Out_ unsigned int *samplingPeriodUs)',
  decoderUtilization: 'int nvmlDeviceGetDecoderUtilization(LocusNvmlDevice device, _Out_ unsigned int *utilization, _Out_ unsigned int *samplingPeriodUs)',
  memory: 'int nvmlDeviceGetMemoryInfo(LocusNvmlDevice device, _Out_ LocusNvmlMemory *memory)',
  eccMode: 'int nvmlDeviceGetEccMode(LocusNvmlDevice device, _Out_ int *current, _Out_ int *pending)',
  eccErrors: 'int nvmlDeviceGetTotalEccErrors(LocusNvmlDevice device, int errorType, int counterType, _Out_ unsigned long long *eccCounts)',
  remappedRows: 'int nvmlDeviceGetRemappedRows(LocusNvmlDevice device, _Out_ unsigned int *corrRows, _Out_ unsigned int *uncRows, _Out_ unsigned int *isPending, _Out_ unsigned int *failureOccurred)',
  retiredPages: 'int nvmlDeviceGetRetiredPages(LocusNvmlDevice device, int cause, _Inout_ unsigned int *pageCount, void *addresses)',
  retiredPending: 'int nvmlDeviceGetRetiredPagesPendingStatus(LocusNvmlDevice device, _Out_ int *isPending)',
  pcieGen: 'int nvmlDeviceGetCurrPcieLinkGeneration(LocusNvmlDevice device, _Out_ unsigned int *currLinkGen)',
  pcieGenMax: 'int nvmlDeviceGetMaxPcieLinkGeneration(LocusNvmlDevice device, _Out_ unsigned int *maxLinkGen)',
  pcieWidth: 'int nvmlDeviceGetCurrPcieLinkWidth(LocusNvmlDevice device, _Out_ unsigned int *currLinkWidth)',
  pcieWidthMax: 'int nvmlDeviceGetMaxPcieLinkWidth(LocusNvmlDevice device, _Out_ unsigned int *maxLinkWidth)',
  pcieReplay: 'int nvmlDeviceGetPcieReplayCounter(LocusNvmlDevice device, _Out_ unsigned int *value)',
  nvlinkState: 'int nvmlDeviceGetNvLinkState(LocusNvmlDevice device, unsigned int link, _Out_ int *isActive)',
  nvlinkErrors: 'int nvmlDeviceGetNvLinkErrorCounter(LocusNvmlDevice device, unsigned int link, int counter, _Out_ unsigned long long *counterValue)',
  computeProcesses: 'int nvmlDeviceGetComputeRunningProcesses_v3(LocusNvmlDevice device, _Inout_ unsigned int *infoCount, void *infos)',
} as const;
type Call = keyof typeof PROTOTYPES;

let typesDeclared = false;

/** The C types the prototypes name; koffi keeps named types per process, so they are declared once. */
function declareTypes(koffi: KoffiModule): void {
  if (typesDeclared) return;
  koffi.pointer('LocusNvmlDevice', koffi.opaque('LocusNvmlDeviceSt'));
  koffi.struct('LocusNvmlPciInfo', {
    busIdLegacy: koffi.array('char', 16, 'String'),
    domain: 'unsigned int',
    bus: 'unsigned int',
    device: 'unsigned int',
    pciDeviceId: 'unsigned int',
    pciSubSystemId: 'unsigned int',
    busId: koffi.array('char', 32, 'String'),
  });
  koffi.struct('LocusNvmlUtilization', { gpu: 'unsigned int', memory: 'unsigned int' });
  koffi.struct('LocusNvmlMemory', { total: 'unsigned long long', free: 'unsigned long long', used: 'unsigned long long' });
  typesDeclared = true;
}

const text = (buffer: Buffer): string => {
  const end = buffer.indexOf(0);
  return buffer.toString('utf8', 0, end < 0 ? buffer.length : end).trim();
};

interface KoffiHandle extends NvmlDevice {
  readonly pointer: unknown;
}

/** NVML through koffi; `fn` binds each C function on first use. */
class KoffiNvml implements Nvml {
  readonly source: string;
  readonly #lib: Koffi.LibraryHandle;
  readonly #bound = new Map<Call, Fn | null>();

  constructor(lib: Koffi.LibraryHandle, source: string) {
    this.#lib = lib;
    this.source = source;
  }

  /** Calls a C function, or answers FUNCTION_NOT_FOUND when this driver's library lacks it. */
  call(name: Call, ...args: unknown[]): number {
    let fn = this.#bound.get(name);
    if (fn === undefined) {
      try {
        fn = this.#lib.func(PROTOTYPES[name]) as Fn;
      } catch {
        fn = null;
      }
      this.#bound.set(name, fn);
    }
    return fn === null ? NVML_RETURN.FUNCTION_NOT_FOUND : fn(...args);
  }

  #text(name: Call, size: number, ...before: unknown[]): NvmlResult<string> {
    const buffer = Buffer.alloc(size);
    const code = this.call(name, ...before, buffer, size);
    return code === NVML_RETURN.SUCCESS ? nvmlOk(text(buffer)) : nvmlFailed(code);
  }

  /** One out-parameter of a C function, after `before` arguments. */
  #out<T>(name: Call, ...before: unknown[]): NvmlResult<T> {
    const out: unknown[] = [null];
    const code = this.call(name, ...before, out);
    return code === NVML_RETURN.SUCCESS ? nvmlOk(Number(out[0]) as T) : nvmlFailed(code);
  }

  #flag(name: Call, ...before: unknown[]): NvmlResult<boolean> {
    const r = this.#out<number>(name, ...before);
    return r.ok ? nvmlOk(r.value !== 0) : r;
  }

  driverVersion(): NvmlResult<string> {
    return this.#text('driverVersion', TEXT_BUFFER.driverVersion);
  }

  cudaDriverVersion(): NvmlResult<number> {
    return this.#out('cudaDriverVersion');
  }

  deviceCount(): NvmlResult<number> {
    return this.#out('count');
  }

  device(index: number): NvmlResult<NvmlDevice> {
    const out: unknown[] = [null];
    const code = this.call('handle', index, out);
    return code === NVML_RETURN.SUCCESS ? nvmlOk<KoffiHandle>({ index, pointer: out[0] }) : nvmlFailed(code);
  }

  #memoryTemperature(d: unknown): NvmlResult<number> {
    const values = Buffer.alloc(FIELD_VALUE.size);
    values.writeUInt32LE(NVML_FI_DEV_MEMORY_TEMP, 0);
    const code = this.call('fieldValues', d, 1, values);
    if (code !== NVML_RETURN.SUCCESS) return nvmlFailed(code);
    const fieldCode = values.readInt32LE(FIELD_VALUE.nvmlReturn);
    if (fieldCode !== NVML_RETURN.SUCCESS) return nvmlFailed(fieldCode);
    const at = FIELD_VALUE.value;
    switch (values.readInt32LE(FIELD_VALUE.valueType)) {
      case VALUE_TYPE.double:
        return nvmlOk(values.readDoubleLE(at));
      case VALUE_TYPE.ulong:
      case VALUE_TYPE.ulonglong:
        return nvmlOk(Number(values.readBigUInt64LE(at)));
      case VALUE_TYPE.slonglong:
        return nvmlOk(Number(values.readBigInt64LE(at)));
      case VALUE_TYPE.sint:
        return nvmlOk(values.readInt32LE(at));
      default:
        return nvmlOk(values.readUInt32LE(at));
    }
  }

  #reasons(d: unknown): NvmlResult<number> {
    const r = this.#out<number>('eventReasons', d);
    return !r.ok && r.code === NVML_RETURN.FUNCTION_NOT_FOUND ? this.#out('throttleReasons', d) : r;
  }

  #struct<T>(name: Call, d: unknown): NvmlResult<T> {
    const out = {} as T;
    const code = this.call(name, d, out);
    return code === NVML_RETURN.SUCCESS ? nvmlOk(out) : nvmlFailed(code);
  }

  /** A count that NVML gives through a size query: SUCCESS with 0, or INSUFFICIENT_SIZE with the size needed. */
  #countOf(name: Call, ...before: unknown[]): NvmlResult<number> {
    const count = [0];
    const code = this.call(name, ...before, count, null);
    return code === NVML_RETURN.SUCCESS || code === NVML_RETURN.INSUFFICIENT_SIZE ? nvmlOk(Number(count[0])) : nvmlFailed(code);
  }

  #remappedRows(d: unknown): NvmlResult<NvmlDeviceQueries['remappedRows']> {
    const [corr, unc, pending, failed] = [[0], [0], [0], [0]] as [number[], number[], number[], number[]];
    const code = this.call('remappedRows', d, corr, unc, pending, failed);
    return code === NVML_RETURN.SUCCESS ? nvmlOk({ correctable: corr[0]!, uncorrectable: unc[0]!, pending: pending[0] !== 0, failed: failed[0] !== 0 }) : nvmlFailed(code);
  }

  /** The first of two out-parameters: a current mode before the pending one, a utilisation before its sampling period. */
  #firstOfTwo(name: Call, d: unknown): NvmlResult<number> {
    const [first, second] = [[0], [0]];
    const code = this.call(name, d, first, second);
    return code === NVML_RETURN.SUCCESS ? nvmlOk(first[0]!) : nvmlFailed(code);
  }

  #currentMode(name: Call, d: unknown): NvmlResult<boolean> {
    const r = this.#firstOfTwo(name, d);
    return r.ok ? nvmlOk(r.value !== 0) : r;
  }

  query<Q extends NvmlDeviceQuery>(device: NvmlDevice, query: Q): NvmlResult<NvmlDeviceQueries[Q]> {
    return this.#query(device, query) as NvmlResult<NvmlDeviceQueries[Q]>;
  }

  #query(device: NvmlDevice, query: NvmlDeviceQuery): NvmlResult<unknown> {
    const d = (device as KoffiHandle).pointer;
    switch (query) {
      case 'uuid':
      case 'name':
      case 'serial':
      case 'boardPartNumber':
      case 'vbiosVersion':
        return this.#text(query, TEXT_BUFFER[query], d);
      case 'pciBusId': {
        const pci = this.#struct<{ busId: string }>('pciInfo', d);
        return pci.ok ? nvmlOk(pci.value.busId) : pci;
      }
      case 'boardId':
        return this.#out('boardId', d);
      case 'persistenceMode':
        return this.#flag('persistenceMode', d);
      case 'migMode':
        return this.#currentMode('migMode', d);
      case 'computeMode':
        return this.#out('computeMode', d);
      case 'temperatureC':
        return this.#out('temperature', d, NVML_TEMPERATURE_GPU);
      case 'memoryTemperatureC':
        return this.#memoryTemperature(d);
      case 'powerUsageMw':
        return this.#out('powerUsage', d);
      case 'enforcedPowerLimitMw':
        return this.#out('powerLimit', d);
      case 'totalEnergyMj':
        return this.#out('energy', d);
      case 'smClockMHz':
        return this.#out('clock', d, CLOCK.sm);
      case 'memoryClockMHz':
        return this.#out('clock', d, CLOCK.memory);
      case 'smClockMaxMHz':
        return this.#out('maxClock', d, CLOCK.sm);
      case 'memoryClockMaxMHz':
        return this.#out('maxClock', d, CLOCK.memory);
      case 'clocksEventReasons':
        return this.#reasons(d);
      case 'utilization': {
        const u = this.#struct<{ gpu: number; memory: number }>('utilization', d);
        return u.ok ? nvmlOk({ gpuPct: u.value.gpu, memoryPct: u.value.memory }) : u;
      }
      case 'encoderUtilizationPct':
        return this.#firstOfTwo('encoderUtilization', d);
      case 'decoderUtilizationPct':
        return this.#firstOfTwo('decoderUtilization', d);
      case 'memory': {
        const m = this.#struct<{ total: number | bigint; free: number | bigint; used: number | bigint }>('memory', d);
        return m.ok ? nvmlOk({ totalBytes: Number(m.value.total), freeBytes: Number(m.value.free), usedBytes: Number(m.value.used) }) : m;
      }
      case 'eccEnabled':
        return this.#currentMode('eccMode', d);
      case 'eccVolatileCorrected':
        return this.#out('eccErrors', d, ERROR_TYPE.corrected, COUNTER_TYPE.volatile);
      case 'eccVolatileUncorrected':
        return this.#out('eccErrors', d, ERROR_TYPE.uncorrected, COUNTER_TYPE.volatile);
      case 'eccAggregateCorrected':
        return this.#out('eccErrors', d, ERROR_TYPE.corrected, COUNTER_TYPE.aggregate);
      case 'eccAggregateUncorrected':
        return this.#out('eccErrors', d, ERROR_TYPE.uncorrected, COUNTER_TYPE.aggregate);
      case 'remappedRows':
        return this.#remappedRows(d);
      case 'retiredPagesSingleBit':
        return this.#countOf('retiredPages', d, RETIREMENT_CAUSE.multipleSingleBit);
      case 'retiredPagesDoubleBit':
        return this.#countOf('retiredPages', d, RETIREMENT_CAUSE.doubleBit);
      case 'retiredPagesPending':
        return this.#flag('retiredPending', d);
      case 'pcieLinkGen':
        return this.#out('pcieGen', d);
      case 'pcieLinkGenMax':
        return this.#out('pcieGenMax', d);
      case 'pcieLinkWidth':
        return this.#out('pcieWidth', d);
      case 'pcieLinkWidthMax':
        return this.#out('pcieWidthMax', d);
      case 'pcieReplayCounter':
        return this.#out('pcieReplay', d);
      case 'computeProcessCount':
        return this.#countOf('computeProcesses', d);
    }
  }

  nvlinkActive(device: NvmlDevice, link: number): NvmlResult<boolean> {
    return this.#flag('nvlinkState', (device as KoffiHandle).pointer, link);
  }

  nvlinkErrors(device: NvmlDevice, link: number, counter: NvlinkCounter): NvmlResult<number> {
    return this.#out('nvlinkErrors', (device as KoffiHandle).pointer, link, NVLINK_COUNTERS[counter]);
  }

  close(): void {
    this.call('shutdown');
  }
}

/**
 * Loads and initialises NVML. Never throws: a missing koffi build, a missing library or a
 * failed nvmlInit comes back as `unavailable` with the reason.
 */
export async function openKoffiNvml(library: string = NVML_LIBRARY): Promise<NvmlOpen> {
  let koffi: KoffiModule;
  try {
    koffi = await import('koffi');
  } catch (error) {
    return { unavailable: `the FFI module (koffi) does not load on this platform: ${(error as Error).message}` };
  }
  let lib: Koffi.LibraryHandle;
  try {
    declareTypes(koffi);
    lib = koffi.load(library);
  } catch (error) {
    return { unavailable: `${library} does not load (${(error as Error).message.replace(/^Failed to load shared library: /, '')})` };
  }
  const nvml = new KoffiNvml(lib, library);
  const code = nvml.call('init');
  if (code !== NVML_RETURN.SUCCESS) {
    lib.unload();
    return { unavailable: `nvmlInit failed: ${describeInitFailure(code)}` };
  }
  return { nvml };
}

function describeInitFailure(code: number): string {
  if (code === NVML_RETURN.DRIVER_NOT_LOADED) return 'the NVIDIA kernel driver is not loaded (DRIVER_NOT_LOADED)';
  if (code === NVML_RETURN.NO_PERMISSION) return 'no permission to open /dev/nvidia* (NO_PERMISSION)';
  if (code === NVML_RETURN.FUNCTION_NOT_FOUND) return 'the library has no nvmlInit_v2: not NVML, or a driver older than 2013';
  return `NVML error ${code}`;
}

/**
 * NVML readings as the agent's GpuSample model: the same model the nvidia-smi XML parser
 * produces, so the health components work unchanged whatever the source.
 */
import { CLOCK_EVENT_REASONS, type ClockEventReason, type GpuSample, type NvlinkLink } from '../model.js';
import type { HostSnapshot } from '../snapshot.js';
import { NVML_RETURN, nvmlCodeName, type NvmlResult } from './api.js';
import type { NvmlGpuReading, NvmlHostReading, NvmlLinkReading } from './read.js';

/** nvmlClocksEventReason* bits (nvml.h), by the model's names. */
export const CLOCK_EVENT_REASON_BITS: Readonly<Record<ClockEventReason, number>> = {
  gpu_idle: 0x1,
  applications_clocks_setting: 0x2,
  sw_power_cap: 0x4,
  hw_slowdown: 0x8,
  sync_boost: 0x10,
  sw_thermal_slowdown: 0x20,
  hw_thermal_slowdown: 0x40,
  hw_power_brake_slowdown: 0x80,
  display_clocks_setting: 0x100,
};

/** nvmlComputeMode_t, named as nvidia-smi prints it. */
const COMPUTE_MODES = ['Default', 'Exclusive_Thread', 'Prohibited', 'Exclusive_Process'] as const;

const BYTES_PER_MIB = 1024 * 1024;
const MILLI = 1000;

/** Codes that mean "this GPU or driver cannot give the field": recorded as unsupported. */
const UNSUPPORTED_CODES: ReadonlySet<number> = new Set([NVML_RETURN.NOT_SUPPORTED, NVML_RETURN.FUNCTION_NOT_FOUND]);

/** Takes values out of results, remembering which fields were unsupported and which failed otherwise. */
class Fields {
  readonly #unsupported = new Set<string>();
  readonly problems: string[] = [];

  get unsupported(): readonly string[] {
    return [...this.#unsupported].sort();
  }

  markUnsupported(field: string): void {
    this.#unsupported.add(field);
  }

  take<T>(field: string, result: NvmlResult<T> | undefined): T | null {
    if (result === undefined) return null;
    if (result.ok) return result.value;
    if (UNSUPPORTED_CODES.has(result.code)) this.markUnsupported(field);
    else this.problems.push(`${field}: ${nvmlCodeName(result.code)}`);
    return null;
  }

  /** `take` for each entry, under its key's name. */
  takeEach<R extends Record<string, NvmlResult<unknown> | undefined>>(results: R): { [K in keyof R]: R[K] extends NvmlResult<infer T> | undefined ? T | null : never } {
    return Object.fromEntries(Object.entries(results).map(([field, result]) => [field, this.take(field, result)])) as never;
  }

  /** Takes over what `sub` recorded, each name under `prefix`. */
  adopt(prefix: string, sub: Fields): void {
    for (const field of sub.unsupported) this.markUnsupported(`${prefix}.${field}`);
    this.problems.push(...sub.problems.map((p) => `${prefix}.${p}`));
  }

  /** A group that is null as a whole, and unsupported under its own name, when none of its fields has a value. */
  group<T extends object>(name: string, sub: Fields, value: T): T | null {
    if (Object.values(value).every((v) => v === null)) {
      if (sub.unsupported.length > 0) this.markUnsupported(name);
      this.problems.push(...sub.problems.map((p) => `${name}.${p}`));
      return null;
    }
    this.adopt(name, sub);
    return value;
  }
}

export const cudaVersionText = (v: number): string => `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 10)}`;

const mib = (bytes: number | undefined): number | null => (bytes === undefined ? null : Math.floor(bytes / BYTES_PER_MIB));
const watts = (mw: number | null): number | null => (mw === null ? null : mw / MILLI);

function clockEventReasons(mask: number | null): readonly ClockEventReason[] | null {
  return mask === null ? null : CLOCK_EVENT_REASONS.filter((r) => (mask & CLOCK_EVENT_REASON_BITS[r]) !== 0);
}

function linkErrors(link: NvmlLinkReading, fields: Fields): NvlinkLink {
  const sub = new Fields();
  const flit = sub.take('crcFlit', link.errors.crcFlit);
  const data = sub.take('crcData', link.errors.crcData);
  const result: NvlinkLink = {
    link: link.link,
    active: link.active,
    replayErrors: sub.take('replayErrors', link.errors.replay),
    recoveryErrors: sub.take('recoveryErrors', link.errors.recovery),
    // The model keeps one CRC count: flow-control digit and data CRC errors together.
    crcErrors: flit === null && data === null ? null : (flit ?? 0) + (data ?? 0),
  };
  fields.problems.push(...sub.problems.map((p) => `nvlink[${link.link}].${p}`));
  return result;
}

/**
 * One GPU's readings as a GpuSample. `problems` names fields NVML refused for another reason
 * than "not supported" (no permission, a driver error), for the operator's notes.
 */
export function nvmlGpuSample(reading: NvmlGpuReading, system: { readonly driverVersion: string | null; readonly cudaVersion: string | null }): { sample: GpuSample; problems: readonly string[] } {
  const r = reading.results;
  const f = new Fields();
  const id = new Fields();
  const identity = {
    index: reading.index,
    uuid: id.take('uuid', r.uuid) ?? '',
    name: id.take('name', r.name) ?? '',
    serial: id.take('serial', r.serial),
    boardPartNumber: id.take('boardPartNumber', r.boardPartNumber),
    boardId: ((b) => (b === null ? null : `0x${b.toString(16)}`))(id.take('boardId', r.boardId)),
    pciBusId: (id.take('pciBusId', r.pciBusId) ?? '').toUpperCase(),
    vbiosVersion: id.take('vbiosVersion', r.vbiosVersion),
  };
  f.adopt('identity', id);
  const computeMode = f.take('computeMode', r.computeMode);
  const utilization = f.take('gpuUtilizationPct', r.utilization);
  const memory = f.take('framebufferTotalMiB', r.memory);
  if (memory === null && f.unsupported.includes('framebufferTotalMiB')) ['framebufferUsedMiB', 'framebufferFreeMiB'].forEach((n) => f.markUnsupported(n));
  if (utilization === null && f.unsupported.includes('gpuUtilizationPct')) f.markUnsupported('memoryUtilizationPct');

  const eccFields = new Fields();
  const ecc = eccFields.takeEach({ enabled: r.eccEnabled, volatileCorrected: r.eccVolatileCorrected, volatileUncorrected: r.eccVolatileUncorrected, aggregateCorrected: r.eccAggregateCorrected, aggregateUncorrected: r.eccAggregateUncorrected });
  f.adopt('ecc', eccFields);
  const pages = new Fields();
  const retiredPages = f.group('retiredPages', pages, pages.takeEach({ singleBit: r.retiredPagesSingleBit, doubleBit: r.retiredPagesDoubleBit, pending: r.retiredPagesPending }));
  const link = new Fields();
  const pcie = link.takeEach({ gen: r.pcieLinkGen, genMax: r.pcieLinkGenMax, width: r.pcieLinkWidth, widthMax: r.pcieLinkWidthMax, replayCounter: r.pcieReplayCounter });
  f.adopt('pcie', link);

  const links = f.take('nvlink', reading.nvlink);
  const sample: Omit<GpuSample, 'unsupported'> = {
    identity,
    driverVersion: system.driverVersion,
    cudaVersion: system.cudaVersion,
    persistenceMode: f.take('persistenceMode', r.persistenceMode),
    migEnabled: f.take('migEnabled', r.migMode),
    computeMode: computeMode === null ? null : (COMPUTE_MODES[computeMode] ?? `mode ${computeMode}`),
    temperatureC: f.take('temperatureC', r.temperatureC),
    memoryTemperatureC: f.take('memoryTemperatureC', r.memoryTemperatureC),
    powerDrawW: watts(f.take('powerDrawW', r.powerUsageMw)),
    powerLimitW: watts(f.take('powerLimitW', r.enforcedPowerLimitMw)),
    energyMj: f.take('energyMj', r.totalEnergyMj),
    smClockMHz: f.take('smClockMHz', r.smClockMHz),
    memoryClockMHz: f.take('memoryClockMHz', r.memoryClockMHz),
    smClockMaxMHz: f.take('smClockMaxMHz', r.smClockMaxMHz),
    memoryClockMaxMHz: f.take('memoryClockMaxMHz', r.memoryClockMaxMHz),
    clockEventReasons: clockEventReasons(f.take('clockEventReasons', r.clocksEventReasons)),
    gpuUtilizationPct: utilization?.gpuPct ?? null,
    memoryUtilizationPct: utilization?.memoryPct ?? null,
    encoderUtilizationPct: f.take('encoderUtilizationPct', r.encoderUtilizationPct),
    decoderUtilizationPct: f.take('decoderUtilizationPct', r.decoderUtilizationPct),
    framebufferTotalMiB: mib(memory?.totalBytes),
    framebufferUsedMiB: mib(memory?.usedBytes),
    framebufferFreeMiB: mib(memory?.freeBytes),
    ecc,
    remappedRows: f.take('remappedRows', r.remappedRows),
    retiredPages,
    pcie,
    nvlink: links === null ? null : links.map((l) => linkErrors(l, f)),
    processCount: f.take('processCount', r.computeProcessCount),
  };
  return { sample: { ...sample, unsupported: f.unsupported }, problems: f.problems };
}

export type NvmlSnapshotParts = Pick<HostSnapshot, 'driverVersion' | 'cudaVersion' | 'gpus' | 'expectedGpus' | 'missingGpus'> & { readonly problems: readonly string[] };

/**
 * A host's readings as the parts of a HostSnapshot NVML can give. A GPU that answered
 * GPU_IS_LOST (fell off the bus) is missing, named by what was read of it before it was lost.
 */
export function nvmlSnapshotParts(reading: NvmlHostReading): NvmlSnapshotParts {
  const driverVersion = reading.driverVersion.ok ? reading.driverVersion.value : null;
  const cudaVersion = reading.cudaDriverVersion.ok ? cudaVersionText(reading.cudaDriverVersion.value) : null;
  const problems: string[] = [];
  const gpus: GpuSample[] = [];
  const missingGpus: HostSnapshot['missingGpus'][number][] = [];
  for (const gpu of reading.gpus) {
    if (gpu.lost) {
      const text = (result: NvmlResult<string> | undefined) => (result?.ok ? result.value : 'unknown');
      missingGpus.push({ index: gpu.index, pciBusId: text(gpu.results.pciBusId).toUpperCase(), uuid: text(gpu.results.uuid) });
      continue;
    }
    if (gpu.noHandle !== undefined) {
      problems.push(`GPU ${gpu.index}: no handle: ${nvmlCodeName(gpu.noHandle)}`);
      continue;
    }
    const mapped = nvmlGpuSample(gpu, { driverVersion, cudaVersion });
    gpus.push(mapped.sample);
    problems.push(...mapped.problems.map((p) => `GPU ${gpu.index}: ${p}`));
  }
  return { driverVersion, cudaVersion, gpus, expectedGpus: reading.deviceCount.ok ? reading.deviceCount.value : null, missingGpus, problems };
}

/**
 * What the agent knows about a GPU, whatever the source (NVML, `nvidia-smi -q -x`, the
 * simulator). A field is null when the source does not report it; its name is then listed in
 * `unsupported` when the source said so explicitly ("N/A", NVML_ERROR_NOT_SUPPORTED) rather
 * than simply lacking it. Units are in the field names.
 */
export interface GpuIdentity {
  /** Position in the driver's enumeration (nvidia-smi's index). */
  readonly index: number;
  /** e.g. GPU-6c6b… */
  readonly uuid: string;
  /** Product name, e.g. "NVIDIA H100 80GB HBM3". */
  readonly name: string;
  readonly serial: string | null;
  readonly boardPartNumber: string | null;
  readonly boardId: string | null;
  /** PCI bus id in the domain:bus:device.function form, upper case, e.g. 00000000:19:00.0. */
  readonly pciBusId: string;
  readonly vbiosVersion: string | null;
}

export const CLOCK_EVENT_REASONS = [
  'gpu_idle',
  'applications_clocks_setting',
  'sw_power_cap',
  'hw_slowdown',
  'hw_thermal_slowdown',
  'hw_power_brake_slowdown',
  'sw_thermal_slowdown',
  'sync_boost',
  'display_clocks_setting',
] as const;
export type ClockEventReason = (typeof CLOCK_EVENT_REASONS)[number];

export interface EccCounts {
  readonly enabled: boolean | null;
  readonly volatileCorrected: number | null;
  readonly volatileUncorrected: number | null;
  readonly aggregateCorrected: number | null;
  readonly aggregateUncorrected: number | null;
}

export interface RemappedRows {
  readonly correctable: number | null;
  readonly uncorrectable: number | null;
  /** A remap is waiting for a GPU reset to take effect. */
  readonly pending: boolean | null;
  /** A remap failed: the GPU has run out of spare rows. */
  readonly failed: boolean | null;
}

export interface RetiredPages {
  readonly singleBit: number | null;
  readonly doubleBit: number | null;
  readonly pending: boolean | null;
}

export interface PcieLink {
  readonly gen: number | null;
  readonly genMax: number | null;
  readonly width: number | null;
  readonly widthMax: number | null;
  readonly replayCounter: number | null;
}

export interface NvlinkLink {
  readonly link: number;
  readonly active: boolean;
  readonly replayErrors: number | null;
  readonly recoveryErrors: number | null;
  readonly crcErrors: number | null;
}

export interface GpuSample {
  readonly identity: GpuIdentity;
  readonly driverVersion: string | null;
  readonly cudaVersion: string | null;
  readonly persistenceMode: boolean | null;
  readonly migEnabled: boolean | null;
  /** Default, Exclusive_Process, Prohibited… as the driver names it. */
  readonly computeMode: string | null;
  readonly temperatureC: number | null;
  readonly memoryTemperatureC: number | null;
  readonly powerDrawW: number | null;
  readonly powerLimitW: number | null;
  /** Energy used since the driver loaded, in millijoules (NVML's unit). */
  readonly energyMj: number | null;
  readonly smClockMHz: number | null;
  readonly memoryClockMHz: number | null;
  readonly smClockMaxMHz: number | null;
  readonly memoryClockMaxMHz: number | null;
  /** Reasons the clocks are held down now; empty when none; null when not reported. */
  readonly clockEventReasons: readonly ClockEventReason[] | null;
  readonly gpuUtilizationPct: number | null;
  readonly memoryUtilizationPct: number | null;
  /** Share of the driver's last sampling period in which the video encoder (NVENC) was busy. */
  readonly encoderUtilizationPct: number | null;
  /** Share of the driver's last sampling period in which the video decoder (NVDEC) was busy. */
  readonly decoderUtilizationPct: number | null;
  readonly framebufferTotalMiB: number | null;
  readonly framebufferUsedMiB: number | null;
  readonly framebufferFreeMiB: number | null;
  readonly ecc: EccCounts;
  /** Null where the GPU has no row remapping (pre-Ampere) or reports N/A (e.g. under MIG). */
  readonly remappedRows: RemappedRows | null;
  /** Null where the GPU retires no pages (Ampere and later use row remapping). */
  readonly retiredPages: RetiredPages | null;
  readonly pcie: PcieLink;
  /** Null where the GPU has no NVLink or it is not reported. */
  readonly nvlink: readonly NvlinkLink[] | null;
  readonly processCount: number | null;
  /** Fields the source explicitly reported as not available or not supported. */
  readonly unsupported: readonly string[];
}

/** What a kernel-log line or NVML event said about a GPU. */
export interface XidEvent {
  readonly xid: number;
  /** PCI bus id as the kernel printed it, e.g. 0000:19:00 (no function). */
  readonly pciBusId: string;
  /** When the kernel logged it, if the line says (wall clock or seconds since boot). */
  readonly time: { readonly iso: string } | { readonly sinceBootS: number } | null;
  readonly message: string;
  readonly raw: string;
}

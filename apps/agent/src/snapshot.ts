import type { GpuSample, XidEvent } from './model.js';
import type { SxidEvent } from './nvidia/kmsg.js';

export const SAMPLE_SOURCES = ['nvml', 'nvidia-smi', 'simulator'] as const;
export type SampleSource = (typeof SAMPLE_SOURCES)[number];

/** One collection pass over a host: what every health component checks. */
export interface HostSnapshot {
  readonly collectedAt: string;
  readonly source: SampleSource;
  readonly driverVersion: string | null;
  readonly cudaVersion: string | null;
  readonly gpus: readonly GpuSample[];
  /** Xid events seen recently (since boot, or within the event window). */
  readonly xids: readonly XidEvent[];
  /** NVSwitch error (SXid) events in the kernel log: about the NVLink fabric, not one GPU. */
  readonly sxids: readonly SxidEvent[];
  /**
   * Why the kernel log could not be read this pass (no root, no CAP_SYSLOG where
   * kernel.dmesg_restrict=1): its Xid and SXid events are then unknown, not absent (`xids` and
   * `sxids` empty for want of them). Absent when it was read.
   */
  readonly kernelLogUnread?: string;
  /** How many GPUs the host should have (inventory, driver's count); null when unknown. */
  readonly expectedGpus: number | null;
  /** GPUs the inventory knows that did not answer, by PCI bus id (a GPU lost off the bus). */
  readonly missingGpus: readonly { readonly index: number; readonly pciBusId: string; readonly uuid: string }[];
}

/**
 * The kernel's short form of a PCI bus id, lower case: 00000000:18:00.0 → 0000:18:00. The
 * domain keeps at least four hex digits and all significant ones (10000:01:00 stays so).
 */
export function kernelPciId(pciBusId: string): string {
  const m = /^([0-9a-f]+):([0-9a-f]{2}):([0-9a-f]{2})/i.exec(pciBusId);
  if (!m) return pciBusId.toLowerCase();
  return `${parseInt(m[1]!, 16).toString(16).padStart(4, '0')}:${m[2]}:${m[3]}`.toLowerCase();
}

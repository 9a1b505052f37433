import type { XidEvent } from '../model.js';
import { splitKernelLine, type KernelTime } from './kmsg-line.js';
import { classifyKernelMessage } from './kmsg-message.js';

/** An NVSwitch error (SXid) line; the `Severity …` / `Data {…}` lines that follow it are not events. */
export interface SxidEvent {
  readonly sxid: number;
  /** The NVSwitch's PCI address as the kernel printed it, with the function: 0000:06:00.0 (lower case). */
  readonly pciBusId: string;
  readonly fatal: boolean;
  /** The text after the Fatal/Non-fatal field, e.g. "Link 48 LTSSM Fault Up". */
  readonly message: string;
  readonly raw: string;
  readonly time: KernelTime;
}

/** A GPU the driver named in the log; bus id lower case, without the function (as in Xid lines). */
export interface KernelLogGpu {
  readonly pciBusId: string;
  readonly uuid?: string;
  readonly serial?: string;
}

export interface KernelLogScan {
  readonly xids: readonly XidEvent[];
  readonly sxids: readonly SxidEvent[];
  /** From the last `NVRM: loading NVIDIA UNIX … Kernel Module` line: a reload wins. */
  readonly driverVersion: string | null;
  /** In order of first mention; a later mention of the same GPU overrides its uuid/serial. */
  readonly gpus: readonly KernelLogGpu[];
}

/**
 * Reads kernel-log text in any `dmesg` or `/dev/kmsg` format, one record per line, and returns
 * the NVIDIA events and identities it holds. Never throws; lines it does not recognise, and
 * lines that continue an earlier record (RPC history tables, stack traces), are skipped.
 */
export function parseKernelLog(text: string): KernelLogScan {
  const xids: XidEvent[] = [];
  const sxids: SxidEvent[] = [];
  const gpus = new Map<string, { uuid?: string; serial?: string }>();
  let driverVersion: string | null = null;
  // The bus id of the previous NVRM line when it was `GPU at PCI:…`, to which a following
  // `GPU Board Serial Number:` line belongs (the driver prints the two together).
  let lastGpuAt: string | null = null;

  for (const raw of text.split(/\r?\n/)) {
    const { time, message } = splitKernelLine(raw);
    const found = classifyKernelMessage(message);
    if (!found) continue;
    const gpuAt = lastGpuAt;
    lastGpuAt = null;
    switch (found.kind) {
      case 'xid':
        xids.push({ xid: found.xid, pciBusId: found.pciBusId, time, message: found.message, raw });
        break;
      case 'sxid':
        sxids.push({ sxid: found.sxid, pciBusId: found.pciBusId, fatal: found.fatal, message: found.message, raw, time });
        break;
      case 'driver':
        driverVersion = found.version;
        break;
      case 'gpu':
        remember(gpus, found.pciBusId, found.uuid === null ? {} : { uuid: found.uuid });
        lastGpuAt = found.pciBusId;
        break;
      case 'board-serial':
        if (gpuAt !== null) remember(gpus, gpuAt, { serial: found.serial });
        break;
      case 'gpu-serial':
        remember(gpus, found.pciBusId, { serial: found.serial });
        break;
      case 'nvrm':
        break;
    }
  }

  const gpuList = [...gpus].map(([pciBusId, ids]): KernelLogGpu => ({ pciBusId, ...ids }));
  return { xids, sxids, driverVersion, gpus: gpuList };
}

function remember(gpus: Map<string, { uuid?: string; serial?: string }>, pciBusId: string, ids: { uuid?: string; serial?: string }): void {
  gpus.set(pciBusId, { ...gpus.get(pciBusId), ...ids });
}

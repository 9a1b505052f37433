import { createHash } from 'node:crypto';
import type { ClockEventReason, GpuSample, NvlinkLink, XidEvent } from '../model.js';
import { kernelPciId, type HostSnapshot } from '../snapshot.js';
import type { Fault } from './faults.js';
import type { FleetSpec, GpuModelSpec } from './models.js';

/** PCI buses of the eight GPUs on an HGX baseboard; more GPUs continue the sequence. */
const HGX_BUSES = ['18', '2a', '3a', '5d', '9a', 'ab', 'ba', 'db', '1b', '2d', '3d', '60', '9d', 'ae', 'bd', 'de'];
const DRIVER = '570.133.20';
const CUDA = '12.8';
/** The simulated driver was loaded at this instant; energy counters count from it. */
const DRIVER_LOADED = Date.parse('2026-01-01T00:00:00.000Z');

/** Deterministic pseudo-randomness from a seed string: the same host and time give the same sample. */
function noise(...parts: (string | number)[]): number {
  const h = createHash('sha256').update(parts.join('|')).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

function uuidOf(seed: string, index: number): string {
  const h = createHash('sha256').update(`${seed}|uuid|${index}`).digest('hex');
  return `GPU-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const serialOf = (seed: string, index: number): string => String(1650000000000 + Math.floor(noise(seed, 'serial', index) * 1e9));

/** Utilisation follows a slow wave per GPU (jobs coming and going) with a little noise. */
function utilization(seed: string, index: number, t: number): number {
  const phase = noise(seed, 'phase', index) * 2 * Math.PI;
  const wave = 0.55 + 0.4 * Math.sin((2 * Math.PI * t) / (17 * 60_000) + phase);
  const jitter = (noise(seed, 'util', index, Math.floor(t / 10_000)) - 0.5) * 0.1;
  return Math.min(1, Math.max(0, wave + jitter));
}

function sampleGpu(seed: string, model: GpuModelSpec, index: number, t: number, faults: readonly Fault[]): GpuSample {
  const mine = new Set(faults.filter((f) => f.gpu === index).map((f) => f.kind));
  const util = utilization(seed, index, t);
  let power = model.idlePowerW + util * (model.powerLimitW - model.idlePowerW) * 0.97;
  let temp = 31 + power * (52 / model.powerLimitW) + noise(seed, 'temp', index, Math.floor(t / 10_000)) * 2;
  let smClock = util < 0.03 ? 345 : model.smClockMaxMHz;
  const reasons: ClockEventReason[] = util < 0.03 ? ['gpu_idle'] : [];
  if (power > model.powerLimitW * 0.95) {
    reasons.push('sw_power_cap');
    smClock = Math.round(model.smClockMaxMHz * 0.92);
  }
  if (mine.has('thermal')) {
    temp = 93;
    reasons.push('hw_thermal_slowdown', 'sw_thermal_slowdown');
    smClock = Math.round(model.smClockMaxMHz * 0.5);
  }
  if (mine.has('power-brake')) {
    reasons.push('hw_power_brake_slowdown', 'hw_slowdown');
    smClock = Math.round(model.smClockMaxMHz * 0.4);
    power = Math.min(power, model.powerLimitW * 0.4);
  }
  const used = Math.round(model.framebufferMiB * (0.1 + 0.85 * util));
  const dbe = mine.has('ecc-dbe') ? 1 : 0;
  const nvlink: NvlinkLink[] = Array.from({ length: model.nvlinks }, (_, link) => {
    const down = mine.has('nvlink-down') && link === 7;
    return { link, active: !down, replayErrors: down ? 31 : 0, recoveryErrors: down ? 4 : 0, crcErrors: down ? 112 : 0 };
  });
  // A link trained narrow at full speed, replaying about 30 times a minute since the fault began.
  const pcieFault = faults.find((f) => f.gpu === index && f.kind === 'pcie-degraded');
  const pcieReplays = pcieFault ? 5312 + Math.max(0, Math.floor((t - Date.parse(pcieFault.at)) / 2_000)) : 0;
  const bus = HGX_BUSES[index] ?? (0x10 + index).toString(16);
  return {
    identity: {
      index,
      uuid: uuidOf(seed, index),
      name: model.name,
      serial: serialOf(seed, index),
      boardPartNumber: model.boardPartNumber,
      boardId: `0x${bus}00`,
      pciBusId: `00000000:${bus.toUpperCase()}:00.0`,
      vbiosVersion: `${model.vbiosPrefix}.00.01`,
    },
    driverVersion: DRIVER,
    cudaVersion: CUDA,
    persistenceMode: true,
    migEnabled: false,
    computeMode: 'Default',
    temperatureC: Math.round(temp),
    memoryTemperatureC: Math.round(temp + 4),
    powerDrawW: Math.round(power * 100) / 100,
    powerLimitW: model.powerLimitW,
    energyMj: Math.round((model.idlePowerW + 0.55 * (model.powerLimitW - model.idlePowerW)) * (t - DRIVER_LOADED)),
    smClockMHz: smClock,
    memoryClockMHz: model.memoryClockMHz,
    smClockMaxMHz: model.smClockMaxMHz,
    memoryClockMaxMHz: model.memoryClockMHz,
    clockEventReasons: reasons,
    gpuUtilizationPct: Math.round(util * 100),
    memoryUtilizationPct: Math.round(util * 60),
    // Training jobs leave the video engines idle.
    encoderUtilizationPct: 0,
    decoderUtilizationPct: 0,
    framebufferTotalMiB: model.framebufferMiB,
    framebufferUsedMiB: used,
    framebufferFreeMiB: model.framebufferMiB - used,
    ecc: { enabled: true, volatileCorrected: 0, volatileUncorrected: dbe, aggregateCorrected: 2, aggregateUncorrected: dbe },
    remappedRows: { correctable: 0, uncorrectable: dbe + (mine.has('remap-pending') ? 1 : 0), pending: dbe > 0 || mine.has('remap-pending'), failed: mine.has('remap-failed') },
    retiredPages: null,
    pcie: { gen: model.pcieGen, genMax: model.pcieGen, width: pcieFault ? 8 : 16, widthMax: 16, replayCounter: pcieReplays },
    nvlink,
    processCount: util < 0.03 ? 0 : 1 + Math.floor(noise(seed, 'procs', index, Math.floor(t / 60_000)) * 3),
    unsupported: ['retiredPages'],
  };
}

const XID_MESSAGES: Readonly<Record<number, string>> = {
  13: 'Graphics SM Warp Exception on (GPC 0, TPC 1, SM 0): Out Of Range Address',
  31: 'Ch 00000008, intr 00000000. MMU Fault: ENGINE GRAPHICS GPCCLIENT_T1_0 faulted @ 0x7f1c_30000000. Fault is of type FAULT_PDE ACCESS_TYPE_VIRT_READ',
  48: 'An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at physAddr 0x12bac1c3e0 partition 2, subpartition 1.',
  63: 'Row Remapper: New row (0x000000012bac1c3e0) marked for remapping, reset gpu to activate.',
  74: 'NVLink: fatal error detected on link 7(0x10000, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0)',
  79: 'GPU has fallen off the bus.',
  94: 'Contained: SM (0x1). RST: No, D-RST: No',
  95: 'Uncontained: FBHUB. RST: Yes, D-RST: No',
  119: 'Timeout after 6s of waiting for RPC response from GPU0 GSP! Expected function 76 (GSP_RM_CONTROL) (0x20800a4c 0x4).',
};

function xidEvent(fault: Fault, pciBusId: string): XidEvent {
  const message = XID_MESSAGES[fault.xid!] ?? 'simulated event';
  const pci = kernelPciId(pciBusId);
  return { xid: fault.xid!, pciBusId: pci, time: { iso: fault.at }, message, raw: `NVRM: Xid (PCI:${pci}): ${fault.xid}, pid=4242, name=python3, ${message}` };
}

/**
 * A simulated host: realistic, load-dependent readings for each GPU at time `now`, with the
 * injected faults applied. Deterministic: the same seed, time and faults give the same snapshot.
 */
export function simulateHost(spec: FleetSpec, seed: string, now: Date, faults: readonly Fault[]): HostSnapshot {
  const t = now.getTime();
  const all = spec.gpus.map((model, index) => sampleGpu(seed, model, index, t, faults));
  // Xid 79 means the GPU fell off the bus: it no longer answers, as does a GPU marked lost.
  const lost = new Set(faults.filter((f) => f.kind === 'lost' || (f.kind === 'xid' && f.xid === 79)).map((f) => f.gpu));
  return {
    collectedAt: now.toISOString(),
    source: 'simulator',
    driverVersion: DRIVER,
    cudaVersion: CUDA,
    gpus: all.filter((g) => !lost.has(g.identity.index)),
    xids: faults.filter((f) => f.kind === 'xid').map((f) => xidEvent(f, all[f.gpu]!.identity.pciBusId)),
    sxids: [],
    expectedGpus: all.length,
    missingGpus: all.filter((g) => lost.has(g.identity.index)).map((g) => ({ index: g.identity.index, pciBusId: g.identity.pciBusId, uuid: g.identity.uuid })),
  };
}

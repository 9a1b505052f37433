import { createHash } from 'node:crypto';
import type { ClockEventReason, GpuSample, NvlinkLink, XidEvent } from '../model.js';
import type { SxidEvent } from '../nvidia/kmsg.js';
import { kernelPciId, type HostSnapshot } from '../snapshot.js';
import { xidKey } from '../xid-cleared.js';
import { isGpuFault, type Fault, type GpuFault, type SwitchFault } from './faults.js';
import type { FleetSpec, GpuModelSpec } from './models.js';

/** PCI buses of the eight GPUs on an HGX baseboard; more GPUs continue the sequence. */
const HGX_BUSES = ['18', '2a', '3a', '5d', '9a', 'ab', 'ba', 'db', '1b', '2d', '3d', '60', '9d', 'ae', 'bd', 'de'];
const DRIVER = '570.133.20';
const CUDA = '12.8';
/** The simulated driver was loaded at this instant; energy counters count from it. */
const DRIVER_LOADED = Date.parse('2026-01-01T00:00:00.000Z');

/**
 * Draws already made. A pass asks for each of its draws several times (the energy counter's
 * integral and the utilisation it integrates share their steps' jitter) and the next pass for
 * most of them again, so a draw is hashed about once instead of eight times a GPU and pass.
 * Bounded: a process simulates a few hosts (locus start: one per host of its world).
 */
const drawn = new Map<string, number>();

/** Deterministic pseudo-randomness from a seed string: the same host and time give the same sample. */
function noise(...parts: (string | number)[]): number {
  const key = parts.join('|');
  let value = drawn.get(key);
  if (value === undefined) {
    if (drawn.size >= 4096) drawn.clear();
    value = createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
    drawn.set(key, value);
  }
  return value;
}

/**
 * A GPU's constant of a seed (its phase, idle gap, UUID, serial), hashed once: each pass
 * evaluates them dozens of times a GPU (the energy counter's integral alone, some twenty).
 */
function perGpuConstant<T>(of: (seed: string, index: number) => T): (seed: string, index: number) => T {
  const known = new Map<string, T>();
  return (seed, index) => {
    const key = `${seed}|${index}`;
    let value = known.get(key);
    if (value === undefined) {
      // Bounded: a process simulates a few hosts (locus start: one per host of its world).
      if (known.size >= 4096) known.clear();
      value = of(seed, index);
      known.set(key, value);
    }
    return value;
  };
}

const uuidOf = perGpuConstant((seed, index): string => {
  const h = createHash('sha256').update(`${seed}|uuid|${index}`).digest('hex');
  return `GPU-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
});

const serialOf = perGpuConstant((seed, index): string => String(1650000000000 + Math.floor(noise(seed, 'serial', index) * 1e9)));

/** Utilisation's slow wave: jobs coming and going. */
const WAVE = { meanUtil: 0.55, amplitude: 0.4, periodMs: 17 * 60_000 } as const;
/** Utilisation's jitter: a new step every 10 s, of at most ±0.05. */
const JITTER = { stepMs: 10_000, amplitude: 0.05 } as const;
/**
 * Between jobs a GPU idles (0 % utilisation, no process) once a wave period, for up to this long
 * about the wave's trough; how long is drawn once per GPU from the seed (some never idle), so that
 * a host shows an idle GPU now and then (about one in eight of them at a time).
 */
const MAX_IDLE_STEPS = 24;
/** The share of the span from idle power to the limit that full utilisation draws. */
const POWER_SPAN_AT_FULL_UTIL = 0.97;
/** The power brake holds the board to this share of its limit. */
const POWER_BRAKE_CAP = 0.4;
/** What a GPU without a process holds of its memory (the driver's own; tens of MiB in real captures). */
const IDLE_FRAMEBUFFER_USED_MIB = 22;

const phaseOf = perGpuConstant((seed, index): number => noise(seed, 'phase', index) * 2 * Math.PI);
const omega = (2 * Math.PI) / WAVE.periodMs;
const STEPS_PER_WAVE = WAVE.periodMs / JITTER.stepMs;
const modulo = (n: number, m: number): number => ((n % m) + m) % m;

/** A GPU's idle gap: `steps` 10-s steps from `start` (a step, modulo the wave's period), about the wave's trough. */
const idleGapOf = perGpuConstant((seed, index): { readonly start: number; readonly steps: number } => {
  const steps = Math.floor(noise(seed, 'idle', index) * (MAX_IDLE_STEPS + 1));
  // The wave is lowest where omega·t + phase = 3π/2.
  const troughStep = ((1.5 * Math.PI - phaseOf(seed, index)) / omega) / JITTER.stepMs;
  return { start: modulo(Math.round(troughStep - steps / 2), STEPS_PER_WAVE), steps };
});

const isIdleStep = (gap: ReturnType<typeof idleGapOf>, step: number): boolean => modulo(step - gap.start, STEPS_PER_WAVE) < gap.steps;

/** A step's jitter draw; 0 in an idle step and the busy step before one, so that no jitter crosses into a gap. */
function draw(seed: string, index: number, step: number, gap: ReturnType<typeof idleGapOf>): number {
  return isIdleStep(gap, step) || isIdleStep(gap, step + 1) ? 0 : noise(seed, 'util', index, step);
}

/** An antiderivative of the wave alone, in t (ms). */
const waveIntegral = (seed: string, index: number, t: number): number => WAVE.meanUtil * t - (WAVE.amplitude / omega) * Math.cos(omega * t + phaseOf(seed, index));

/**
 * Utilisation follows a slow wave per GPU with a little jitter, staying within 0.10–1.0 (the wave
 * spans 0.15–0.95), but for a gap at 0 each wave period, so that power, linear in it, can be
 * integrated exactly. Each 10-s step's jitter is the difference of two successive draws: summed
 * over any run of steps it telescopes, which lets the energy counter integrate it with a few hashes
 * however long the driver has been loaded; the gaps recur at the same phase of the wave, so the
 * wave they leave out is a whole number of equal gaps and a part of one.
 */
function utilization(seed: string, index: number, t: number): number {
  const step = Math.floor(t / JITTER.stepMs);
  const gap = idleGapOf(seed, index);
  if (isIdleStep(gap, step)) return 0;
  const wave = WAVE.meanUtil + WAVE.amplitude * Math.sin(omega * t + phaseOf(seed, index));
  return wave + JITTER.amplitude * (draw(seed, index, step, gap) - draw(seed, index, step - 1, gap));
}

/** An antiderivative of `utilization` in t (ms): the integral between two instants is the difference of its values. */
function utilizationIntegral(seed: string, index: number, t: number): number {
  const gap = idleGapOf(seed, index);
  // The wave left out by the gaps: those before the one of t's period, then what of it is past.
  const gapMs = gap.steps * JITTER.stepMs;
  const period = Math.floor((t - gap.start * JITTER.stepMs) / WAVE.periodMs);
  const gapStart = period * WAVE.periodMs + gap.start * JITTER.stepMs;
  const wholeGap = waveIntegral(seed, index, gap.start * JITTER.stepMs + gapMs) - waveIntegral(seed, index, gap.start * JITTER.stepMs);
  const idle = period * wholeGap + waveIntegral(seed, index, Math.min(t, gapStart + gapMs)) - waveIntegral(seed, index, gapStart);
  const step = Math.floor(t / JITTER.stepMs);
  const before = draw(seed, index, step - 1, gap);
  // The whole steps up to this one sum to draw(step - 1), less a constant; then this step's part.
  const jitter = JITTER.amplitude * (JITTER.stepMs * before + (t - step * JITTER.stepMs) * (draw(seed, index, step, gap) - before));
  return waveIntegral(seed, index, t) - idle + jitter;
}

/** Power is idle power plus a span proportional to utilisation; the power brake shrinks the span. */
function powerSpanW(model: GpuModelSpec, braked: boolean): number {
  const top = braked ? model.powerLimitW * POWER_BRAKE_CAP : model.powerLimitW;
  return POWER_SPAN_AT_FULL_UTIL * (top - model.idlePowerW);
}

/**
 * Energy since the driver loaded (mJ): the integral of the power drawn (W) over time (ms), the
 * power brake, from when it was applied, drawing less. Rises with time, as a driver's counter does.
 */
function energyMj(seed: string, model: GpuModelSpec, index: number, t: number, brakedSince: number | null): number {
  const end = Math.max(t, DRIVER_LOADED);
  const util = (from: number, to: number) => utilizationIntegral(seed, index, to) - utilizationIntegral(seed, index, from);
  const brake = brakedSince === null || brakedSince >= end ? end : Math.max(brakedSince, DRIVER_LOADED);
  const unbraked = powerSpanW(model, false) * util(DRIVER_LOADED, brake);
  const braked = brake < end ? powerSpanW(model, true) * util(brake, end) : 0;
  return Math.round(model.idlePowerW * (end - DRIVER_LOADED) + unbraked + braked);
}

/** Xid 48: the driver's report of an uncorrectable (double-bit) ECC error in the GPU's memory. */
const XID_DBE = 48;
/** Xid 63: a memory row marked for remapping (row-remapping GPUs), applied at the next GPU reset. */
const XID_ROW_REMAP = 63;
/** How long after its Xid 48 an H100 logged the Xid 63 of the row it marked (a real capture: 28.7 ms). */
const ROW_REMAP_AFTER_DBE_MS = 28;

const isDoubleBitError = (f: GpuFault): boolean => f.kind === 'ecc-dbe' || (f.kind === 'xid' && f.xid === XID_DBE);

/**
 * The Xids the driver logs for a fault: the one injected, or, for a double-bit ECC error (ecc=dbe
 * or xid=48), its Xid 48 and the Xid 63 of the row it marks for remapping, as H100 and H200 log
 * them; none for the other faults.
 */
function xidsOf(f: GpuFault): { readonly xid: number; readonly at: string }[] {
  if (isDoubleBitError(f)) {
    return [{ xid: XID_DBE, at: f.at }, { xid: XID_ROW_REMAP, at: new Date(Date.parse(f.at) + ROW_REMAP_AFTER_DBE_MS).toISOString() }];
  }
  return f.kind === 'xid' && f.xid !== undefined ? [{ xid: f.xid, at: f.at }] : [];
}

const busOf = (index: number): string => HGX_BUSES[index] ?? (0x10 + index).toString(16);
const pciBusIdOf = (index: number): string => `00000000:${busOf(index).toUpperCase()}:00.0`;

const XID_MESSAGES: Readonly<Record<number, string>> = {
  13: 'Graphics SM Warp Exception on (GPC 0, TPC 1, SM 0): Out Of Range Address',
  31: 'Ch 00000008, intr 00000000. MMU Fault: ENGINE GRAPHICS GPCCLIENT_T1_0 faulted @ 0x7f1c_30000000. Fault is of type FAULT_PDE ACCESS_TYPE_VIRT_READ',
  48: 'An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at physAddr 0x12bac1c3e0 partition 2, subpartition 1.',
  63: 'Row Remapper: New row (0x00000012bac1c3e0) marked for remapping, reset gpu to activate.',
  74: 'NVLink: fatal error detected on link 7(0x10000, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0)',
  79: 'GPU has fallen off the bus.',
  94: 'Contained: SM (0x1). RST: No, D-RST: No',
  95: 'Uncontained: FBHUB. RST: Yes, D-RST: No',
  119: 'Timeout after 6s of waiting for RPC response from GPU0 GSP! Expected function 76 (GSP_RM_CONTROL) (0x20800a4c 0x4).',
};

function xidEvent(gpu: number, xid: number, at: string): XidEvent {
  const message = XID_MESSAGES[xid] ?? 'simulated event';
  const pci = kernelPciId(pciBusIdOf(gpu));
  return { xid, pciBusId: pci, time: { iso: at }, message, raw: `NVRM: Xid (PCI:${pci}): ${xid}, pid=4242, name=python3, ${message}` };
}

/** The kernel-log events of a fault, in the order logged. */
const eventsOf = (f: GpuFault): XidEvent[] => xidsOf(f).map(({ xid, at }) => xidEvent(f.gpu, xid, at));

/**
 * A GPU's double-bit ECC errors (an injected Xid 48 or ecc=dbe: the same event) and the rows
 * marked for remapping (one by each of those, one by each injected Xid 63 alone), all of them and
 * those since its last reset. The simulator takes an Xid cleared with `clear-xids` as the GPU reset
 * the Xid asked for (the Xid 48 of a double-bit error, an Xid 63 alone), since nothing else can reset
 * a simulated GPU.
 */
function memoryErrors(faults: readonly GpuFault[], index: number, cleared: ReadonlySet<string>) {
  const mine = faults.filter((f) => f.gpu === index);
  // A fault's first line is the one whose clearing stands for the reset: Xid 48, or the Xid 63 alone.
  const firstLine = (f: GpuFault): XidEvent => eventsOf(f)[0]!;
  const dbe = mine.filter(isDoubleBitError).map(firstLine);
  const marked = [...dbe, ...mine.filter((f) => f.kind === 'xid' && f.xid === XID_ROW_REMAP).map(firstLine)];
  const sinceReset = (events: readonly XidEvent[]) => events.filter((e) => !cleared.has(xidKey(e))).length;
  return { dbe: { total: dbe.length, sinceReset: sinceReset(dbe) }, rows: { total: marked.length, pending: sinceReset(marked) } };
}

/** What the driver says after the Fatal/Non-fatal word, for the SXids in real logs (20034) and our tests (12028). */
const SXID_MESSAGES: Readonly<Record<number, string>> = {
  12028: 'Link 61 egress non-posted PRIV error (First)',
  20034: 'Link 48 LTSSM Fault Up',
};

/** An SXid line as the NVSwitch driver logs it: `nvidia-nvswitch1: SXid (PCI:0000:06:00.0): 20034, Fatal, Link 48 LTSSM Fault Up`. */
function sxidEvent(f: SwitchFault): SxidEvent {
  // Buses 05 to 08 on an HGX H100 baseboard, as a real kernel log names its NVSwitches.
  const pciBusId = `0000:${(0x05 + f.nvswitch).toString(16).padStart(2, '0')}:00.0`;
  const message = SXID_MESSAGES[f.sxid] ?? 'simulated event';
  const raw = `nvidia-nvswitch${f.nvswitch}: SXid (PCI:${pciBusId}): ${f.sxid}, ${f.fatal ? 'Fatal' : 'Non-fatal'}, ${message}`;
  return { sxid: f.sxid, pciBusId, fatal: f.fatal, message, raw, time: { iso: f.at } };
}

function sampleGpu(seed: string, model: GpuModelSpec, index: number, t: number, faults: readonly GpuFault[], cleared: ReadonlySet<string>): GpuSample {
  const mine = new Set(faults.filter((f) => f.gpu === index).map((f) => f.kind));
  const util = utilization(seed, index, t);
  // The power brake counts from when it was injected, so that the energy counter knows when its power fell.
  const brakes = faults.filter((f) => f.gpu === index && f.kind === 'power-brake').map((f) => Date.parse(f.at));
  const brakedSince = brakes.length > 0 ? Math.min(...brakes) : null;
  const braked = brakedSince !== null && brakedSince <= t;
  const power = model.idlePowerW + util * powerSpanW(model, braked);
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
  if (braked) {
    reasons.push('hw_power_brake_slowdown', 'hw_slowdown');
    smClock = Math.round(model.smClockMaxMHz * POWER_BRAKE_CAP);
  }
  const used = util < 0.03 ? IDLE_FRAMEBUFFER_USED_MIB : Math.round(model.framebufferMiB * (0.1 + 0.85 * util));
  // Each double-bit error raises the volatile and aggregate uncorrectable counts and, on these
  // row-remapping GPUs, marks a row for remapping (its Xid 63), as does an Xid 63 injected alone;
  // a reset zeroes the volatile count and applies the remap.
  const memory = memoryErrors(faults, index, cleared);
  const nvlink: NvlinkLink[] = Array.from({ length: model.nvlinks }, (_, link) => {
    const down = mine.has('nvlink-down') && link === 7;
    return { link, active: !down, replayErrors: down ? 31 : 0, recoveryErrors: down ? 4 : 0, crcErrors: down ? 112 : 0 };
  });
  // A link trained narrow at full speed, replaying about 30 times a minute since the fault began.
  const pcieFault = faults.find((f) => f.gpu === index && f.kind === 'pcie-degraded');
  const pcieReplays = pcieFault ? 5312 + Math.max(0, Math.floor((t - Date.parse(pcieFault.at)) / 2_000)) : 0;
  const bus = busOf(index);
  return {
    identity: {
      index,
      uuid: uuidOf(seed, index),
      name: model.name,
      serial: serialOf(seed, index),
      boardPartNumber: model.boardPartNumber,
      boardId: `0x${bus}00`,
      pciBusId: pciBusIdOf(index),
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
    energyMj: energyMj(seed, model, index, t, brakedSince),
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
    ecc: { enabled: true, volatileCorrected: 0, volatileUncorrected: memory.dbe.sinceReset, aggregateCorrected: 2, aggregateUncorrected: memory.dbe.total },
    remappedRows: { correctable: 0, uncorrectable: memory.rows.total + (mine.has('remap-pending') ? 1 : 0), pending: memory.rows.pending > 0 || mine.has('remap-pending'), failed: mine.has('remap-failed') },
    retiredPages: null,
    pcie: { gen: model.pcieGen, genMax: model.pcieGen, width: pcieFault ? 8 : 16, widthMax: 16, replayCounter: pcieReplays },
    nvlink,
    processCount: util < 0.03 ? 0 : 1 + Math.floor(noise(seed, 'procs', index, Math.floor(t / 60_000)) * 3),
    unsupported: ['retiredPages'],
  };
}

/**
 * A simulated host: realistic, load-dependent readings for each GPU at time `now`, with the
 * injected faults applied. Deterministic: the same seed, time, faults and cleared Xids give the
 * same snapshot. `cleared` holds the Xid events `clear-xids` noted (by `xidKey`): each stands for
 * the GPU reset its Xid asked for. Every Xid and SXid stays in the snapshot, as in a kernel log.
 */
export function simulateHost(spec: FleetSpec, seed: string, now: Date, faults: readonly Fault[], cleared: ReadonlySet<string> = new Set()): HostSnapshot {
  const t = now.getTime();
  const onGpus = faults.filter(isGpuFault);
  const all = spec.gpus.map((model, index) => sampleGpu(seed, model, index, t, onGpus, cleared));
  // Xid 79 means the GPU fell off the bus: it no longer answers, as does a GPU marked lost.
  const lost = new Set(onGpus.filter((f) => f.kind === 'lost' || (f.kind === 'xid' && f.xid === 79)).map((f) => f.gpu));
  const xids = onGpus.flatMap(eventsOf);
  // A cleared SXid stands for the fabric reset it asked for, which leaves nothing else to show.
  const sxids = faults.filter((f): f is SwitchFault => !isGpuFault(f)).map(sxidEvent);
  return {
    collectedAt: now.toISOString(),
    source: 'simulator',
    driverVersion: DRIVER,
    cudaVersion: CUDA,
    gpus: all.filter((g) => !lost.has(g.identity.index)),
    xids,
    sxids,
    expectedGpus: all.length,
    missingGpus: all.filter((g) => lost.has(g.identity.index)).map((g) => ({ index: g.identity.index, pciBusId: g.identity.pciBusId, uuid: g.identity.uuid })),
  };
}

/** One `<gpu>` element of `nvidia-smi -q -x` output as the agent's GpuSample. */
import { CLOCK_EVENT_REASONS, type ClockEventReason, type GpuIdentity, type GpuSample, type PcieLink } from '../model.js';
import { ACTIVE, ENABLED, FieldReader, at, childrenOf, firstPresent } from './smi-xml-fields.js';
import { readEcc, readRemappedRows, readRetiredPages } from './smi-xml-memory.js';

/** What fast-xml-parser puts before attribute names: `<gpu id="…">` becomes `@_id`. */
export const ATTRIBUTE_PREFIX = '@_';

/** Drivers ≥ 535 renamed `clocks_throttle_reason_*` to `clocks_event_reason_*`; the suffixes are the model's names. */
const REASON_PREFIXES = ['clocks_event_reason_', 'clocks_throttle_reason_'] as const;

const MILLIJOULES_PER_JOULE = 1000;

function readIdentity(gpu: unknown, index: number, reader: FieldReader): GpuIdentity {
  const sub = new FieldReader();
  // nvidia-smi repeats the bus id as the <gpu id> attribute: the fallback when <pci> lacks it.
  const busId = sub.text('pciBusId', firstPresent(at(gpu, 'pci', 'pci_bus_id'), at(gpu, `${ATTRIBUTE_PREFIX}id`)));
  const identity: GpuIdentity = {
    index,
    uuid: sub.text('uuid', at(gpu, 'uuid')) ?? '',
    name: sub.text('name', at(gpu, 'product_name')) ?? '',
    serial: sub.text('serial', at(gpu, 'serial')),
    boardPartNumber: sub.text('boardPartNumber', at(gpu, 'board_part_number')),
    boardId: sub.text('boardId', at(gpu, 'board_id')),
    pciBusId: (busId ?? '').toUpperCase(),
    vbiosVersion: sub.text('vbiosVersion', at(gpu, 'vbios_version')),
  };
  reader.adopt('identity', sub);
  return identity;
}

function readPcie(gpu: unknown, reader: FieldReader): PcieLink {
  const sub = new FieldReader();
  const link = at(gpu, 'pci', 'pci_gpu_link_info');
  // Older DTDs put the generations directly under pci_gpu_link_info rather than in pcie_gen.
  const generation = (name: string) => firstPresent(at(link, 'pcie_gen', name), at(link, name));
  const pcie: PcieLink = {
    gen: sub.count('gen', generation('current_link_gen')),
    genMax: sub.count('genMax', generation('max_link_gen')),
    width: sub.quantity('width', at(link, 'link_widths', 'current_link_width'), 'x'),
    widthMax: sub.quantity('widthMax', at(link, 'link_widths', 'max_link_width'), 'x'),
    replayCounter: sub.count('replayCounter', at(gpu, 'pci', 'replay_counter')),
  };
  reader.adopt('pcie', sub);
  return pcie;
}

/** Reasons marked Active, in the model's order; null when the driver reports none of them. */
function readClockEventReasons(gpu: unknown, reader: FieldReader): readonly ClockEventReason[] | null {
  const node = firstPresent(at(gpu, 'clocks_event_reasons'), at(gpu, 'clocks_throttle_reasons'));
  if (node === undefined) return null;
  const scratch = new FieldReader();
  const states = CLOCK_EVENT_REASONS.map((reason) => {
    const element = firstPresent(...REASON_PREFIXES.map((prefix) => at(node, prefix + reason)));
    return [reason, scratch.flag(reason, element, ACTIVE)] as const;
  });
  if (states.every(([, state]) => state === null)) {
    if (scratch.unsupported.length > 0) reader.markUnsupported('clockEventReasons');
    return null;
  }
  return states.filter(([, state]) => state === true).map(([reason]) => reason);
}

/** `<processes>` is empty when nothing runs, and "N/A" where the driver cannot list them. */
function readProcessCount(gpu: unknown, reader: FieldReader): number | null {
  const node = at(gpu, 'processes');
  if (node === '') return 0;
  if (typeof node === 'object' && node !== null) {
    const list = childrenOf(node)['process_info'];
    return Array.isArray(list) ? list.length : 0;
  }
  reader.text('processCount', node);
  return null;
}

function readEnergyMj(gpu: unknown, power: unknown, reader: FieldReader): number | null {
  const joules = reader.quantity('energyMj', firstPresent(at(gpu, 'total_energy_consumption'), at(power, 'total_energy_consumption')), 'J');
  return joules === null ? null : Math.round(joules * MILLIJOULES_PER_JOULE);
}

/**
 * @param gpu the parsed `<gpu>` element
 * @param index its position among the `<gpu>` elements of the file
 * @param log the parsed `<nvidia_smi_log>` element, for the driver and CUDA versions
 */
export function readGpu(gpu: unknown, index: number, log: unknown): GpuSample {
  const reader = new FieldReader();
  // Renamed with driver 535 (DTD v12); v13 prints average and instant draw instead of power_draw.
  const power = firstPresent(at(gpu, 'gpu_power_readings'), at(gpu, 'power_readings'));
  const powerDraw = firstPresent(at(power, 'power_draw'), at(power, 'average_power_draw'), at(power, 'instant_power_draw'));
  // "Current" (≥ 535) and "enforced" (older) name the limit in force; plain power_limit is the requested one.
  const powerLimit = firstPresent(at(power, 'current_power_limit'), at(power, 'enforced_power_limit'), at(power, 'power_limit'));
  const smClock = (scope: string) => firstPresent(at(gpu, scope, 'sm_clock'), at(gpu, scope, 'graphics_clock'));
  const sample: Omit<GpuSample, 'unsupported'> = {
    identity: readIdentity(gpu, index, reader),
    driverVersion: reader.text('driverVersion', at(log, 'driver_version')),
    cudaVersion: reader.text('cudaVersion', at(log, 'cuda_version')),
    persistenceMode: reader.flag('persistenceMode', at(gpu, 'persistence_mode'), ENABLED),
    migEnabled: reader.flag('migEnabled', at(gpu, 'mig_mode', 'current_mig'), ENABLED),
    computeMode: reader.text('computeMode', at(gpu, 'compute_mode')),
    temperatureC: reader.quantity('temperatureC', at(gpu, 'temperature', 'gpu_temp'), 'C'),
    memoryTemperatureC: reader.quantity('memoryTemperatureC', at(gpu, 'temperature', 'memory_temp'), 'C'),
    powerDrawW: reader.quantity('powerDrawW', powerDraw, 'W'),
    powerLimitW: reader.quantity('powerLimitW', powerLimit, 'W'),
    energyMj: readEnergyMj(gpu, power, reader),
    smClockMHz: reader.quantity('smClockMHz', smClock('clocks'), 'MHz'),
    memoryClockMHz: reader.quantity('memoryClockMHz', at(gpu, 'clocks', 'mem_clock'), 'MHz'),
    smClockMaxMHz: reader.quantity('smClockMaxMHz', smClock('max_clocks'), 'MHz'),
    memoryClockMaxMHz: reader.quantity('memoryClockMaxMHz', at(gpu, 'max_clocks', 'mem_clock'), 'MHz'),
    clockEventReasons: readClockEventReasons(gpu, reader),
    gpuUtilizationPct: reader.quantity('gpuUtilizationPct', at(gpu, 'utilization', 'gpu_util'), '%'),
    memoryUtilizationPct: reader.quantity('memoryUtilizationPct', at(gpu, 'utilization', 'memory_util'), '%'),
    encoderUtilizationPct: reader.quantity('encoderUtilizationPct', at(gpu, 'utilization', 'encoder_util'), '%'),
    decoderUtilizationPct: reader.quantity('decoderUtilizationPct', at(gpu, 'utilization', 'decoder_util'), '%'),
    framebufferTotalMiB: reader.quantity('framebufferTotalMiB', at(gpu, 'fb_memory_usage', 'total'), 'MiB'),
    framebufferUsedMiB: reader.quantity('framebufferUsedMiB', at(gpu, 'fb_memory_usage', 'used'), 'MiB'),
    framebufferFreeMiB: reader.quantity('framebufferFreeMiB', at(gpu, 'fb_memory_usage', 'free'), 'MiB'),
    ecc: readEcc(gpu, reader),
    remappedRows: readRemappedRows(gpu, reader),
    retiredPages: readRetiredPages(gpu, reader),
    pcie: readPcie(gpu, reader),
    // `nvidia-smi -q` has no per-link NVLink section (that is `nvidia-smi nvlink -s -e`), and
    // its <fabric> element is the NVSwitch fabric registration, not links.
    nvlink: null,
    processCount: readProcessCount(gpu, reader),
  };
  return { ...sample, unsupported: reader.unsupported };
}

import type { XidEvent } from '../model.js';

/**
 * What each common Xid means and what Locus suggests doing about it: our summary of NVIDIA's
 * Xid catalog and A100 memory-error guide, gpud's generated catalog and NVSentinel's mapping,
 * as tabulated (with sources) in the "Xid catalog" section of ../shared/data/nvidia/README.md.
 */

/** info: nothing to do · app: a workload failed, the GPU is fine · critical: the GPU is unusable or degraded until reset/reboot. */
export const XID_SEVERITIES = ['info', 'app', 'critical'] as const;
export type XidSeverity = (typeof XID_SEVERITIES)[number];

/** Mapped from NVIDIA's resolution buckets: IGNORE, RESTART_APP, RESET_GPU, RESTART_BM/VM, CONTACT_SUPPORT/CHECK_MECHANICALS. */
export const XID_ACTIONS = ['none', 'restart_app', 'reset_gpu', 'reboot', 'inspect_hardware'] as const;
export type XidAction = (typeof XID_ACTIONS)[number];

export interface XidCatalogEntry {
  readonly xid: number;
  /** NVIDIA's name for it; null for an Xid outside the catalog. */
  readonly mnemonic: string | null;
  readonly meaning: string;
  readonly severity: XidSeverity;
  /** Repeated occurrences point at the board, cabling, power or memory (the README's "hw-suspect"). */
  readonly hardwareSuspect: boolean;
  /** What to do now; a hardware inspection after it is implied by `hardwareSuspect`. */
  readonly action: XidAction;
  readonly note?: string;
}

type Row = readonly [xid: number, mnemonic: string, severity: XidSeverity, hardwareSuspect: boolean, action: XidAction, meaning: string, note?: string];

const NVLINK5_NOTE = 'NVLink 5: the unit and status word in the message decide; a line marked Nonfatal needs no action (see assessXid).';

const ROWS: readonly Row[] = [
  [8, 'ROBUST_CHANNEL_FIFO_ERROR_IDLE_TIMEOUT', 'app', false, 'restart_app', 'A channel stopped making progress and timed out.'],
  [13, 'ROBUST_CHANNEL_GR_EXCEPTION', 'app', false, 'restart_app', 'The compute engine trapped on a bad instruction or address in the program.', 'Inspect the hardware only if it recurs with different programs known to be good.'],
  [31, 'ROBUST_CHANNEL_FIFO_ERROR_MMU_ERR_FLT', 'app', false, 'restart_app', 'A page fault in GPU memory, usually an invalid access by the program.', 'Investigate further if it keeps recurring.'],
  [32, 'ROBUST_CHANNEL_PBDMA_ERROR', 'app', false, 'restart_app', 'The command (push-buffer) stream was invalid or corrupted.', 'Bus or memory corruption can also cause it.'],
  [38, 'ROBUST_CHANNEL_FECS_ERR_WATCHDOG_TIMEOUT', 'info', false, 'none', 'The driver firmware reported an error.'],
  [43, 'ROBUST_CHANNEL_RESETCHANNEL_VERIF_ERROR', 'info', false, 'none', 'A channel was stopped after its program faulted; the GPU is unaffected.', 'Look at the Xid logged before it.'],
  [44, 'ROBUST_CHANNEL_GR_FAULT_DURING_CTXSW', 'info', false, 'none', 'The graphics engine faulted while switching contexts.'],
  [45, 'ROBUST_CHANNEL_PREEMPTIVE_REMOVAL', 'info', false, 'none', 'Channels were torn down after an earlier error or because their process was killed.', 'Follow the Xid that explains it; logged alone, NVIDIA suggests restarting Fabric Manager.'],
  [46, 'ROBUST_CHANNEL_GPU_TIMEOUT_ERROR', 'critical', false, 'reset_gpu', 'The GPU stopped processing work.'],
  [48, 'ROBUST_CHANNEL_GPU_ECC_DBE', 'critical', true, 'reset_gpu', 'An uncorrectable (double-bit) ECC error in GPU memory.', 'The Xid logged with it decides: 94 restart the app, 95 or 63 reset the GPU, 64 inspect the hardware; reset is the per-event default.'],
  [54, 'SILENT_RUNNING_PWR_REDUCED_CLOCKING', 'critical', true, 'inspect_hardware', 'Auxiliary power is not connected; the board runs at reduced clocks.', 'The README gives only hw-suspect; ranked critical because the board stays degraded until power is reconnected.'],
  [61, 'PMU_BREAKPOINT', 'critical', false, 'reset_gpu', 'An internal micro-controller hit a breakpoint or warning.', 'NVIDIA lists it as unused on Ampere and newer; contact support if it appears.'],
  [62, 'PMU_HALT_ERROR', 'critical', false, 'reset_gpu', 'An internal micro-controller halted.'],
  [63, 'INFOROM_DRAM_RETIREMENT_EVENT', 'info', false, 'none', 'A memory row remap (page retirement before Ampere) was recorded and waits for the next GPU reset.', 'Reset the GPU when convenient to apply it; watch the count against the RMA threshold.'],
  [64, 'INFOROM_DRAM_RETIREMENT_FAILURE', 'critical', true, 'reset_gpu', 'Recording a memory row remap or page retirement failed.', 'Inspect the hardware after the reset: an RMA candidate.'],
  [68, 'ROBUST_CHANNEL_NVDEC0_ERROR', 'app', false, 'restart_app', 'The video decoder (NVDEC0) raised an exception.'],
  [69, 'ROBUST_CHANNEL_GR_CLASS_ERROR', 'app', false, 'restart_app', 'The graphics engine rejected a class operation.'],
  [74, 'NVLINK_ERROR', 'critical', true, 'reset_gpu', 'An NVLink error; the register values in the message identify the cause.', 'Inspect the hardware if it repeats on the same link.'],
  [79, 'ROBUST_CHANNEL_GPU_HAS_FALLEN_OFF_THE_BUS', 'critical', true, 'reboot', 'The GPU stopped answering on PCIe.', 'Reboot the node; check power, seating and cooling if it recurs.'],
  [92, 'EXCESSIVE_SBE_INTERRUPTS', 'info', true, 'none', 'Corrected single-bit ECC errors are arriving at a high rate.', 'Watch the trend.'],
  [94, 'ROBUST_CHANNEL_CONTAINED_ERROR', 'app', false, 'restart_app', 'An uncorrectable memory error was confined to the processes using that memory.', 'Other work continues; reset the GPU later to apply the pending remap.'],
  [95, 'ROBUST_CHANNEL_UNCONTAINED_ERROR', 'critical', false, 'reset_gpu', 'An uncorrectable memory error could not be confined; every process on the GPU is affected.'],
  [109, 'ROBUST_CHANNEL_CTXSW_TIMEOUT_ERROR', 'critical', false, 'reset_gpu', 'A context switch timed out.', 'gpud only warns on it.'],
  [110, 'SEC_FAULT_ERROR', 'critical', false, 'reset_gpu', 'The GPU reported a security fault.'],
  [119, 'GSP_RPC_TIMEOUT', 'critical', false, 'reset_gpu', 'The driver timed out waiting for the GPU System Processor firmware.', 'Reboot if the reset fails.'],
  [120, 'GSP_ERROR', 'critical', false, 'reset_gpu', 'The GPU System Processor firmware reported an error.'],
  [121, 'C2C_ERROR', 'info', true, 'none', 'An error on the chip-to-chip link between a Grace CPU and the GPU.', 'Inspect the hardware if it repeats.'],
  [136, 'ALI_TRAINING_FAIL', 'critical', false, 'reset_gpu', 'Training of a GPU link did not complete.'],
  [137, 'NVLINK_PRIV_ERR', 'info', false, 'none', 'NVLink flagged a privilege violation.'],
  [140, 'UNRECOVERABLE_ECC_ERROR_ESCAPE', 'critical', true, 'reset_gpu', 'An ECC error escaped recovery.'],
  [143, 'GPU_INIT_ERROR', 'critical', true, 'reset_gpu', 'The GPU failed to initialise.', 'Inspect the hardware after the reset.'],
  [144, 'NVLINK_SAW_ERROR', 'critical', false, 'reset_gpu', 'An NVLink 5 error in the SAW unit.', NVLINK5_NOTE],
  [145, 'NVLINK_RLW_ERROR', 'critical', false, 'reset_gpu', 'An NVLink 5 error in the RLW unit.', NVLINK5_NOTE],
  [146, 'NVLINK_TLW_ERROR', 'critical', false, 'reset_gpu', 'An NVLink 5 error in the TLW unit.', NVLINK5_NOTE],
  [147, 'NVLINK_TREX_ERROR', 'critical', false, 'reset_gpu', 'An NVLink 5 error in the TREX unit.', NVLINK5_NOTE],
  [148, 'NVLINK_NVLPW_CTRL_ERROR', 'critical', false, 'reset_gpu', 'An NVLink 5 error in the NVLPW control unit.', NVLINK5_NOTE],
  [149, 'NVLINK_NETIR_ERROR', 'critical', false, 'reset_gpu', 'An NVLink 5 error in the NETIR unit.', NVLINK5_NOTE],
  [150, 'NVLINK_MSE_ERROR', 'critical', false, 'reset_gpu', 'An NVLink 5 error in the MSE unit.', NVLINK5_NOTE],
  [151, 'ROBUST_CHANNEL_KEY_ROTATION_ERROR', 'critical', false, 'reboot', 'Key rotation failed (confidential computing).', 'Restart the VM.'],
  [154, 'GPU_RECOVERY_ACTION_CHANGED', 'info', false, 'none', "The GPU's recovery-action flag changed.", 'Do what the new value asks (see assessXid).'],
  [155, 'NVLINK_SW_DEFINED_ERROR', 'critical', false, 'reset_gpu', 'A software-defined NVLink error.'],
  [156, 'RESOURCE_RETIREMENT_EVENT', 'critical', false, 'reset_gpu', 'A GPU resource was retired.'],
  [157, 'RESOURCE_RETIREMENT_FAILURE', 'info', true, 'none', 'Retiring a GPU resource failed.', 'Inspect the hardware if it repeats.'],
  [158, 'GPU_FATAL_TIMEOUT', 'critical', false, 'reset_gpu', 'A fatal timeout inside the GPU.'],
  [159, 'ROBUST_CHANNEL_CHI_NON_DATA_ERROR', 'app', false, 'restart_app', 'A non-data error on the CHI (coherent hub interface) path.', 'Check the Unified Memory (UVM) workload.'],
  [160, 'CHANNEL_RETIREMENT_EVENT', 'critical', false, 'reboot', 'A channel was retired; the memory-error guide describes it as memory marked for repair.', 'Sources disagree (gpud: ignore; NVSentinel: fatal, restart bare metal); reboot is the conservative choice until checked against NVIDIA\'s current catalog.'],
];

/** Every catalogued Xid, by number. */
export const XID_CATALOG: ReadonlyMap<number, XidCatalogEntry> = new Map(
  ROWS.map(([xid, mnemonic, severity, hardwareSuspect, action, meaning, note]) => [
    xid,
    Object.freeze({ xid, mnemonic, meaning, severity, hardwareSuspect, action, ...(note === undefined ? {} : { note }) }),
  ]),
);

/** The catalog entry for an Xid. One not in the catalog is treated as critical: it must never look harmless. */
export function describeXid(xid: number): XidCatalogEntry {
  return (
    XID_CATALOG.get(xid) ?? {
      xid,
      mnemonic: null,
      meaning: `Xid ${xid} is not in the Locus catalog.`,
      severity: 'critical',
      hardwareSuspect: true,
      action: 'inspect_hardware',
      note: 'Not in the catalog: look it up in NVIDIA\'s Xid catalog before dismissing it.',
    }
  );
}

const NVLINK5_FIRST = 144;
const NVLINK5_LAST = 150;
const RECOVERY_ACTION_CHANGED = 154;

/**
 * The catalog entry for an event, adjusted by what its own message says where the Xid number
 * alone is not enough. Looks at this one event only, never at the Xids around it.
 */
export function assessXid(event: XidEvent): XidCatalogEntry {
  const entry = describeXid(event.xid);
  if (event.xid >= NVLINK5_FIRST && event.xid <= NVLINK5_LAST) return nvlink5(entry, event.message);
  if (event.xid === RECOVERY_ACTION_CHANGED) return recoveryAction(entry, event.message);
  return entry;
}

/**
 * NVLink 5 lines name the unit and say Fatal or Nonfatal, e.g.
 * `NETIR_LINK_EVT  Fatal   XC0 i0 Link 01 (0x021425c6 …)`. Only an explicit non-fatal mark
 * lowers the entry; a line that says both, or neither, stays critical.
 */
function nvlink5(entry: XidCatalogEntry, message: string): XidCatalogEntry {
  const rest = message.replace(/\bnon-?fatal\b/gi, '');
  if (rest === message || /\bfatal\b/i.test(rest)) return entry;
  return { ...entry, severity: 'info', action: 'none', note: 'The line marks the NVLink error Nonfatal.' };
}

/**
 * Xid 154 reports the GPU's new recovery action (NVML: none, GPU reset, node reboot, drain…).
 * No real line is in our fixtures, so this reads the action's name rather than a fixed layout,
 * after "to" when the line says "changed from X to Y" so that the old value is not mistaken
 * for the new one. A drain without reset or reboot keeps the catalog entry.
 */
function recoveryAction(entry: XidCatalogEntry, message: string): XidCatalogEntry {
  const changed = /changed from .* to (.*)$/is.exec(message);
  const value = changed?.[1] ?? message;
  if (/\breboot\b/i.test(value)) {
    return { ...entry, severity: 'critical', action: 'reboot', note: 'The new recovery action asks for a node reboot.' };
  }
  if (/\breset\b/i.test(value)) {
    return { ...entry, severity: 'critical', action: 'reset_gpu', note: 'The new recovery action asks for a GPU reset.' };
  }
  return entry;
}

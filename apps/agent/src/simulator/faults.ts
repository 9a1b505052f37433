/** Faults the simulator can be told to show, as `locus agent inject-fault` writes them. */
export const FAULT_KINDS = ['xid', 'ecc-dbe', 'remap-pending', 'remap-failed', 'thermal', 'power-brake', 'pcie-degraded', 'nvlink-down', 'lost', 'sxid'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A fault of one GPU. */
export interface GpuFault {
  readonly kind: Exclude<FaultKind, 'sxid'>;
  readonly gpu: number;
  /** For kind xid: the Xid number. */
  readonly xid?: number;
  /** When it was injected (ISO), so that scans can show its age. */
  readonly at: string;
}

/** An NVSwitch error (SXid): a switch's, which serves every GPU, not one GPU's. */
export interface SwitchFault {
  readonly kind: 'sxid';
  /** Which of the baseboard's NVSwitches, from 0. */
  readonly nvswitch: number;
  readonly sxid: number;
  /** As the driver marks it, Fatal or Non-fatal: all the nvswitch check judges by. */
  readonly fatal: boolean;
  readonly at: string;
}

export type Fault = GpuFault | SwitchFault;

export const isGpuFault = (f: Fault): f is GpuFault => f.kind !== 'sxid';

/** The NVSwitches of an HGX H100 or H200 baseboard. */
export const NVSWITCHES = 4;

const SWITCH_USAGE = 'sxid=N fatal or sxid=N non-fatal, with switch=K (0 to 3; default 0)';

/** `sxid=20034 fatal`, `sxid=12028 non-fatal switch=2`. */
function parseSxid(fields: ReadonlyMap<string, string>, at: Date): SwitchFault | { error: string } {
  const text = fields.get('sxid')!;
  const sxid = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(sxid > 0)) return { error: `sxid=${text}: an SXid is a number from 1 to 999999` };
  if (fields.has('gpu')) return { error: `an SXid is an NVSwitch's, which serves every GPU, not one GPU's: name ${SWITCH_USAGE}, without gpu=N` };
  const severity = ['fatal', 'non-fatal', 'nonfatal'].filter((w) => fields.has(w));
  if (severity.length !== 1) return { error: `say whether the SXid is fatal, as the driver marks it: ${SWITCH_USAGE}` };
  const switchText = fields.get('switch') ?? '0';
  const nvswitch = /^\d+$/.test(switchText) ? Number(switchText) : NaN;
  if (!(nvswitch < NVSWITCHES)) return { error: `switch=${switchText}: an NVSwitch from 0 to ${NVSWITCHES - 1}` };
  const other = [...fields.keys()].find((k) => !['sxid', 'switch', ...severity].includes(k));
  if (other !== undefined) return { error: `unknown word "${other}" with an SXid: ${SWITCH_USAGE}` };
  return { kind: 'sxid', nvswitch, sxid, fatal: severity[0] === 'fatal', at: at.toISOString() };
}

/**
 * Parses `xid=79 gpu=3`, `ecc=dbe gpu=1`, `remap=pending gpu=0`, `remap=failed gpu=0`,
 * `thermal gpu=2`, `power-brake gpu=2`, `pcie=degraded gpu=4`, `nvlink=down gpu=5`, `lost gpu=6`,
 * and an NVSwitch's `sxid=20034 fatal switch=1` or `sxid=12028 non-fatal`.
 */
export function parseFault(words: readonly string[], gpuCount: number, at: Date): Fault | { error: string } {
  const fields = new Map<string, string>();
  for (const w of words) {
    const [k, v] = w.includes('=') ? [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] : [w, ''];
    fields.set(k!.toLowerCase(), v!);
  }
  if (fields.has('sxid')) return parseSxid(fields, at);
  const gpuText = fields.get('gpu');
  // Digits only: Number('') is 0, and '1e0' or ' 1' are no GPU's number as the host lists them.
  const gpu = gpuText !== undefined && /^\d+$/.test(gpuText) ? Number(gpuText) : NaN;
  if (gpuText === undefined) return { error: `gpu=N is required, with N from 0 to ${gpuCount - 1}` };
  if (!Number.isInteger(gpu) || gpu < 0 || gpu >= gpuCount) return { error: `gpu=${gpuText} is not a GPU of this host: give N from 0 to ${gpuCount - 1}` };
  fields.delete('gpu');
  const [[key, value] = ['', '']] = [...fields];
  const base = { gpu, at: at.toISOString() };
  if (fields.size !== 1) return { error: 'name exactly one fault: xid=N, ecc=dbe, remap=pending|failed, thermal, power-brake, pcie=degraded, nvlink=down or lost (or an NVSwitch\'s sxid=N fatal|non-fatal)' };
  if (key === 'xid') {
    const xid = Number(value);
    return Number.isInteger(xid) && xid > 0 && xid < 1000 ? { ...base, kind: 'xid', xid } : { error: `xid=${value}: an Xid is a number from 1 to 999` };
  }
  const kind = ({ 'ecc=dbe': 'ecc-dbe', 'remap=pending': 'remap-pending', 'remap=failed': 'remap-failed', 'thermal=': 'thermal', 'power-brake=': 'power-brake', 'pcie=degraded': 'pcie-degraded', 'nvlink=down': 'nvlink-down', 'lost=': 'lost' } as Record<string, GpuFault['kind']>)[`${key}=${value}`];
  return kind ? { ...base, kind } : { error: `unknown fault "${value ? `${key}=${value}` : key}"` };
}

/** Faults the simulator can be told to show, as `locus agent inject-fault` writes them. */
export const FAULT_KINDS = ['xid', 'ecc-dbe', 'remap-pending', 'remap-failed', 'thermal', 'power-brake', 'pcie-degraded', 'nvlink-down', 'lost'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  readonly kind: FaultKind;
  readonly gpu: number;
  /** For kind xid: the Xid number. */
  readonly xid?: number;
  /** When it was injected (ISO), so that scans can show its age. */
  readonly at: string;
}

/**
 * Parses `xid=79 gpu=3`, `ecc=dbe gpu=1`, `remap=pending gpu=0`, `remap=failed gpu=0`,
 * `thermal gpu=2`, `power-brake gpu=2`, `pcie=degraded gpu=4`, `nvlink=down gpu=5`, `lost gpu=6`.
 */
export function parseFault(words: readonly string[], gpuCount: number, at: Date): Fault | { error: string } {
  const fields = new Map<string, string>();
  for (const w of words) {
    const [k, v] = w.includes('=') ? [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] : [w, ''];
    fields.set(k!.toLowerCase(), v!);
  }
  const gpuText = fields.get('gpu');
  const gpu = gpuText === undefined ? NaN : Number(gpuText);
  if (!Number.isInteger(gpu) || gpu < 0 || gpu >= gpuCount) return { error: `gpu=N is required, with N from 0 to ${gpuCount - 1}` };
  fields.delete('gpu');
  const [[key, value] = ['', '']] = [...fields];
  const base = { gpu, at: at.toISOString() };
  if (fields.size !== 1) return { error: 'name exactly one fault: xid=N, ecc=dbe, remap=pending|failed, thermal, power-brake, pcie=degraded, nvlink=down or lost' };
  if (key === 'xid') {
    const xid = Number(value);
    return Number.isInteger(xid) && xid > 0 && xid < 1000 ? { ...base, kind: 'xid', xid } : { error: `xid=${value}: an Xid is a number from 1 to 999` };
  }
  const kind = ({ 'ecc=dbe': 'ecc-dbe', 'remap=pending': 'remap-pending', 'remap=failed': 'remap-failed', 'thermal=': 'thermal', 'power-brake=': 'power-brake', 'pcie=degraded': 'pcie-degraded', 'nvlink=down': 'nvlink-down', 'lost=': 'lost' } as Record<string, FaultKind>)[`${key}=${value}`];
  return kind ? { ...base, kind } : { error: `unknown fault "${value ? `${key}=${value}` : key}"` };
}

/**
 * What one kernel message (timestamp already removed) says about NVIDIA hardware.
 *
 * PCI bus ids come back in lower case. The NVIDIA driver prints them with `%02x`, so for real
 * lines this is the kernel's own spelling; lowering hand-written or edited lines as well gives
 * each GPU a single key. (nvidia-smi and `GpuIdentity.pciBusId` use upper case and an eight-digit
 * domain: compare case-insensitively on domain:bus:device when joining the two.)
 */
export type KernelMessage =
  | { readonly kind: 'xid'; readonly xid: number; readonly pciBusId: string; readonly message: string }
  | { readonly kind: 'sxid'; readonly sxid: number; readonly pciBusId: string; readonly fatal: boolean; readonly message: string }
  | { readonly kind: 'driver'; readonly version: string }
  | { readonly kind: 'gpu'; readonly pciBusId: string; readonly uuid: string | null }
  /** `GPU Board Serial Number:` names no GPU: it belongs to the `GPU at` line printed just before. */
  | { readonly kind: 'board-serial'; readonly serial: string }
  | { readonly kind: 'gpu-serial'; readonly pciBusId: string; readonly serial: string }
  /** Any other NVRM line: a continuation, a history table, a notice. */
  | { readonly kind: 'nvrm' };

const BUS = '[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}';

/**
 * `NVRM: Xid (PCI:0000:19:00): 48, pid=…, name=…, text`. Old drivers print the bus id without
 * `PCI:` and no pid/name; some print pid without name; NVLink 5 Xids (144–150) print neither.
 * Flag s: a stray control character inside a line must not hide the event behind it.
 */
const XID = new RegExp(`(?:^|\\s)NVRM: Xid \\((?:PCI:)?(${BUS})\\): (\\d{1,6})(?:,\\s*(.*))?$`, 'is');
const PID = /^pid=[^,]*(?:,\s*|$)/;
const NAME = /^name=[^,]*(?:,\s*|$)/;
/**
 * `nvidia-nvswitch1: SXid (PCI:0000:06:00.0): 20034, Fatal, Link 48 LTSSM Fault Up`. The driver
 * follows each such line with `Severity …` and `Data {…}` lines under the same SXid: those
 * detail the event above them and lack the Fatal/Non-fatal field, so they do not match.
 */
const SXID = new RegExp(`(?:^|\\s)SXid \\(PCI:(${BUS}(?:\\.[0-7])?)\\): (\\d{1,6}), (Fatal|Non-fatal|Nonfatal), ?(.*)$`, 'is');
/** Proprietary: `… UNIX x86_64 Kernel Module  550.90.07  Fri May 31 …`; open: `… UNIX Open Kernel Module for x86_64  …`. */
const DRIVER = /(?:^|\s)NVRM: loading NVIDIA UNIX .{0,40}?Kernel Module(?: for \S{1,20})?\s+(\d{1,4}(?:\.\d{1,4}){1,3})(?:\s|$)/;
const GPU_AT = new RegExp(`(?:^|\\s)NVRM: GPU at PCI:(${BUS})(?::\\s*(GPU-[0-9a-f-]{1,64}))?`, 'i');
const BOARD_SERIAL = /(?:^|\s)NVRM: GPU Board Serial Number: (\S{1,64})/;
const GPU_SERIAL = new RegExp(`(?:^|\\s)NVRM: GPU (${BUS})(?:\\.[0-7])?: GPU serial number is (\\S{1,64}?)\\.?$`, 'i');
const NVRM = /(?:^|\s)NVRM: /;

/** Classifies one message; null when it is not about NVIDIA hardware at all. */
export function classifyKernelMessage(message: string): KernelMessage | null {
  const xid = XID.exec(message);
  if (xid) {
    const text = (xid[3] ?? '').replace(PID, '').replace(NAME, '').trimEnd();
    return { kind: 'xid', xid: Number(xid[2]), pciBusId: xid[1]!.toLowerCase(), message: text };
  }
  const sxid = SXID.exec(message);
  if (sxid) {
    const fatal = sxid[3]!.toLowerCase() === 'fatal';
    return { kind: 'sxid', sxid: Number(sxid[2]), pciBusId: sxid[1]!.toLowerCase(), fatal, message: sxid[4]!.trimEnd() };
  }
  if (!NVRM.test(message)) return null;

  const driver = DRIVER.exec(message);
  if (driver) return { kind: 'driver', version: driver[1]! };
  const gpu = GPU_AT.exec(message);
  if (gpu) return { kind: 'gpu', pciBusId: gpu[1]!.toLowerCase(), uuid: gpu[2] ?? null };
  const board = BOARD_SERIAL.exec(message);
  if (board) return { kind: 'board-serial', serial: board[1]! };
  const serial = GPU_SERIAL.exec(message);
  if (serial) return { kind: 'gpu-serial', pciBusId: serial[1]!.toLowerCase(), serial: serial[2]! };
  return { kind: 'nvrm' };
}

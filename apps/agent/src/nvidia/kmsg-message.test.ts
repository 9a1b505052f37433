import { describe, expect, it } from 'vitest';
import { classifyKernelMessage, type KernelMessage } from './kmsg-message.js';

// Messages are copied from ../shared/data/nvidia/kmsg/ (README, `kmsg/` table) with the stamp
// removed, unless the case says "written by us".
describe('classifyKernelMessage: Xid lines', () => {
  it.each<[string, string, KernelMessage]>([
    [
      "drops pid='<unknown>' and name=<unknown> from the message (xid48-…-iso.log)",
      "NVRM: Xid (PCI:0000:19:00): 48, pid='<unknown>', name=<unknown>, An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at physAddr 0x12bac1c3e0 partition 2, subpartition 1.",
      {
        kind: 'xid',
        xid: 48,
        pciBusId: '0000:19:00',
        message: 'An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at physAddr 0x12bac1c3e0 partition 2, subpartition 1.',
      },
    ],
    [
      'drops a numeric pid and a process name (xid48-…-iso.log)',
      'NVRM: Xid (PCI:0000:19:00): 94, pid=1248209, name=python3.10, Ch 00000008',
      { kind: 'xid', xid: 94, pciBusId: '0000:19:00', message: 'Ch 00000008' },
    ],
    [
      'keeps the commas inside the text after pid and name (xid119-…-ctime.log)',
      'NVRM: Xid (PCI:0000:9b:00): 119, pid=2024380, name=nvidia-smi, Timeout after 6s of waiting for RPC response from GPU4 GSP! Expected function 10 (FREE) (0xa55a0210 0x0).',
      { kind: 'xid', xid: 119, pciBusId: '0000:9b:00', message: 'Timeout after 6s of waiting for RPC response from GPU4 GSP! Expected function 10 (FREE) (0xa55a0210 0x0).' },
    ],
    [
      'reads the old form without "PCI:" and without pid or name (written by us, as in the brief)',
      'NVRM: Xid (0000:19:00): 79, GPU has fallen off the bus.',
      { kind: 'xid', xid: 79, pciBusId: '0000:19:00', message: 'GPU has fallen off the bus.' },
    ],
    [
      'reads a pid without a process name (written by us)',
      'NVRM: Xid (PCI:0000:3b:00): 31, pid=4242, Ch 00000010, intr 10000000. MMU Fault',
      { kind: 'xid', xid: 31, pciBusId: '0000:3b:00', message: 'Ch 00000010, intr 10000000. MMU Fault' },
    ],
    [
      'reads an NVLink 5 line, which has no pid or name, and a domain other than 0000 (written by us)',
      'NVRM: Xid (PCI:0009:01:00): 149, NETIR_LINK_EVT  Fatal   XC0 i0 Link 01 (0x021425c6 0x00000000)',
      { kind: 'xid', xid: 149, pciBusId: '0009:01:00', message: 'NETIR_LINK_EVT  Fatal   XC0 i0 Link 01 (0x021425c6 0x00000000)' },
    ],
    [
      'lowers an upper-case bus id so that one GPU has one key (written by us)',
      'NVRM: Xid (PCI:0000:9B:00): 13, pid=1, name=a.out, Graphics Exception',
      { kind: 'xid', xid: 13, pciBusId: '0000:9b:00', message: 'Graphics Exception' },
    ],
    [
      'finds the Xid after a syslog prefix it does not know (written by us)',
      'gpu-07 kernel: NVRM: Xid (PCI:0000:19:00): 45, pid=77, name=python, Ch 00000001',
      { kind: 'xid', xid: 45, pciBusId: '0000:19:00', message: 'Ch 00000001' },
    ],
    ['accepts an Xid line with no text after the number (written by us)', 'NVRM: Xid (PCI:0000:19:00): 154', { kind: 'xid', xid: 154, pciBusId: '0000:19:00', message: '' }],
  ])('%s', (_name, message, expected) => {
    expect(classifyKernelMessage(message)).toEqual(expected);
  });
});

describe('classifyKernelMessage: SXid lines', () => {
  it.each<[string, string, KernelMessage | null]>([
    [
      'reads a fatal NVSwitch error with its PCI function (xid79-…-excerpt.log)',
      'nvidia-nvswitch1: SXid (PCI:0000:06:00.0): 20034, Fatal, Link 48 LTSSM Fault Up',
      { kind: 'sxid', sxid: 20034, pciBusId: '0000:06:00.0', fatal: true, message: 'Link 48 LTSSM Fault Up' },
    ],
    [
      'reads a non-fatal one (written by us in the driver\'s "Non-fatal" spelling)',
      'nvidia-nvswitch2: SXid (PCI:0000:85:00.0): 12028, Non-fatal, Link 61 egress non-posted PRIV error (First)',
      { kind: 'sxid', sxid: 12028, pciBusId: '0000:85:00.0', fatal: false, message: 'Link 61 egress non-posted PRIV error (First)' },
    ],
    ['treats the Severity line that follows as detail, not an event (xid79-…-excerpt.log)', 'nvidia-nvswitch2: SXid (PCI:0000:07:00.0): 20034, Severity 1 Engine instance 60 Sub-engine instance 00', null],
    ['treats the Data line that follows as detail, not an event (xid79-…-excerpt.log)', 'nvidia-nvswitch0: SXid (PCI:0000:05:00.0): 20034, Data {0x10000000, 0x10000000, 0x00000000}', null],
  ])('%s', (_name, message, expected) => {
    expect(classifyKernelMessage(message)).toEqual(expected);
  });
});

describe('classifyKernelMessage: driver and GPU identity lines', () => {
  it.each<[string, string, KernelMessage]>([
    [
      'reads the version from the proprietary module load line (boot-…-decode-iso-no-xid.log)',
      'NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024',
      { kind: 'driver', version: '550.90.07' },
    ],
    [
      'reads the version from the open module load line (written by us)',
      'NVRM: loading NVIDIA UNIX Open Kernel Module for aarch64  570.124.06  Release Build  (dvs-builder@U16-I1-N08-02-1)  Wed Feb 26 2025',
      { kind: 'driver', version: '570.124.06' },
    ],
    [
      'reads the bus id and UUID of a GPU (xid119-…-ctime.log)',
      'NVRM: GPU at PCI:0000:9b:00: GPU-509665ad-b600-ac93-3616-d754b23d636d',
      { kind: 'gpu', pciBusId: '0000:9b:00', uuid: 'GPU-509665ad-b600-ac93-3616-d754b23d636d' },
    ],
    ['reads a board serial, which names no GPU (xid119-…-ctime.log)', 'NVRM: GPU Board Serial Number: 1650124014249', { kind: 'board-serial', serial: '1650124014249' }],
    [
      'reads the serial of a GPU named with its function, without the final full stop (xid79-…-excerpt.log)',
      'NVRM: GPU 0000:91:00.0: GPU serial number is 1653723052734.',
      { kind: 'gpu-serial', pciBusId: '0000:91:00', serial: '1653723052734' },
    ],
    [
      'does not take the rate-limit notice for a GPU line (xid119-…-ctime.log)',
      'NVRM: Rate limiting GSP RPC error prints for GPU at PCI:0000:9b:00 (printing 1 of every 30).  The GPU likely needs to be reset.',
      { kind: 'nvrm' },
    ],
    ['treats an RPC history row as a continuation (xid119-…-ctime.log)', 'NVRM:     -1    103  GSP_RM_ALLOC          0x0000000000002080 0x0000000000000004', { kind: 'nvrm' }],
    ['treats the fallen-off-the-bus follow-up as a continuation (xid79-…-excerpt.log)', 'NVRM: GPU 0000:91:00.0: GPU has fallen off the bus.', { kind: 'nvrm' }],
  ])('%s', (_name, message, expected) => {
    expect(classifyKernelMessage(message)).toEqual(expected);
  });
});

describe('classifyKernelMessage: other lines', () => {
  it.each<[string, string, KernelMessage | null]>([
    ['a stack-trace frame (xid119-…-ctime.log)', ' _nv012454rm+0x437/0x4b0 [nvidia]', null],
    ['an nvidia-modeset line (boot-…-decode-iso-no-xid.log)', 'nvidia-modeset: Loading NVIDIA Kernel Mode Setting Driver for UNIX platforms  550.90.07  Fri May 31 09:30:47 UTC 2024', null],
    ['a peermem error (xid48-…-iso.log)', 'nvidia-peermem nv_get_p2p_free_callback:127 ERROR detected invalid context, skipping further processing', null],
    ['an Xid quoted without the NVRM tag (written by us)', 'Xid (PCI:0000:19:00): 79, GPU has fallen off the bus.', null],
    ['the empty message', '', null],
    ['an NVRM Xid line whose number is not a number (written by us)', 'NVRM: Xid (PCI:0000:19:00): xyz, invalid', { kind: 'nvrm' }],
    ['an NVRM Xid line without a bus id (written by us)', 'NVRM: Xid (PCI:): 79, GPU has fallen off the bus.', { kind: 'nvrm' }],
  ])('finds no event in %s', (_name, message, expected) => {
    expect(classifyKernelMessage(message)).toEqual(expected);
  });

  it('still finds the Xid after a stray carriage return inside the text', () => {
    expect(classifyKernelMessage('NVRM: Xid (PCI:0000:19:00): 79, GPU has\rfallen off the bus.')).toMatchObject({ kind: 'xid', xid: 79 });
  });
});

import { describe, expect, it } from 'vitest';
import { splitKernelLine, type KernelLine } from './kmsg-line.js';

// Each prefix is copied from a line of ../shared/data/nvidia/kmsg/ (README, `kmsg/` table,
// "format" column) unless the case says otherwise.
describe('splitKernelLine', () => {
  it.each<[string, string, KernelLine]>([
    [
      'reads a raw /dev/kmsg record, whose third field is microseconds since boot',
      '6,3964,206764307,-;nvidia-nvswitch2: open (major=510)',
      { time: { sinceBootS: 206.764307 }, message: 'nvidia-nvswitch2: open (major=510)' },
    ],
    [
      'ignores the extra fields newer kernels put after the flags of a /dev/kmsg record (written by us)',
      '4,812,5123456,-,caller=T123;NVRM: Xid (PCI:0000:19:00): 79, GPU has fallen off the bus.',
      { time: { sinceBootS: 5.123456 }, message: 'NVRM: Xid (PCI:0000:19:00): 79, GPU has fallen off the bus.' },
    ],
    [
      'reads the dmesg monotonic stamp as seconds since boot',
      '[6781741.548779] NVRM: Xid (PCI:0000:91:00): 79, pid=\'<unknown>\', name=<unknown>, GPU has fallen off the bus.',
      { time: { sinceBootS: 6781741.548779 }, message: "NVRM: Xid (PCI:0000:91:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus." },
    ],
    ['reads a space-padded monotonic stamp from early boot (written by us)', '[    0.000000] Linux version 5.15.0', { time: { sinceBootS: 0 }, message: 'Linux version 5.15.0' }],
    [
      'keeps the leading space of a stack-trace line after the stamp',
      '[Sun Feb 23 16:24:18 2025]  show_stack+0x52/0x5c',
      { time: null, message: ' show_stack+0x52/0x5c' },
    ],
    [
      'drops the --ctime stamp but gives no time, since it has no time zone',
      '[Sun Feb 23 16:24:18 2025] NVRM: GPU Board Serial Number: 1650124014249',
      { time: null, message: 'NVRM: GPU Board Serial Number: 1650124014249' },
    ],
    ['accepts a --ctime day padded with a space (written by us)', '[Mon Mar  3 01:02:03 2025] hello', { time: null, message: 'hello' }],
    [
      'reads --time-format iso, turning the comma before the microseconds into a point',
      "2024-11-15T12:02:03,470068+00:00 NVRM: Xid (PCI:0000:19:00): 63, pid='<unknown>', name=<unknown>, Row Remapper",
      { time: { iso: '2024-11-15T12:02:03.470068+00:00' }, message: "NVRM: Xid (PCI:0000:19:00): 63, pid='<unknown>', name=<unknown>, Row Remapper" },
    ],
    ['keeps a non-UTC offset as printed (written by us)', '2025-01-17T16:36:55,407914+01:00 x', { time: { iso: '2025-01-17T16:36:55.407914+01:00' }, message: 'x' }],
    [
      'strips the --decode facility and level before the iso stamp',
      'kern  :warn  : 2025-01-17T15:36:55,407914+00:00 NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.90.07',
      { time: { iso: '2025-01-17T15:36:55.407914+00:00' }, message: 'NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.90.07' },
    ],
    ['strips a six-letter --decode level that leaves no padding', 'kern  :notice: 2025-01-17T15:37:20,322272+00:00 audit: x', { time: { iso: '2025-01-17T15:37:20.322272+00:00' }, message: 'audit: x' }],
    ['strips --decode before a monotonic stamp (written by us)', 'kern  :info  : [   12.500000] nvidia: loaded', { time: { sinceBootS: 12.5 }, message: 'nvidia: loaded' }],
    ['strips the <priority> that dmesg --raw keeps (written by us)', '<4>[  812.000001] NVRM: x', { time: { sinceBootS: 812.000001 }, message: 'NVRM: x' }],
    [
      'reads journalctl -k -o short-iso, whose offset has no colon, and drops host and "kernel:" (written by us)',
      '2025-02-23T16:24:18+0100 gpu-07 kernel: NVRM: Xid (PCI:0000:9b:00): 119, x',
      { time: { iso: '2025-02-23T16:24:18+01:00' }, message: 'NVRM: Xid (PCI:0000:9b:00): 119, x' },
    ],
    [
      'reads journalctl -o short-iso-precise, with microseconds after a point (written by us)',
      '2025-02-23T16:24:18.123456+00:00 gpu-07 kernel: NVRM: x',
      { time: { iso: '2025-02-23T16:24:18.123456+00:00' }, message: 'NVRM: x' },
    ],
    ['returns a line without a stamp whole, with no time', 'NVRM: Xid (0000:19:00): 79, GPU has fallen off the bus.', { time: null, message: 'NVRM: Xid (0000:19:00): 79, GPU has fallen off the bus.' }],
    ['returns the empty line as an empty message', '', { time: null, message: '' }],
    ['gives no time to an iso stamp that names no real date', '2024-13-45T12:02:03,470068+00:00 x', { time: null, message: 'x' }],
    ['leaves an unclosed bracket alone', '[6781741.548779 NVRM: x', { time: null, message: '[6781741.548779 NVRM: x' }],
  ])('%s', (_name, line, expected) => {
    expect(splitKernelLine(line)).toEqual(expected);
  });

  it('produces iso times that Date.parse reads to the millisecond', () => {
    const { time } = splitKernelLine('2024-11-15T12:02:03,470068+00:00 x');
    expect(time !== null && 'iso' in time ? Date.parse(time.iso) : NaN).toBe(Date.UTC(2024, 10, 15, 12, 2, 3, 470));
  });
});

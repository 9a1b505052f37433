import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../../test/support/shared-data.js';
import { splitKernelLine } from './kmsg-line.js';
import { parseKernelLog } from './kmsg.js';

const dir = sharedData('nvidia');
const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

// Read on first use inside a test: vitest runs a skipped suite's body too, when the folder is absent.
const captures = new Map<string, { readonly text: string; readonly scan: ReturnType<typeof parseKernelLog> }>();
function capture(file: string): { readonly text: string; readonly scan: ReturnType<typeof parseKernelLog> } {
  const known = captures.get(file);
  if (known) return known;
  const text = readFileSync(join(dir!, 'kmsg', file), 'utf8');
  const read = { text, scan: parseKernelLog(text) };
  captures.set(file, read);
  return read;
}

// Each block relies on the file's row in the `kmsg/` table of ../shared/data/nvidia/README.md.
describe.skipIf(!dir)('parseKernelLog on the real captures in shared/data/nvidia/kmsg', () => {
  describe('xid119-gsp-rpc-timeout-dell-xe9680-ctime.log (row: Xid 119 ×5, dmesg --ctime)', () => {
    const file = 'xid119-gsp-rpc-timeout-dell-xe9680-ctime.log';

    it('finds exactly the five Xid 119 lines, all on 0000:9b:00, and nothing in the RPC tables or stack trace', () => {
      const { scan } = capture(file);
      expect(scan.xids.map((e) => [e.xid, e.pciBusId])).toEqual(Array.from({ length: 5 }, () => [119, '0000:9b:00']));
      expect(scan.xids.map((e) => /Expected function (\d+)/.exec(e.message)?.[1])).toEqual(['103', '10', '10', '76', '76']);
    });

    it('gives the events no time, since a --ctime stamp has no time zone, and keeps each raw line', () => {
      const { text, scan } = capture(file);
      expect(scan.xids.map((e) => e.time)).toEqual([null, null, null, null, null]);
      expect(scan.xids[0]?.raw).toBe(lines(text)[2]);
    });

    it('names the one GPU with its UUID and board serial', () => {
      const { scan } = capture(file);
      expect(scan.gpus).toEqual([{ pciBusId: '0000:9b:00', uuid: 'GPU-509665ad-b600-ac93-3616-d754b23d636d', serial: '1650124014249' }]);
    });

    it('has no SXid and no driver load line', () => {
      const { scan } = capture(file);
      expect(scan.sxids).toEqual([]);
      expect(scan.driverVersion).toBeNull();
    });
  });

  describe('xid48-dbe-xid63-row-remap-xid94-contained-peermem-iso.log (row: Xid 48, 63, 94 ×9, --time-format iso)', () => {
    const file = 'xid48-dbe-xid63-row-remap-xid94-contained-peermem-iso.log';

    it('is the file the README describes: no final newline', () => {
      const { text } = capture(file);
      expect(text.endsWith('\n')).toBe(false);
    });

    it('finds one Xid 48, one Xid 63 and nine Xid 94, in order, all on 0000:19:00', () => {
      const { scan } = capture(file);
      expect(scan.xids.map((e) => e.xid)).toEqual([48, 63, ...Array<number>(9).fill(94)]);
      expect(new Set(scan.xids.map((e) => e.pciBusId))).toEqual(new Set(['0000:19:00']));
    });

    it("reads both pid forms: pid='<unknown>' on the first and pid=1248209 on the per-channel lines", () => {
      const { scan } = capture(file);
      expect(scan.xids[2]?.message).toBe('Contained: SM (0x1). RST: No, D-RST: No');
      expect(scan.xids.slice(3).map((e) => e.message)).toEqual(['8', '9', 'a', 'b', 'c', 'd', 'e', 'f'].map((c) => `Ch 0000000${c}`));
    });

    it('dates the DBE with its wall-clock time', () => {
      const { scan } = capture(file);
      expect(scan.xids[0]).toMatchObject({ time: { iso: '2024-11-15T12:02:03.470068+00:00' }, message: expect.stringContaining('physAddr 0x12bac1c3e0 partition 2, subpartition 1') });
    });
  });

  describe('xid79-fallen-off-bus-sxid20034-nvswitch-excerpt.log (row: Xid 79 + 8 SXid lines, dmesg monotonic)', () => {
    const file = 'xid79-fallen-off-bus-sxid20034-nvswitch-excerpt.log';

    it('finds the one Xid 79, with its time since boot', () => {
      const { scan } = capture(file);
      expect(scan.xids).toEqual([
        {
          xid: 79,
          pciBusId: '0000:91:00',
          time: { sinceBootS: 6781741.548779 },
          message: 'GPU has fallen off the bus.',
          raw: "[6781741.548779] NVRM: Xid (PCI:0000:91:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.",
        },
      ]);
    });

    it('turns the 8 SXid lines into 4 fatal events from 3 NVSwitches: Severity and Data lines are details', () => {
      const { text, scan } = capture(file);
      expect(lines(text).filter((l) => l.includes('SXid'))).toHaveLength(8);
      expect(scan.sxids.map((e) => [e.sxid, e.pciBusId, e.fatal, e.message])).toEqual([
        [20034, '0000:06:00.0', true, 'Link 48 LTSSM Fault Up'],
        [20034, '0000:05:00.0', true, 'Link 63 LTSSM Fault Up'],
        [20034, '0000:07:00.0', true, 'Link 37 LTSSM Fault Up'],
        [20034, '0000:05:00.0', true, 'Link 62 LTSSM Fault Up'],
      ]);
      expect(scan.sxids[0]?.time).toEqual({ sinceBootS: 6781753.400584 });
    });

    it('names the lost GPU with its UUID and serial', () => {
      const { scan } = capture(file);
      expect(scan.gpus).toEqual([{ pciBusId: '0000:91:00', uuid: 'GPU-b6c3b2be-c55b-d076-fa0e-d464e4c7e08b', serial: '1653723052734' }]);
    });
  });

  describe('dev-kmsg-raw-format-nvswitch-open-no-xid.log (row: raw /dev/kmsg, no Xid)', () => {
    const file = 'dev-kmsg-raw-format-nvswitch-open-no-xid.log';

    it('reads every record as microseconds since boot', () => {
      const { text } = capture(file);
      const times = lines(text).map((l) => splitKernelLine(l).time);
      // The README counts 46 (wc -l); the file has no final newline, so there are 47 records.
      expect(times).toHaveLength(47);
      expect(times[0]).toEqual({ sinceBootS: 206.764307 });
      expect(times.every((t) => t !== null && 'sinceBootS' in t)).toBe(true);
    });

    it('finds no events and no GPUs', () => {
      const { scan } = capture(file);
      expect(scan).toEqual({ xids: [], sxids: [], driverVersion: null, gpus: [] });
    });
  });

  describe('boot-dmesg-nvrm-load-550.90.07-decode-iso-no-xid.log (row: boot log, --decode --time-format iso)', () => {
    const file = 'boot-dmesg-nvrm-load-550.90.07-decode-iso-no-xid.log';

    it('reads the driver version from the NVRM load line and finds no events', () => {
      const { scan } = capture(file);
      expect(scan).toEqual({ xids: [], sxids: [], driverVersion: '550.90.07', gpus: [] });
    });

    it('takes the facility, level and stamp off every line that has them', () => {
      const { text } = capture(file);
      const undated = lines(text).filter((l) => splitKernelLine(l).time === null);
      expect(undated).toEqual([]);
    });
  });
});

describe('parseKernelLog', () => {
  const gpuAt = '[10.0] NVRM: GPU at PCI:0000:19:00: GPU-11111111-2222-3333-4444-555555555555';

  it.each<[string, string[], ReturnType<typeof parseKernelLog>['gpus']]>([
    ['gives the board serial to the GPU named on the line before', [gpuAt, '[10.1] NVRM: GPU Board Serial Number: 123'], [{ pciBusId: '0000:19:00', uuid: 'GPU-11111111-2222-3333-4444-555555555555', serial: '123' }]],
    ['keeps the pairing across lines from other drivers', [gpuAt, '[10.1] usb 1-1: new device', '[10.2] NVRM: GPU Board Serial Number: 123'], [{ pciBusId: '0000:19:00', uuid: 'GPU-11111111-2222-3333-4444-555555555555', serial: '123' }]],
    ['drops a board serial after another NVRM line, whose GPU is unknown', [gpuAt, '[10.1] NVRM: something else', '[10.2] NVRM: GPU Board Serial Number: 123'], [{ pciBusId: '0000:19:00', uuid: 'GPU-11111111-2222-3333-4444-555555555555' }]],
    ['drops a board serial with no GPU line before it', ['[10.2] NVRM: GPU Board Serial Number: 123'], []],
    [
      'lists GPUs once each, in order of first mention, with the latest identity',
      ['NVRM: GPU at PCI:0000:9b:00: GPU-aaaaaaaa-0000-0000-0000-000000000000', gpuAt, 'NVRM: GPU at PCI:0000:9b:00: GPU-bbbbbbbb-0000-0000-0000-000000000000'],
      [
        { pciBusId: '0000:9b:00', uuid: 'GPU-bbbbbbbb-0000-0000-0000-000000000000' },
        { pciBusId: '0000:19:00', uuid: 'GPU-11111111-2222-3333-4444-555555555555' },
      ],
    ],
  ])('%s', (_name, log, gpus) => {
    expect(parseKernelLog(log.join('\n')).gpus).toEqual(gpus);
  });

  it('keeps the version of the last driver load when the module was reloaded', () => {
    const log = ['NVRM: loading NVIDIA UNIX x86_64 Kernel Module  535.54.03  Tue Jun  6 22:20:39 UTC 2023', 'NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024'];
    expect(parseKernelLog(log.join('\n')).driverVersion).toBe('550.90.07');
  });

  it.each([
    ['a final newline', '[1.0] NVRM: Xid (PCI:0000:19:00): 79, GPU has fallen off the bus.\n'],
    ['no final newline', '[1.0] NVRM: Xid (PCI:0000:19:00): 79, GPU has fallen off the bus.'],
    ['CRLF line ends', '[0.5] x\r\n[1.0] NVRM: Xid (PCI:0000:19:00): 79, GPU has fallen off the bus.\r\n'],
  ])('reads the last line whether the text has %s, without its line end in raw', (_name, text) => {
    expect(parseKernelLog(text).xids).toEqual([
      { xid: 79, pciBusId: '0000:19:00', time: { sinceBootS: 1 }, message: 'GPU has fallen off the bus.', raw: '[1.0] NVRM: Xid (PCI:0000:19:00): 79, GPU has fallen off the bus.' },
    ]);
  });

  it('reads Xid lines in every timestamp format of the README table in one text', () => {
    const text = [
      '4,900,1500000,-;NVRM: Xid (PCI:0000:19:00): 13, pid=1, name=a, x',
      '[1.5] NVRM: Xid (PCI:0000:19:00): 31, pid=1, name=a, x',
      '[Sun Feb 23 16:24:18 2025] NVRM: Xid (PCI:0000:19:00): 43, pid=1, name=a, x',
      '2024-11-15T12:02:03,470068+00:00 NVRM: Xid (PCI:0000:19:00): 45, pid=1, name=a, x',
      'kern  :warn  : 2024-11-15T12:02:03,470068+00:00 NVRM: Xid (PCI:0000:19:00): 48, pid=1, name=a, x',
      'NVRM: Xid (0000:19:00): 79, x',
    ].join('\n');
    expect(parseKernelLog(text).xids.map((e) => [e.xid, e.time])).toEqual([
      [13, { sinceBootS: 1.5 }],
      [31, { sinceBootS: 1.5 }],
      [43, null],
      [45, { iso: '2024-11-15T12:02:03.470068+00:00' }],
      [48, { iso: '2024-11-15T12:02:03.470068+00:00' }],
      [79, null],
    ]);
  });

  it.each([
    ['empty text', ''],
    ['only newlines', '\n\n\r\n'],
    ['binary noise', '\u0000\u0001\uffff\ud800;[[[]]]\t,,,;;;'],
    ['a truncated Xid line', '[1.0] NVRM: Xid (PCI:0000:19'],
    ['an absurd Xid number', 'NVRM: Xid (PCI:0000:19:00): 99999999999999999999, x'],
  ])('returns an empty scan for %s', (_name, text) => {
    expect(parseKernelLog(text)).toEqual({ xids: [], sxids: [], driverVersion: null, gpus: [] });
  });

  it('never throws, whatever the text', () => {
    const fragment = fc.constantFrom('[1.5] ', '6,1,2,-;', 'kern  :warn  : ', '2024-11-15T12:02:03,1+00:00 ', '[Sun Feb 23 16:24:18 2025] ', 'NVRM: Xid (PCI:0000:19:00): ', 'NVRM: GPU at PCI:', 'NVRM: GPU Board Serial Number: ', 'SXid (PCI:0000:06:00.0): ', '79, ', 'Fatal, ', 'pid=', '\n', '\r', ' ');
    fc.assert(
      fc.property(fc.array(fc.oneof(fragment, fc.string())), (parts) => {
        parseKernelLog(parts.join(''));
      }),
      { numRuns: 500 },
    );
  });
});

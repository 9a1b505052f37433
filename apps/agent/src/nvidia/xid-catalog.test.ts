import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../../test/support/shared-data.js';
import type { XidEvent } from '../model.js';
import { XID_ACTIONS, XID_CATALOG, XID_SEVERITIES, assessXid, describeXid, type XidAction, type XidSeverity } from './xid-catalog.js';

/** The Xids of the README's "Xid catalog" table, 144–150 expanded. */
const README_XIDS = [8, 13, 31, 32, 38, 43, 44, 45, 46, 48, 54, 61, 62, 63, 64, 68, 69, 74, 79, 92, 94, 95, 109, 110, 119, 120, 121, 136, 137, 140, 143, 144, 145, 146, 147, 148, 149, 150, 151, 154, 155, 156, 157, 158, 159, 160];

const event = (xid: number, message: string): XidEvent => ({ xid, pciBusId: '0000:19:00', time: null, message, raw: `NVRM: Xid (PCI:0000:19:00): ${xid}, ${message}` });

describe('XID_CATALOG', () => {
  it('has one entry for each row of the README table and no other', () => {
    expect([...XID_CATALOG.keys()].sort((a, b) => a - b)).toEqual(README_XIDS);
  });

  it('files each entry under its own Xid, with a severity and action from the vocabularies', () => {
    for (const [xid, entry] of XID_CATALOG) {
      expect(entry.xid, `Xid ${xid}`).toBe(xid);
      expect(XID_SEVERITIES, `Xid ${xid}`).toContain(entry.severity);
      expect(XID_ACTIONS, `Xid ${xid}`).toContain(entry.action);
      expect(entry.meaning.length, `Xid ${xid}`).toBeGreaterThan(0);
    }
  });

  // README "Xid catalog" rows 94, 79, 63, 48, 119, 160.
  it.each<[number, XidSeverity, XidAction, boolean]>([
    [94, 'app', 'restart_app', false],
    [79, 'critical', 'reboot', true],
    [63, 'info', 'none', false],
    [48, 'critical', 'reset_gpu', true],
    [119, 'critical', 'reset_gpu', false],
    [13, 'app', 'restart_app', false],
    [160, 'critical', 'reboot', false],
  ])('rates Xid %i as %s, suggests %s, hardware suspect: %s', (xid, severity, action, hardwareSuspect) => {
    expect(describeXid(xid)).toMatchObject({ xid, severity, action, hardwareSuspect });
  });

  it('says why Xid 160 is treated conservatively', () => {
    expect(describeXid(160).note).toMatch(/disagree/);
  });
});

// Keeps the catalog in step with the README table it summarises: severity, hw-suspect flag,
// action and mnemonic of every row are read from ../shared/data/nvidia/README.md.
const dir = sharedData('nvidia');
describe.skipIf(!dir)('XID_CATALOG against the README "Xid catalog" table', () => {
  // Read while collecting, since it.each needs the rows; vitest runs this body even when skipped.
  const readme = dir ? readFileSync(join(dir, 'README.md'), 'utf8') : '';
  const rows = readme
    .slice(readme.indexOf('## Xid catalog'))
    .split('\n')
    .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| ?| ?\|$/g, '').trim()))
    .filter((cells) => /^\d+(–\d+)?$/.test(cells[0] ?? ''));
  const expand = (cell: string): number[] => {
    const [from, to = from] = cell.split('–').map(Number) as [number, number?];
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  };
  // Rows whose action cell is a workflow or a caveat rather than one of our actions.
  const ACTION_BY_DECISION: Readonly<Record<number, XidAction>> = { 48: 'reset_gpu', 154: 'none', 159: 'restart_app', 160: 'reboot', ...Object.fromEntries(expand('144–150').map((x) => [x, 'reset_gpu'])) };
  const ACTION_WORDS: readonly [string, XidAction][] = [['none', 'none'], ['restart app', 'restart_app'], ['reset gpu', 'reset_gpu'], ['reboot', 'reboot'], ['inspect hardware', 'inspect_hardware']];

  it('finds the table', () => {
    expect(rows.flatMap((cells) => expand(cells[0]!))).toEqual(README_XIDS);
  });

  it.each(rows.map((cells) => [cells[0]!, cells] as const))('matches row %s', (_xid, [xids, mnemonic, , severity, action]) => {
    for (const xid of expand(xids!)) {
      const entry = describeXid(xid);
      if (!xids!.includes('–')) expect(entry.mnemonic).toBe(mnemonic);
      const rated = XID_SEVERITIES.find((s) => severity!.startsWith(s));
      // Rows without a base severity: 54 (hw-suspect only, ranked critical) and 160 (see note).
      if (rated) expect(entry.severity).toBe(rated);
      expect(entry.hardwareSuspect).toBe(severity!.includes('hw-suspect'));
      const suggested = ACTION_WORDS.find(([words]) => action!.toLowerCase().startsWith(words))?.[1];
      expect(entry.action).toBe(ACTION_BY_DECISION[xid] ?? suggested);
    }
  });
});

describe('describeXid', () => {
  it.each([0, 1, 171, 999, -5, Number.NaN])('treats Xid %s, which is not in the catalog, as critical hardware trouble', (xid) => {
    expect(describeXid(xid)).toMatchObject({ mnemonic: null, severity: 'critical', action: 'inspect_hardware', hardwareSuspect: true, note: expect.stringMatching(/not in the catalog/i) });
  });
});

describe('assessXid', () => {
  it.each<[string, XidEvent, XidSeverity, XidAction]>([
    ['lowers an NVLink 5 error marked Nonfatal to info', event(145, 'RLW_RXPIPE  Nonfatal XC0 i0 Link 05 (0x00000002 0x00000000)'), 'info', 'none'],
    ['lowers one spelled Non-fatal too', event(149, 'NETIR_LINK_EVT  Non-fatal XC0 i0 Link 01 (0x0)'), 'info', 'none'],
    ['keeps an NVLink 5 error marked Fatal critical', event(149, 'NETIR_LINK_EVT  Fatal   XC0 i0 Link 01 (0x021425c6 0x00000000 0x00000000 0x00000000 0x00000000 0x00000000)'), 'critical', 'reset_gpu'],
    ['keeps critical a line that says both Fatal and Nonfatal', event(146, 'TLW Nonfatal XC0 Link 02; TLW Fatal XC0 Link 03'), 'critical', 'reset_gpu'],
    ['keeps critical a line that says neither', event(144, 'SAW_MVB XC0 i0 (0x4)'), 'critical', 'reset_gpu'],
    ['ignores "Nonfatal" outside the NVLink 5 range', event(79, 'Nonfatal'), 'critical', 'reboot'],
    ['follows a recovery action changed to node reboot', event(154, 'GPU recovery action changed from 0x0 (None) to 0x2 (Node Reboot Required)'), 'critical', 'reboot'],
    ['follows a recovery action changed to GPU reset', event(154, 'GPU recovery action changed from 0x0 (None) to 0x1 (GPU Reset Required)'), 'critical', 'reset_gpu'],
    ['reads the new recovery action, not the old one', event(154, 'GPU recovery action changed from 0x1 (GPU Reset Required) to 0x0 (None)'), 'info', 'none'],
    ['leaves Xid 94 as the catalog rates it', event(94, 'Contained: SM (0x1). RST: No, D-RST: No'), 'app', 'restart_app'],
    ['keeps an unknown Xid critical', event(200, 'Nonfatal'), 'critical', 'inspect_hardware'],
  ])('%s', (_name, e, severity, action) => {
    expect(assessXid(e)).toMatchObject({ xid: e.xid, severity, action });
  });

  it('says in the note why it changed the catalog rating', () => {
    expect(assessXid(event(145, 'RLW Nonfatal')).note).toMatch(/Nonfatal/);
  });
});

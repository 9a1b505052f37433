import { join } from 'node:path';
import { degrees, syntheticRtt } from '@locus/geo';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { runLocus, tempFiles } from '../test-support.js';
import { HELP, parseGeoPlanArgs } from './geo-plan.js';

const at = (lat: number, lon: number) => ({ lat: degrees(lat), lon: degrees(lon) });
const LANDMARKS: Record<string, [string, number, number]> = { fra: ['DE', 50.11, 8.68], lon: ['GB', 51.51, -0.13], mad: ['ES', 40.42, -3.7] };
const CANDIDATES: Record<string, [string, number, number]> = { lis: ['PT', 38.72, -9.14], hel: ['FI', 60.2, 24.9], waw: ['PL', 52.25, 21.0] };
// Helsinki and Warsaw hosts reach Russia and Belarus with western landmarks only; Paris does not.
const HOSTS: Record<string, [number, number]> = { 'host-hel': [60.17, 24.94], 'host-waw': [52.23, 21.01], 'host-par': [48.86, 2.35] };

const places = (rows: Record<string, [string, number, number]>) =>
  `id,name,country,lat,lon\n${Object.entries(rows).map(([id, [c, lat, lon]]) => `${id},${id} site,${c},${lat},${lon}`).join('\n')}\n`;
const RTTS = `target,landmark,rtt_ms\n${Object.entries(HOSTS)
  .flatMap(([h, [hl, ho]]) => Object.entries(LANDMARKS).map(([l, [, ll, lo]]) => `${h},${l},${syntheticRtt(at(ll, lo), at(hl, ho)).toFixed(3)}`))
  .join('\n')}\n`;
const FILES = {
  'landmarks.csv': places(LANDMARKS),
  'candidates.csv': places(CANDIDATES),
  'hosts.csv': `id,lat,lon\n${Object.entries(HOSTS).map(([id, [lat, lon]]) => `${id},${lat},${lon}`).join('\n')}\n`,
  'rtts.csv': RTTS,
  'pairs.csv': 'a,b,rtt_ms\nfra,lon,9.5\nfra,mad,21\nlon,mad,18.2\n',
};
const files = (overrides: Record<string, string> = {}) => tempFiles({ ...FILES, ...overrides });
const args = (dir: string, extra: string[] = []) => [
  'geo', 'plan',
  '--landmarks', join(dir, 'landmarks.csv'),
  '--candidates', join(dir, 'candidates.csv'),
  '--hosts', join(dir, 'hosts.csv'),
  ...extra,
];

describe('parseGeoPlanArgs', () => {
  const base = ['--landmarks', 'l', '--candidates', 'c', '--hosts', 'h'];
  it('defaults to k = 10, vacuum, the standard restricted list and a table', () => {
    expect(parseGeoPlanArgs(base)).toMatchObject({ k: 10, speed: 'vacuum', marginKm: 25, format: 'table', rtts: undefined, quantile: undefined, restricted: ['CN', 'HK', 'MO', 'RU', 'IR', 'KP', 'SY', 'CU', 'BY'] });
  });

  it.each([
    [['--hosts', 'h'], /missing --landmarks FILE and --candidates FILE/],
    [[...base, '--k', '0'], /--k must be a whole number/],
    [[...base, '--k', '2.5'], /--k must be a whole number/],
    [[...base, '--format', 'jsonl'], /--format must be table or json/],
    [[...base, '--speed', '400'], /faster than light/],
    [[...base, '--quantile', '0.2'], /--quantile needs --landmark-rtts/],
    [[...base, '--landmark-rtts', 'p', '--quantile', '1'], /--quantile must be a number between 0 and 1/],
    [[...base, '--restricted', 'RU,QQ'], /unknown country code "QQ"/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseGeoPlanArgs(argv)).toThrow(CliError);
    expect(() => parseGeoPlanArgs(argv)).toThrow(message);
  });
});

describe('locus geo plan', () => {
  it('prints one JSON document: the sites that flip hosts, in pick order, and why the rest stay uncovered', async () => {
    const dir = files();
    const r = await runLocus(args(dir, ['--rtts', join(dir, 'rtts.csv'), '--format', 'json', '--k', '3']));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      chosen: { id: string; name: string; predictedNewlyExcluded: string[]; gain: number }[];
      predictedExcluded: { before: number; after: number; hosts: number };
      uncovered: { id: string; reason: string }[];
      model: { prediction: string; global: { samples: number } };
    };
    expect(Object.keys(doc)).toEqual(['chosen', 'predictedExcluded', 'uncovered', 'model']);
    expect(doc.predictedExcluded).toEqual({ before: 1, after: 3, hosts: 3 });
    expect(doc.chosen.slice(0, 2).map((c) => c.id).sort()).toEqual(['hel', 'waw']);
    expect(doc.chosen.map((c) => c.id)).not.toContain('lis');
    expect(doc.chosen[0]).toMatchObject({ name: `${doc.chosen[0]!.id} site`, gain: 1 });
    expect(doc.chosen.flatMap((c) => c.predictedNewlyExcluded).sort()).toEqual(['host-hel', 'host-waw']);
    expect(doc.uncovered).toEqual([]);
    expect(doc.model.prediction).toBe('per-host');
    expect(doc.model.global.samples).toBe(990);
  });

  it('says why a host stays uncovered when k runs out', async () => {
    const dir = files();
    const r = await runLocus(args(dir, ['--rtts', join(dir, 'rtts.csv'), '--format', 'json', '--k', '1']));
    const doc = JSON.parse(r.stdout) as { chosen: unknown[]; uncovered: { id: string; reason: string }[] };
    expect(doc.chosen).toHaveLength(1);
    expect(doc.uncovered).toHaveLength(1);
    expect(doc.uncovered[0]!.reason).toMatch(/^touches (RU|BY)/);
    expect(doc.uncovered[0]!.reason).toMatch(/would likely exclude it, but the 1 sites went to hosts with more to gain/);
  });

  it('plans from the global model without --rtts, and fits it on --landmark-rtts when given', async () => {
    const dir = files();
    const r = await runLocus(args(dir, ['--format', 'json', '--landmark-rtts', join(dir, 'pairs.csv'), '--quantile', '0.5']));
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { model: { prediction: string; global: { samples: number; quantile: number } } };
    expect(doc.model.prediction).toBe('global');
    expect(doc.model.global).toMatchObject({ samples: 3, quantile: 0.5 });
  });

  it('prints a table for a person', async () => {
    const dir = files();
    const r = await runLocus(args(dir, ['--rtts', join(dir, 'rtts.csv')]));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^predicted restricted: excluded for 1 of 3 hosts now, 3 with the \d sites? below/);
    expect(r.stdout).toMatch(/ 1\. (hel|waw) \1 site {2}\+1 excluded: host-(hel|waw)/);
    expect(r.stdout).toMatch(/predictions are for planning only/);
  });

  it('shows a control character in a site or host id as \\uXXXX in the table, never raw', async () => {
    const rename = (text: string) => text.replaceAll('hel', 'h\x1b]0;x\x07el');
    const dir = files({ 'candidates.csv': rename(FILES['candidates.csv']), 'hosts.csv': rename(FILES['hosts.csv']), 'rtts.csv': rename(RTTS) });
    const r = await runLocus(args(dir, ['--rtts', join(dir, 'rtts.csv')]));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x07');
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout).toContain('host-h\\u001b]0;x\\u0007el');
  });

  it('warns about hosts without RTTs and plans them from the global model', async () => {
    const dir = files({ 'rtts.csv': RTTS.split('\n').filter((l) => !l.startsWith('host-par')).join('\n') });
    const r = await runLocus(args(dir, ['--rtts', join(dir, 'rtts.csv'), '--format', 'json']));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: 1 host \(host-par\) have no RTTs/);
  });

  it('never changes a verdict: geo verify prints the same before and after a plan, and the plan starts from its verdicts', async () => {
    const dir = files();
    const verify = ['geo', 'verify', '--landmarks', join(dir, 'landmarks.csv'), '--rtts', join(dir, 'rtts.csv')];
    const before = await runLocus(verify);
    const plan = await runLocus(args(dir, ['--rtts', join(dir, 'rtts.csv'), '--format', 'json']));
    const after = await runLocus(verify);
    expect(after).toEqual(before);
    const excluded = before.stdout.trim().split('\n').filter((l) => (JSON.parse(l) as { restricted: string }).restricted === 'excluded').length;
    expect((JSON.parse(plan.stdout) as { predictedExcluded: { before: number } }).predictedExcluded.before).toBe(excluded);
  });

  it('prints its help', async () => {
    const r = await runLocus(['geo', 'plan', '--help']);
    expect(r.stdout).toBe(HELP);
  });

  describe('on bad input, exits 2 with a coded message naming the file and line', () => {
    it.each([
      ['an RTT target not in the hosts file', { 'rtts.csv': `${RTTS}ghost,fra,3\n` }, 'LOCUS_ERR_INPUT_REFERENCE', /rtts\.csv line 11: target "ghost" is not in .*hosts\.csv/],
      ['an RTT landmark not in the landmarks file', { 'rtts.csv': `${RTTS}host-par,lis,3\n` }, 'LOCUS_ERR_INPUT_REFERENCE', /rtts\.csv line 11: landmark "lis" is not in .*landmarks\.csv/],
      ['a host latitude out of range', { 'hosts.csv': 'id,lat,lon\nh,91,0\n' }, 'LOCUS_ERR_INPUT_VALUE', /hosts\.csv line 2: lat "91"/],
      ['a duplicate host', { 'hosts.csv': 'id,lat,lon\nh,1,0\nh,2,0\n' }, 'LOCUS_ERR_INPUT_CONFLICT', /hosts\.csv line 3: host id "h" is already defined on line 2/],
      ['an unknown host country', { 'hosts.csv': 'id,lat,lon,country\nh,1,0,Narnia\n' }, 'LOCUS_ERR_INPUT_VALUE', /hosts\.csv line 2: unknown country code "Narnia"/],
      ['a candidate without coordinates', { 'candidates.csv': 'id,name,country,lat,lon\nx,X,FI,,\n' }, 'LOCUS_ERR_INPUT_VALUE', /candidates\.csv line 2: lat ""/],
      ['a landmark pair with an unknown landmark', { 'pairs.csv': 'a,b,rtt_ms\nfra,zzz,3\n' }, 'LOCUS_ERR_INPUT_REFERENCE', /pairs\.csv line 2: landmark "zzz" is not in/],
      ['a hosts file without rows', { 'hosts.csv': 'id,lat,lon\n' }, 'LOCUS_ERR_INPUT_EMPTY', /hosts\.csv: no hosts after the header/],
      // Frankfurt–London, ~640 km: no less than 4.27 ms even in vacuum.
      ['a landmark pair faster than light', { 'pairs.csv': 'a,b,rtt_ms\nfra,mad,21\nlon,fra,4.1\n' }, 'LOCUS_ERR_INPUT_VALUE', /pairs\.csv line 3: lon–fra in 4\.1 ms is faster than light in vacuum over the ~6\d\d km between them \(at least 4\.\d\d ms\)\nCheck both landmarks' positions/],
    ])('for %s', async (_, overrides, code, message) => {
      const dir = files(overrides);
      const r = await runLocus(args(dir, ['--rtts', join(dir, 'rtts.csv'), '--landmark-rtts', join(dir, 'pairs.csv')]));
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(`locus: error ${code}: `)).toBe(true);
      expect(r.stderr).toMatch(message);
    });
  });
});

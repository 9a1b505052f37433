import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { runLocus, tempFiles } from '../test-support.js';
import { HELP, parseGeoVerifyArgs } from './geo-verify.js';

const LANDMARKS = 'id,name,country,lat,lon\nfra,Frankfurt,DE,50.1109,8.6821\nsin,Singapore,SG,1.3521,103.8198\ntyo,Tokyo,JP,35.6762,139.6503\n';
const RTTS = 'target,landmark,rtt_ms\nhost-a,fra,0.9\nhost-a,fra,0.5\nhost-a,sin,160\nhost-b,sin,2\nhost-b,tyo,70\nhost-c,tyo,300\n';
const CLAIMS = 'target,country\nhost-a,DE\nhost-b,sg\n';

const files = (overrides: Record<string, string> = {}) => tempFiles({ 'landmarks.csv': LANDMARKS, 'rtts.csv': RTTS, 'claims.csv': CLAIMS, ...overrides });
const args = (dir: string, extra: string[] = []) => ['geo', 'verify', '--landmarks', join(dir, 'landmarks.csv'), '--rtts', join(dir, 'rtts.csv'), '--claims', join(dir, 'claims.csv'), ...extra];

describe('parseGeoVerifyArgs', () => {
  it('defaults to vacuum, the standard restricted list, jsonl and a 25 km margin', () => {
    expect(parseGeoVerifyArgs(['--landmarks', 'l.csv', '--rtts', 'r.csv'])).toEqual({
      landmarks: 'l.csv',
      rtts: 'r.csv',
      claims: undefined,
      restricted: ['CN', 'HK', 'MO', 'RU', 'IR', 'KP', 'SY', 'CU', 'BY'],
      speed: 'vacuum',
      marginKm: 25,
      format: 'jsonl',
    });
  });

  it.each([
    [['--speed', 'fiber'], { speed: 'fiber' }],
    [['--speed', '150'], { speed: 150 }],
    [['--restricted', 'cn, ru,CN'], { restricted: ['CN', 'RU'] }],
    [['--restricted', ''], { restricted: [] }],
    [['--format', 'table'], { format: 'table' }],
    [['--margin-km', '0'], { marginKm: 0 }],
  ])('accepts %j', (extra, expected) => {
    expect(parseGeoVerifyArgs(['--landmarks', 'l.csv', '--rtts', 'r.csv', ...extra])).toMatchObject(expected);
  });

  it.each([
    [['--rtts', 'r.csv'], /missing --landmarks FILE/],
    [[], /missing --landmarks FILE and --rtts FILE/],
    [['--landmarks', 'l', '--rtts', 'r', '--speed', '400'], /faster than light/],
    [['--landmarks', 'l', '--rtts', 'r', '--speed', 'warp'], /--speed: speed must be/],
    [['--landmarks', 'l', '--rtts', 'r', '--format', 'xml'], /--format must be jsonl or table/],
    [['--landmarks', 'l', '--rtts', 'r', '--margin-km=-1'], /--margin-km must be/],
    [['--landmarks', 'l', '--rtts', 'r', '--margin-km', 'lots'], /--margin-km must be/],
    [['--landmarks', 'l', '--rtts', 'r', '--restricted', 'CN,ZZ'], /unknown country code "ZZ"/],
    [['--landmarks', 'l', '--rtts', 'r', '--bogus'], /Unknown option '--bogus'/],
    [['--landmarks', 'l', '--rtts', 'r', 'extra'], /Unexpected argument 'extra'/],
    [['--landmarks'], /argument missing/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseGeoVerifyArgs(argv)).toThrow(CliError);
    expect(() => parseGeoVerifyArgs(argv)).toThrow(message);
  });
});

describe('locus geo verify', () => {
  it('prints one JSON line per target, in first-seen order, with exactly the published keys', async () => {
    const r = await runLocus(args(files()));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.target)).toEqual(['host-a', 'host-b', 'host-c']);
    expect(Object.keys(lines[0]!)).toEqual(['target', 'claimed', 'claim', 'restricted', 'possibleCountries', 'areaKm2', 'radiusKm', 'estimate', 'countryEstimate']);
    expect(lines[0]).toMatchObject({ claimed: 'DE', claim: 'verified', restricted: 'excluded', possibleCountries: ['DE'], countryEstimate: 'DE' });
    expect(lines[1]).toMatchObject({ claimed: 'SG', restricted: 'excluded' });
    expect(lines[2]).toMatchObject({ claimed: null, claim: null, restricted: 'possible' });
    expect(lines[0]!.radiusKm).toBeCloseTo(75, 0);
  });

  it('marks an empty region', async () => {
    const dir = files({ 'rtts.csv': 'target,landmark,rtt_ms\nliar,fra,1\nliar,tyo,1\n', 'claims.csv': 'target,country\nliar,DE\n' });
    const line = JSON.parse((await runLocus(args(dir))).stdout) as Record<string, unknown>;
    expect(line).toEqual({
      target: 'liar',
      claimed: 'DE',
      claim: 'contradicted',
      restricted: 'possible',
      possibleCountries: [],
      areaKm2: 0,
      radiusKm: null,
      estimate: null,
      countryEstimate: null,
      empty: true,
    });
  });

  it('prints a table with a summary', async () => {
    const r = await runLocus(args(files(), ['--format', 'table']));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^target\s+claimed\s+claim\s+restricted/);
    expect(r.stdout).toMatch(/restricted countries: 2 excluded, 1 possible, 0 certain/);
    expect(r.stdout).toMatch(/claims: 1 verified, 1 consistent, 0 contradicted/);
  });

  it('shows a control character in a target id as \\uXXXX in the table, never raw', async () => {
    const r = await runLocus(args(files({ 'rtts.csv': RTTS.replaceAll('host-c', 'host-\x1b[2Jc'), 'claims.csv': 'target,country\n' }), ['--format', 'table']));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout).toMatch(/^host-\\u001b\[2Jc +- +- +possible/m);
  });

  it('warns about the fiber model in the table', async () => {
    expect((await runLocus(args(files(), ['--format', 'table', '--speed', 'fiber']))).stdout).toMatch(/is not a physical bound/);
  });

  it('warns about a claim for a target without RTTs, and still answers', async () => {
    const r = await runLocus(args(files({ 'claims.csv': 'target,country\nhost-a,DE\nghost,FR\n' })));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*claims\.csv line 3: target "ghost" has no RTTs/);
  });

  it('runs without a claims file', async () => {
    const dir = files();
    const r = await runLocus(['geo', 'verify', '--landmarks', join(dir, 'landmarks.csv'), '--rtts', join(dir, 'rtts.csv')]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('prints its help', async () => {
    const r = await runLocus(['geo', 'verify', '--help']);
    expect(r.stdout).toBe(HELP);
    expect(HELP).toMatch(/--landmarks FILE[\s\S]*--rtts FILE[\s\S]*--claims FILE[\s\S]*--restricted[\s\S]*--speed[\s\S]*--format/);
  });

  describe('on bad input, exits 2 with one coded message naming the file and line, and prints no result', () => {
    it.each([
      ['a missing file', { remove: 'rtts.csv' }, 'LOCUS_ERR_INPUT_FILE', /cannot read RTTs file .*rtts\.csv: no such file/],
      ['an unknown landmark id', { 'rtts.csv': 'target,landmark,rtt_ms\nh,fra,1\nh,xyz,2\n' }, 'LOCUS_ERR_INPUT_REFERENCE', /rtts\.csv line 3: landmark "xyz" is not in .*landmarks\.csv/],
      ['a negative RTT', { 'rtts.csv': 'target,landmark,rtt_ms\nh,fra,-1\n' }, 'LOCUS_ERR_INPUT_VALUE', /rtts\.csv line 2: rtt_ms "-1" must be a non-negative number/],
      ['a non-numeric RTT', { 'rtts.csv': 'target,landmark,rtt_ms\nh,fra,fast\n' }, 'LOCUS_ERR_INPUT_VALUE', /rtts\.csv line 2: rtt_ms "fast"/],
      ['an empty RTT', { 'rtts.csv': 'target,landmark,rtt_ms\nh,fra,\n' }, 'LOCUS_ERR_INPUT_VALUE', /rtts\.csv line 2: rtt_ms ""/],
      ['a hex RTT', { 'rtts.csv': 'target,landmark,rtt_ms\nh,fra,0x10\n' }, 'LOCUS_ERR_INPUT_VALUE', /rtts\.csv line 2/],
      ['an unknown country in claims', { 'claims.csv': 'target,country\nhost-a,XX\n' }, 'LOCUS_ERR_INPUT_VALUE', /claims\.csv line 2: unknown country code "XX"/],
      ['an unknown landmark country', { 'landmarks.csv': 'id,name,country,lat,lon\nfra,Frankfurt,Germany,50,8\n' }, 'LOCUS_ERR_INPUT_VALUE', /landmarks\.csv line 2: unknown country code "Germany"/],
      ['a latitude out of range', { 'landmarks.csv': 'id,name,country,lat,lon\nfra,Frankfurt,DE,95,8\n' }, 'LOCUS_ERR_INPUT_VALUE', /landmarks\.csv line 2: lat "95" must be a number of degrees from -90 to 90/],
      ['a malformed CSV row', { 'rtts.csv': 'target,landmark,rtt_ms\nh,fra,1\nh,sin\n' }, 'LOCUS_ERR_INPUT_CSV', /rtts\.csv line 3: malformed CSV/],
      ['an unclosed quote', { 'claims.csv': 'target,country\n"host-a,DE\n' }, 'LOCUS_ERR_INPUT_CSV', /claims\.csv line 2: malformed CSV/],
      ['a wrong header', { 'rtts.csv': 'host,landmark,ms\nh,fra,1\n' }, 'LOCUS_ERR_INPUT_CSV', /rtts\.csv line 1: header lacks columns "target", "rtt_ms"/],
      ['an empty file', { 'landmarks.csv': '' }, 'LOCUS_ERR_INPUT_CSV', /landmarks\.csv: the file is empty/],
      ['a header without rows', { 'rtts.csv': 'target,landmark,rtt_ms\n' }, 'LOCUS_ERR_INPUT_EMPTY', /rtts\.csv: no RTTs after the header/],
      ['a duplicate landmark', { 'landmarks.csv': `${LANDMARKS}fra,Frankfurt 2,DE,50,8\n` }, 'LOCUS_ERR_INPUT_CONFLICT', /landmarks\.csv line 5: landmark id "fra" is already defined on line 2/],
      ['conflicting claims', { 'claims.csv': 'target,country\nhost-a,DE\nhost-a,FR\n' }, 'LOCUS_ERR_INPUT_CONFLICT', /claims\.csv line 3: target "host-a" claims FR but line 2 claims DE/],
    ])('for %s', async (_, change, code, message) => {
      const { remove, ...overrides } = change as Record<string, string>;
      const dir = files(remove ? {} : overrides);
      if (remove) (await import('node:fs')).rmSync(join(dir, remove));
      const r = await runLocus(args(dir));
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(`locus: error ${code}: `)).toBe(true);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it('for a directory given as a file', async () => {
      const dir = files();
      const r = await runLocus(['geo', 'verify', '--landmarks', dir, '--rtts', join(dir, 'rtts.csv')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/LOCUS_ERR_INPUT_FILE: cannot read landmarks file .*: it is a directory/);
    });
  });
});

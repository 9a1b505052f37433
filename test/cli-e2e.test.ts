import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sharedData } from './support/shared-data.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const bin = join(root, 'apps/cli/bin/locus.js');

function locus(args: string[], command = process.execPath, prefix = [bin]) {
  const r = spawnSync(command, [...prefix, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the built locus command', () => {
  it('is built (npm install or npm run build does it)', () => {
    expect(existsSync(join(root, 'apps/cli/dist/main.js'))).toBe(true);
  });

  it('runs from the repository root as `npx --no-install locus`', () => {
    const r = locus(['--help'], 'npx', ['--no-install', 'locus']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/geo verify/);
  });

  it('exits 2 on bad input without a stack trace', () => {
    const r = locus(['geo', 'verify', '--landmarks', 'nope.csv', '--rtts', 'nope.csv']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^locus: error LOCUS_ERR_INPUT_FILE: cannot read landmarks file nope\.csv: no such file\n/);
  });

  it('runs the offline demo, and every verdict holds for where the host really is', () => {
    const r = locus(['demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Checked against where each host really is/);
    expect(r.stdout).not.toMatch(/WRONG/);
    expect(r.stdout.match(/^ {2}ok /gm)).toHaveLength(9);
  });

  const wonderproxy = sharedData('wonderproxy');
  it.skipIf(!wonderproxy)('verifies the WonderProxy dev split, one line per host', () => {
    const dir = wonderproxy!;
    const files = ['--landmarks', join(dir, 'landmarks.csv'), '--rtts', join(dir, 'dev/rtts.csv'), '--claims', join(dir, 'dev/claims.csv')];
    const r = locus(['geo', 'verify', ...files]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { restricted: string; possibleCountries: string[] });
    expect(lines).toHaveLength(107);
    expect(lines.filter((l) => l.restricted === 'excluded')).toHaveLength(47);
    const table = locus(['geo', 'verify', ...files, '--format', 'table', '--speed', 'fiber']);
    expect(table.stdout).toMatch(/restricted countries: 60 excluded, 47 possible, 0 certain/);
  });

  it.skipIf(!wonderproxy)('maps the coverage of the WonderProxy landmarks and plans from it', () => {
    const dir = wonderproxy!;
    const out = join(mkdtempSync(join(tmpdir(), 'locus-e2e-')), 'coverage.geojson');
    const r = locus(['geo', 'coverage', '--landmarks', join(dir, 'landmarks.csv'), '--out', out, '--step', '5']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/covered: \d+\.\d% of land outside restricted countries/);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { features: unknown[] }).features).toHaveLength(3);
    const plan = locus(['geo', 'plan', '--landmarks', join(dir, 'landmarks.csv'), '--candidates', join(dir, 'landmarks.csv'), '--hosts', join(dir, 'dev/targets.csv'), '--format', 'json', '--k', '2']);
    expect(plan.code).toBe(0);
    expect((JSON.parse(plan.stdout) as { predictedExcluded: { hosts: number } }).predictedExcluded.hosts).toBe(107);
  });
});

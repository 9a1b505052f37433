import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The standalone agent bundle (`npm run build:agent`) runs from a copy outside the checkout,
 * where no node_modules of the monorepo can be found: it needs nothing but Node.
 */
const root = resolve(fileURLToPath(import.meta.url), '../..');
let copy: string;
/** The source files the bundle holds, as esbuild names them (relative to the checkout). */
let inputs: string[];
beforeAll(() => {
  const meta = join(mkdtempSync(join(tmpdir(), 'locus-bundle-meta-')), 'meta.json');
  execFileSync('npm', ['run', '--silent', 'build:agent', '--', '--metafile', meta], { cwd: root, stdio: 'pipe' });
  inputs = Object.keys((JSON.parse(readFileSync(meta, 'utf8')) as { inputs: Record<string, unknown> }).inputs);
  copy = join(mkdtempSync(join(tmpdir(), 'locus-bundle-')), 'locus-agent');
  cpSync(join(root, 'dist/locus-agent'), copy, { recursive: true });
}, 120_000);

const run = (args: string[], env: Record<string, string> = {}) => spawnSync(join(copy, 'bin/locus'), args, { encoding: 'utf8', cwd: tmpdir(), env: { PATH: process.env.PATH!, LOCUS_NODE: process.execPath, ...env } });
const sizeOf = (path: string): number => (statSync(path).isDirectory() ? readdirSync(path).reduce((n, f) => n + sizeOf(join(path, f)), 0) : statSync(path).size);

describe('the standalone agent bundle', () => {
  it('scans a simulated 8×H100 host from a copy outside the repository', () => {
    const state = mkdtempSync(join(tmpdir(), 'locus-bundle-state-'));
    const r = spawnSync(process.execPath, [join(copy, 'locus-agent.mjs'), 'agent', 'scan', '--simulate', '8xH100', '--json', '--state-dir', state], { encoding: 'utf8', cwd: tmpdir() });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { source: string; health: string; gpus: { name: string; health: string }[] };
    expect(report.source).toBe('simulator');
    expect(report.gpus).toHaveLength(8);
    expect(new Set(report.gpus.map((g) => g.name))).toEqual(new Set(['NVIDIA H100 80GB HBM3']));
  });

  it('runs through its launcher, holds every agent command and only those', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const command of ['scan', 'enroll', 'run', 'status', 'show-payload', 'unenroll', 'precheck', 'bench', 'inject-fault']) expect(help.stdout).toMatch(new RegExp(`^  agent ${command} `, 'm'));
    expect(help.stderr).toBe('');
    const other = run(['geo', 'verify', '--landmarks', 'x']);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/only the `locus agent` commands/);
  });

  const hasNvidiaSmi = spawnSync('nvidia-smi', ['-L']).error === undefined;
  it.skipIf(hasNvidiaSmi)('loads NVML through its own koffi, and says clearly when the library is absent', () => {
    const r = run(['agent', 'scan', '--state-dir', mkdtempSync(join(tmpdir(), 'locus-bundle-state-'))], { LOCUS_NVML_LIBRARY: join(tmpdir(), 'absent', 'libnvidia-ml.so.1') });
    expect(r.status).toBe(1);
    // Loading koffi under the launcher's V8 flags prints no warning.
    expect(r.stderr).toMatch(/^locus: error LOCUS_ERR_NO_GPU: .*libnvidia-ml\.so\.1 does not load \(.*\), and nvidia-smi is not on PATH/);
  });

  it('holds neither the geo engine, with its list of countries, nor the landmark, nor a query builder: the agent commands do not import them', () => {
    expect(inputs).toContain('apps/agent/src/daemon.ts');
    // Kysely: the outbox's SQL is prepared statements (its module loaded cost the daemon memory).
    expect(inputs.filter((p) => /^(packages\/geo|apps\/landmark|apps\/cli\/src\/geo)\/|node_modules\/(i18n-iso-countries|csv-parse|kysely)\//.test(p))).toEqual([]);
    // The country names that came with the list: resident in the daemon had they been bundled.
    expect(readFileSync(join(copy, 'locus-agent.mjs'), 'utf8')).not.toMatch(/Afghanistan/);
  });

  it("holds zod's English messages only, the ones it says its refusals in", () => {
    const locales = inputs.filter((p) => /node_modules\/zod\/v4\/locales\/(?!index\.js$)/.test(p));
    expect(locales.map((p) => p.replace(/.*\//, ''))).toEqual(['en.js']);
    // English is zod's default configuration, and the bundle's refusals read in it.
    expect(readFileSync(join(copy, 'locus-agent.mjs'), 'utf8')).toMatch(/Invalid input: expected/);
  });

  it('stays under its documented size, and says so in its manifest', () => {
    const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as { bytes: number; limitBytes: number; platform: string };
    expect(manifest.limitBytes).toBe(20 * 1024 * 1024);
    expect(sizeOf(copy)).toBeLessThanOrEqual(manifest.limitBytes);
    expect(manifest.platform).toBe(`${process.platform}-${process.arch}`);
    expect(readdirSync(copy).sort()).toEqual(['README.md', 'bin', 'locus-agent.mjs', 'locus-agent.service', 'manifest.json', 'node_modules']);
  });
});

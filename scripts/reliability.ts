/**
 * `npm run test:reliability [-- --quick]`: runs the reliability and security suites
 * (vitest.reliability.config.ts), then prints what they measured as a table and as one JSON
 * line. `--quick` is the bounded form CI runs; the full form is what docs/reliability.md quotes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFigures, type Figures } from '../test/reliability/figures.js';

const args = process.argv.slice(2);
const isQuick = args.includes('--quick');
const passOn = args.filter((a) => a !== '--quick');
const out = mkdtempSync(join(tmpdir(), 'locus-reliability-'));
const started = performance.now();
const vitest = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.reliability.config.ts', ...passOn], {
  stdio: 'inherit',
  env: { ...process.env, LOCUS_RELIABILITY_OUT: out, LOCUS_RELIABILITY_QUICK: isQuick ? '1' : '0' },
});
const wallS = Math.round((performance.now() - started) / 100) / 10;
const figures = collectFigures(out);
rmSync(out, { recursive: true, force: true });

const rows = Object.entries(figures).flatMap(([suite, f]) => Object.entries(f).map(([name, value]) => [suite, name, String(value)] as const));
const width = (i: number): number => Math.max(...rows.map((r) => r[i]!.length), ['suite', 'figure', 'value'][i]!.length);
const line = (r: readonly string[]): string => r.map((c, i) => c.padEnd(width(i))).join('  ');
console.log(`\nreliability ${isQuick ? 'quick' : 'full'} run, ${wallS} s, vitest exit ${vitest.status}`);
console.log(line(['suite', 'figure', 'value']));
for (const r of rows) console.log(line(r));

/** The headline figures first, then every suite's own. */
const num = (suite: string, name: string): number | undefined => {
  const v = figures[suite]?.[name];
  return typeof v === 'number' ? v : undefined;
};
const fuzzCases: Record<string, Figures[string]> = {};
for (const [suite, f] of Object.entries(figures)) if (suite.startsWith('fuzz')) for (const [k, v] of Object.entries(f)) if (k.startsWith('cases.')) fuzzCases[k.slice(6)] = v;
const summary = {
  run: isQuick ? 'quick' : 'full',
  wallS,
  ok: vitest.status === 0,
  batchesAcked: num('crash-server', 'batchesAcked'),
  batchesLost: num('crash-server', 'batchesLost'),
  duplicates: num('crash-server', 'duplicates'),
  fuzzCases,
  attacksRejected: num('forgery', 'rejected'),
  attacksTotal: num('forgery', 'attacks'),
  isolationRoutesChecked: num('isolation', 'routesChecked'),
  loadP99Ms: num('load', 'p99Ms'),
  loadShedRate: num('load', 'shedRate'),
  suites: figures,
};
console.log(JSON.stringify(summary));
process.exit(vitest.status ?? 1);

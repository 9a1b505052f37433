/**
 * `npm run bench [-- --quick] [--out FILE] [--no-scaling]`: runs every `bench:*` script of
 * package.json one after the other (so that they do not compete for the cores), each with
 * `--quick` when given, then the fleet-size runs (`--fleet-gpus N`), and writes
 * bench/RESULTS.md. Each benchmark's last stdout line is its figures as one JSON object; the
 * last line this prints is one JSON object with all of them.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FLEET_GPUS, SCALING, benchScripts, parseFigures, renderResults, summaryJson, type BenchRun, type Machine, type ScalingRun } from './bench-report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let values: { quick?: boolean; out?: string; 'no-scaling'?: boolean };
try {
  ({ values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, out: { type: 'string', default: 'bench/RESULTS.md' }, 'no-scaling': { type: 'boolean', default: false } } }));
} catch (e) {
  console.error(`${(e as Error).message}\nusage: npm run bench [-- --quick] [--out FILE] [--no-scaling]`);
  process.exit(2);
}
const quick = values.quick === true;
/**
 * A benchmark that runs past this is stopped and run once more; a second time, reported as
 * failed. Every benchmark takes a fraction of it (a quick one under a minute, a full one under
 * four): a run this long is stuck. bench:ingest was, about one run in ten, until
 * generateSigningKey stopped exporting keys that shared a mutex with their generation job (see
 * it); the limit stays for what else may block a process for good.
 */
const limitMs = (quick ? 5 : 20) * 60_000;
/** After SIGTERM, how long a stuck benchmark has before SIGKILL: a blocked thread runs no handler. */
const KILL_AFTER_MS = 5_000;

/** The benchmark running now: Ctrl-C stops its whole process group too (it runs detached). */
let running: number | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (running !== undefined) process.kill(-running, 'SIGTERM');
    console.error(`\nbench: stopped by ${signal}; ${values.out} not written`);
    process.exit(130);
  });
}

/** Runs one npm script in its own process group, echoing its output indented; resolves with what it printed. */
function runScript(script: string, args: readonly string[]): Promise<{ stdout: string; code: number | null; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running = child.pid;
    let stdout = '';
    let timedOut = false;
    const echo = (chunk: Buffer, into?: 'stdout') => {
      const text = chunk.toString('utf8');
      if (into) stdout += text;
      process.stdout.write(text.replace(/^(?=.)/gm, '    '));
    };
    child.stdout.on('data', (c: Buffer) => echo(c, 'stdout'));
    child.stderr.on('data', (c: Buffer) => echo(c));
    let killer: NodeJS.Timeout | undefined;
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, name);
      } catch {
        // The group has already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      signal('SIGTERM');
      killer = setTimeout(() => signal('SIGKILL'), KILL_AFTER_MS);
    }, limitMs);
    child.on('close', (code) => {
      running = undefined;
      clearTimeout(timer);
      clearTimeout(killer);
      resolve({ stdout, code, timedOut });
    });
  });
}

async function measure(script: string, args: readonly string[]): Promise<BenchRun> {
  let t = performance.now();
  let { stdout, code, timedOut } = await runScript(script, args);
  if (timedOut) {
    console.log(`    (stopped after ${limitMs / 60_000} min: a stuck run; running it once more)`);
    t = performance.now();
    ({ stdout, code, timedOut } = await runScript(script, args));
  }
  const wallS = (performance.now() - t) / 1000;
  if (timedOut) return { script, args, wallS, result: { error: `stopped after ${limitMs / 60_000} min, twice` } };
  if (code !== 0) return { script, args, wallS, result: { error: `exited with ${code}` } };
  return { script, args, wallS, result: parseFigures(stdout) };
}

const machine: Machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: totalmem() / 2 ** 30,
  node: process.version,
  os: `${type()} ${release()}`,
  loadAtStart: loadavg()[0]!,
  date: new Date().toISOString(),
};
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts?: Record<string, string> };
const scripts = benchScripts(pkg);
const scaling = values['no-scaling'] ? [] : SCALING.filter((s) => scripts.includes(s.script));
const steps = scripts.length + scaling.length * FLEET_GPUS.length;
const extra = quick ? ['--quick'] : [];
const started = performance.now();
let step = 0;
const progress = (what: string) => console.log(`\n[${++step}/${steps}] ${what}  (${((performance.now() - started) / 60_000).toFixed(1)} min so far)`);

// bench:agent measures the running daemon from the standalone bundle, which GPU hosts run: built
// now from this checkout, so that it is neither missing (the checkout's CLI would run instead,
// with about 6 MB more resident) nor stale.
if (scripts.includes('bench:agent')) {
  console.log('\nnpm run build:agent (the bundle bench:agent runs)');
  const built = await runScript('build:agent', []);
  if (built.code !== 0) {
    console.error(`bench: npm run build:agent ${built.timedOut ? 'did not finish' : `exited with ${built.code}`}; ${values.out} not written`);
    process.exit(1);
  }
}

const benches: BenchRun[] = [];
for (const script of scripts) {
  progress(`npm run ${script}${quick ? ' -- --quick' : ''}`);
  benches.push(await measure(script, extra));
}
const scaled: ScalingRun[] = [];
for (const { area, script } of scaling) {
  for (const gpus of FLEET_GPUS) {
    const args = [...extra, '--fleet-gpus', String(gpus)];
    progress(`${area} at ${gpus.toLocaleString('en-US')} GPUs: npm run ${script} -- ${args.join(' ')}`);
    scaled.push({ area, gpus, ...(await measure(script, args)) });
  }
}

const report = {
  quick,
  machine,
  benches,
  scaling: scaled,
  missing: values['no-scaling'] ? [] : SCALING.filter((s) => !scripts.includes(s.script)),
  wallS: (performance.now() - started) / 1000,
};
writeFileSync(resolve(root, values.out!), renderResults(report));
const failed = [...benches, ...scaled].filter((r) => 'error' in r.result);
console.log(`\nwrote ${values.out} in ${(report.wallS / 60).toFixed(1)} min${failed.length ? `; FAILED: ${failed.map((f) => `${f.script} ${f.args.join(' ')}`).join(', ')}` : ''}`);
console.log(summaryJson(report));
process.exitCode = failed.length ? 1 : 0;

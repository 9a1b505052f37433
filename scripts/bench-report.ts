/**
 * The pure half of `npm run bench`: reading each benchmark's last stdout line as its figures,
 * and writing bench/RESULTS.md from them. No I/O here, so that a test can feed it fake output.
 */

/** The fleet sizes of the scaling table, in GPUs. */
export const FLEET_GPUS = [1_000, 10_000, 100_000] as const;

/** Benchmarks that take `--fleet-gpus N` and what their figures then measure. */
export const SCALING = [
  { area: 'ingest', script: 'bench:ingest' },
  { area: 'verification', script: 'bench:geo' },
  { area: 'dashboard queries', script: 'bench:dashboard' },
] as const;

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** One-minute load average when the run began: other work on the machine skews every figure. */
  readonly loadAtStart: number;
  readonly date: string;
}

export interface BenchRun {
  readonly script: string;
  readonly args: readonly string[];
  readonly wallS: number;
  /** The parsed last line, or why there is none. */
  readonly result: { readonly figures: Record<string, unknown> } | { readonly error: string };
}

export interface ScalingRun extends BenchRun {
  readonly area: string;
  readonly gpus: number;
}

export interface Report {
  readonly quick: boolean;
  readonly machine: Machine;
  readonly benches: readonly BenchRun[];
  /** Absent areas are listed with the reason. */
  readonly scaling: readonly ScalingRun[];
  readonly missing: readonly { readonly area: string; readonly script: string }[];
  readonly wallS: number;
}

/** The `bench:*` scripts of a package.json, in its order. */
export function benchScripts(pkg: { scripts?: Record<string, string> }): string[] {
  return Object.keys(pkg.scripts ?? {}).filter((name) => /^bench:[\w-]+$/.test(name));
}

/** A benchmark's figures: its last non-empty stdout line, which must be one JSON object. */
export function parseFigures(stdout: string): { figures: Record<string, unknown> } | { error: string } {
  const last = stdout.trimEnd().split('\n').at(-1)?.trim() ?? '';
  if (last === '') return { error: 'printed nothing' };
  try {
    const parsed: unknown = JSON.parse(last);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return { figures: parsed as Record<string, unknown> };
  } catch {
    // Reported below: the line is not JSON.
  }
  return { error: `last line is not a JSON object: ${last.length > 120 ? `${last.slice(0, 120)}…` : last}` };
}

/** One row of a figures table. */
export interface Row {
  readonly name: string;
  readonly value: number | string | boolean | null;
  readonly unit?: string;
  readonly reference?: { readonly label: string; readonly value: number };
  readonly ratio?: number;
}

const isFigure = (v: unknown): v is { value: number; unit?: unknown; reference?: unknown; ratio?: unknown } =>
  v !== null && typeof v === 'object' && 'value' in v && (typeof v.value === 'number' || v.value === null);

/** Flattens nested figures into rows named by their dotted path (bench/figures.ts's shape, or any JSON). */
export function rows(figures: Record<string, unknown>, prefix = ''): Row[] {
  const out: Row[] = [];
  for (const [key, v] of Object.entries(figures)) {
    const name = prefix + key;
    if (isFigure(v)) {
      const ref = v.reference as { label?: unknown; value?: unknown } | undefined;
      const reference = ref && typeof ref.label === 'string' && typeof ref.value === 'number' ? { label: ref.label, value: ref.value } : undefined;
      out.push({
        name,
        value: v.value,
        ...(typeof v.unit === 'string' ? { unit: v.unit } : {}),
        ...(reference ? { reference } : {}),
        ...(typeof v.ratio === 'number' ? { ratio: v.ratio } : {}),
      });
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(...rows(v as Record<string, unknown>, `${name}.`));
    else if (Array.isArray(v)) out.push({ name, value: JSON.stringify(v) });
    else out.push({ name, value: v as Row['value'] });
  }
  return out;
}

/** A number as a report shows it: three significant digits, thousands grouped. */
export function num(x: number | string | boolean | null | undefined): string {
  if (x === null || x === undefined) return '–';
  if (typeof x !== 'number') return String(x);
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const digits = Math.abs(x) >= 100 ? 0 : Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return x.toLocaleString('en-US', { maximumFractionDigits: Math.min(digits, 6), minimumFractionDigits: 0 });
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const command = (r: BenchRun) => `npm run ${r.script}${r.args.length ? ` -- ${r.args.join(' ')}` : ''}`;

function figuresTable(list: readonly Row[]): string[] {
  const lines = ['| figure | value | reference (same run) | ratio |', '| --- | ---: | --- | ---: |'];
  for (const r of list) {
    const value = `${num(r.value)}${r.unit && typeof r.value === 'number' ? ` ${r.unit}` : ''}`;
    const ref = r.reference ? `${r.reference.label}: ${num(r.reference.value)}${r.unit ? ` ${r.unit}` : ''}` : '';
    lines.push(`| ${cell(r.name)} | ${cell(value)} | ${cell(ref)} | ${r.ratio === undefined ? '' : `${num(r.ratio)}×`} |`);
  }
  return lines;
}

/** The scaling table of one area: every numeric figure of its runs, by fleet size, and how it grew. */
export function scalingTable(runs: readonly ScalingRun[]): string[] {
  const sizes = [...runs].sort((a, b) => a.gpus - b.gpus);
  const byName = new Map<string, Map<number, Row>>();
  for (const run of sizes) {
    if (!('figures' in run.result)) continue;
    for (const row of rows(run.result.figures)) {
      if (!byName.has(row.name)) byName.set(row.name, new Map());
      byName.get(row.name)!.set(run.gpus, row);
    }
  }
  const first = sizes[0]?.gpus;
  const last = sizes.at(-1)?.gpus;
  const header = `| figure | ${sizes.map((r) => `${num(r.gpus)} GPUs`).join(' | ')} | ${first !== undefined && last !== undefined ? `${num(last)} / ${num(first)}` : 'growth'} |`;
  const lines = [header, `| --- | ${sizes.map(() => '---:').join(' | ')} | ---: |`];
  for (const [name, at] of byName) {
    const unit = [...at.values()].find((r) => r.unit)?.unit;
    const values = sizes.map((r) => at.get(r.gpus)?.value);
    const a = first === undefined ? undefined : at.get(first)?.value;
    const b = last === undefined ? undefined : at.get(last)?.value;
    const growth = typeof a === 'number' && typeof b === 'number' && a !== 0 ? `${num(b / a)}×` : '';
    lines.push(`| ${cell(name)}${unit ? ` (${cell(unit)})` : ''} | ${values.map((v) => num(v)).join(' | ')} | ${growth} |`);
  }
  lines.push(`| wall time of the run (s) | ${sizes.map((r) => num(r.wallS)).join(' | ')} | |`);
  const failed = sizes.filter((r) => 'error' in r.result);
  for (const f of failed) lines.push('', `${num(f.gpus)} GPUs failed: ${'error' in f.result ? f.result.error : ''}`);
  return lines;
}

/** bench/RESULTS.md. */
export function renderResults(report: Report): string {
  const m = report.machine;
  const out: string[] = [
    '# Locus benchmark results',
    '',
    report.quick
      ? '**Quick run** (`npm run bench -- --quick`): CI-sized, fewer rounds and shorter windows than a full run; its figures are rougher.'
      : 'Full run of `npm run bench`.',
    'Every figure stands beside the reference measured in the same run on the same machine; compare ratios across machines, not absolute times.',
    `Written by \`npm run bench\` (scripts/bench.ts); the run took ${num(report.wallS / 60)} min.`,
    '',
    '## Machine',
    '',
    '| | |',
    '| --- | --- |',
    `| CPU | ${cell(m.cpu)} |`,
    `| cores | ${m.cores} |`,
    `| memory | ${num(m.memoryGiB)} GiB |`,
    `| Node | ${m.node} |`,
    `| OS | ${cell(m.os)} |`,
    `| load average at start (1 min) | ${num(m.loadAtStart)} |`,
    `| date | ${m.date} |`,
    '',
    '## Benchmarks',
  ];
  for (const run of report.benches) {
    out.push('', `### ${run.script}`, '', `\`${command(run)}\`, ${num(run.wallS)} s.`, '');
    if ('error' in run.result) out.push(`**Failed:** ${run.result.error}`);
    else out.push(...figuresTable(rows(run.result.figures)));
  }
  out.push('', '## Cost by fleet size', '', `Each benchmark run again with \`--fleet-gpus N\` (hosts of 8 GPUs); the last column is the largest size's figure over the smallest's.`);
  for (const { area, script } of SCALING) {
    const runs = report.scaling.filter((r) => r.area === area);
    out.push('', `### ${area} (\`${script}\`)`, '');
    if (runs.length === 0) out.push(report.missing.some((x) => x.area === area) ? `Not measured: \`${script}\` is not in this checkout's package.json.` : 'Not measured.');
    else out.push(...scalingTable(runs));
  }
  return `${out.join('\n')}\n`;
}

/** The runner's last stdout line: every figure, for machines to read. */
export function summaryJson(report: Report): string {
  const figuresOf = (r: BenchRun) => ('figures' in r.result ? r.result.figures : { error: r.result.error });
  return JSON.stringify({
    quick: report.quick,
    machine: report.machine,
    wallS: Math.round(report.wallS),
    benches: Object.fromEntries(report.benches.map((r) => [r.script, { wallS: Math.round(r.wallS), ...figuresOf(r) }])),
    scaling: Object.fromEntries(
      SCALING.map(({ area }) => [area, Object.fromEntries(report.scaling.filter((r) => r.area === area).map((r) => [String(r.gpus), { wallS: Math.round(r.wallS), ...figuresOf(r) }]))]),
    ),
  });
}

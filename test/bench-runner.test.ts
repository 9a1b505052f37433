import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLEET_GPUS, SCALING, benchScripts, num, parseFigures, renderResults, rows, summaryJson, type Report } from '../scripts/bench-report.js';
import { figure } from '../bench/figures.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };

describe('reading a benchmark’s figures', () => {
  it.each([
    ['a JSON object on the last line', 'header\ntable row\n{"a":1,"b":{"value":2,"unit":"ms"}}\n', { figures: { a: 1, b: { value: 2, unit: 'ms' } } }],
    ['trailing blank lines', 'x\n{"a":1}\n\n\n', { figures: { a: 1 } }],
  ])('takes %s', (_, out, expected) => {
    expect(parseFigures(out)).toEqual(expected);
  });

  it.each([
    ['no output', '', 'printed nothing'],
    ['a last line of prose', '{"a":1}\nall done\n', 'not a JSON object: all done'],
    ['a JSON array', '[1,2]\n', 'not a JSON object'],
    ['a JSON number', '42\n', 'not a JSON object'],
  ])('reports %s as an error', (_, out, message) => {
    const parsed = parseFigures(out);
    expect('error' in parsed && parsed.error).toContain(message);
  });

  it('flattens nested figures into dotted rows, keeping references and ratios', () => {
    const figures = JSON.parse(JSON.stringify({ hosts: 12, vacuum: { engineMeanMs: figure(0.5, 'ms', { label: 'grid', value: 2 }), note: 'x' }, daemon: 'absent' }));
    expect(rows(figures)).toEqual([
      { name: 'hosts', value: 12 },
      { name: 'vacuum.engineMeanMs', value: 0.5, unit: 'ms', reference: { label: 'grid', value: 2 }, ratio: 0.25 },
      { name: 'vacuum.note', value: 'x' },
      { name: 'daemon', value: 'absent' },
    ]);
  });

  it.each([
    [1234567.8, '1,234,568'],
    [0.012345, '0.0123'],
    [3.14159, '3.14'],
    [0, '0'],
    [null, '–'],
    [true, 'true'],
  ])('shows %s as %s', (x, shown) => {
    expect(num(x)).toBe(shown);
  });
});

const fake: Report = {
  quick: true,
  machine: { cpu: 'Test CPU 9000', cores: 2, memoryGiB: 23.4, node: 'v20.19.0', os: 'Linux 6.1', loadAtStart: 1.5, date: '2026-11-29T07:00:00.000Z' },
  benches: [
    { script: 'bench:geo', args: ['--quick'], wallS: 12.3, result: { figures: { vacuum: { engineMeanMs: { value: 0.5, unit: 'ms', reference: { label: '0.25° grid classifier', value: 2 }, ratio: 0.25 } } } } },
    { script: 'bench:broken', args: ['--quick'], wallS: 1, result: { error: 'exited with 1' } },
  ],
  scaling: FLEET_GPUS.map((gpus, i) => ({ area: 'ingest', script: 'bench:ingest', gpus, args: ['--quick', '--fleet-gpus', String(gpus)], wallS: 10 * (i + 1), result: { figures: { p99Ms: { value: 2 * 10 ** i, unit: 'ms' }, held: true } } })),
  missing: [{ area: 'dashboard queries', script: 'bench:dashboard' }],
  wallS: 600,
};

describe('bench/RESULTS.md', () => {
  const md = renderResults(fake);

  it('says it comes from a quick run, and on what machine', () => {
    expect(md).toContain('**Quick run**');
    expect(md).toMatch(/\| CPU \| Test CPU 9000 \|/);
    expect(md).toContain('| cores | 2 |');
    expect(md).toContain('| Node | v20.19.0 |');
    expect(md).toContain('2026-11-29T07:00:00.000Z');
  });

  it('puts each figure beside its same-run reference and the ratio', () => {
    expect(md).toContain('| vacuum.engineMeanMs | 0.5 ms | 0.25° grid classifier: 2 ms | 0.25× |');
    expect(md).toContain('`npm run bench:geo -- --quick`, 12.3 s.');
  });

  it('reports a failed benchmark instead of dropping it', () => {
    expect(md).toContain('### bench:broken');
    expect(md).toContain('**Failed:** exited with 1');
  });

  it('tabulates the cost by fleet size with the growth from the smallest to the largest', () => {
    expect(md).toContain('| figure | 1,000 GPUs | 10,000 GPUs | 100,000 GPUs | 100,000 / 1,000 |');
    expect(md).toContain('| p99Ms (ms) | 2 | 20 | 200 | 100× |');
    expect(md).toContain('| held | true | true | true |  |');
    expect(md).toContain('Not measured: `bench:dashboard` is not in this checkout');
  });

  it('prints every figure as one JSON object', () => {
    const summary = JSON.parse(summaryJson(fake)) as { benches: Record<string, unknown>; scaling: Record<string, Record<string, unknown>> };
    expect(summary.benches['bench:broken']).toEqual({ wallS: 1, error: 'exited with 1' });
    expect(Object.keys(summary.scaling.ingest!)).toEqual(['1000', '10000', '100000']);
    expect(summaryJson(fake)).not.toContain('\n');
  });
});

describe('the bench:* scripts', () => {
  const scripts = benchScripts(pkg);
  const sourceOf = (script: string) => {
    const match = /^tsx (bench\/[\w-]+\.ts)$/.exec(pkg.scripts[script]!);
    expect(match, `${script} should be "tsx bench/<name>.ts"`).not.toBeNull();
    return readFileSync(new URL(`../${match![1]}`, import.meta.url), 'utf8');
  };

  it('are found in package.json, and not the runner itself', () => {
    expect(scripts).toEqual(expect.arrayContaining(['bench:geo', 'bench:landmark', 'bench:agent', 'bench:ingest']));
    expect(scripts).not.toContain('bench');
  });

  it.each(benchScripts(pkg))('%s accepts --quick and ends with its figures', (script) => {
    const source = sourceOf(script);
    expect(source).toMatch(/\bquick: \{ type: 'boolean'/);
    expect(source).toMatch(/printFigures\(/);
  });

  it.each(SCALING.filter((s) => s.script in pkg.scripts))('$script accepts --fleet-gpus for the $area row', ({ script }) => {
    expect(sourceOf(script)).toMatch(/'fleet-gpus': \{ type: 'string' \}/);
  });
});

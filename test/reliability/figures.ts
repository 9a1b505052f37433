import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a suite measured, as numbers and short strings; one file per suite. */
export type Figures = Readonly<Record<string, number | string | boolean>>;

/** Whether the bounded form runs (CI): fewer fuzz cases, shorter crash and load runs. */
export const quick = (): boolean => process.env.LOCUS_RELIABILITY_QUICK === '1';

/** `full` in a full run, `short` in the quick one. */
export const scaled = (full: number, short: number): number => (quick() ? short : full);

/** Records a suite's figures where the runner collects them; a no-op when run outside it. */
export function recordFigures(suite: string, figures: Figures): void {
  const dir = process.env.LOCUS_RELIABILITY_OUT;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${suite}.json`), `${JSON.stringify(figures)}\n`);
}

/** Every suite's figures from a run, by suite name. */
export function collectFigures(dir: string): Record<string, Figures> {
  const out: Record<string, Figures> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) out[file.slice(0, -5)] = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Figures;
  return out;
}

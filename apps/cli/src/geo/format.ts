import { describeSpeedModel, isPhysicalBound, type Verdict } from '@locus/geo';
import { toVerdictRecord } from '@locus/proof';
import { printable } from '../io.js';
import type { TargetVerdict, VerifyRun } from './pipeline.js';

/** One JSON Lines record, with exactly the keys and order of the published interface. */
export const verdictRecord = ({ target, verdict }: TargetVerdict): Record<string, unknown> => ({ target, ...toVerdictRecord(verdict) });

export const formatJsonLine = (result: TargetVerdict): string => `${JSON.stringify(verdictRecord(result))}\n`;

function countBy<T extends string>(values: readonly (T | null)[], keys: readonly T[]): string {
  return keys.map((k) => `${values.filter((v) => v === k).length} ${k}`).join(', ');
}

const MAX_LISTED = 6;

function countriesCell(v: Verdict): string {
  if (v.empty) return '(empty region: the RTTs contradict each other)';
  const shown = v.possibleCountries.slice(0, MAX_LISTED).join(' ');
  const more = v.possibleCountries.length - MAX_LISTED;
  return more > 0 ? `${shown} +${more}` : shown || '(none: open sea)';
}

/** A human table, one row per target, then a summary of the verdicts and the parameters. */
export function formatTable(results: readonly TargetVerdict[], run: VerifyRun, source: string): string {
  const header = ['target', 'claimed', 'claim', 'restricted', 'radius km', 'estimate', 'likely', 'possible countries'];
  // Target ids come from the input files: printed as they are, a control character in one could rewrite the screen.
  const rows = results.map(({ target, verdict: v }) => [
    printable(target),
    v.claimed ?? '-',
    v.claim ?? '-',
    v.restricted,
    v.radiusKm === null ? '-' : v.radiusKm.toFixed(0),
    v.estimate === null ? '-' : `${v.estimate.lat.toFixed(2)}, ${v.estimate.lon.toFixed(2)}`,
    v.countryEstimate ?? '-',
    countriesCell(v),
  ]);
  const numeric = new Set([4]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const verdicts = results.map((r) => r.verdict);
  const claims = verdicts.filter((v) => v.claim !== null);
  const empty = verdicts.filter((v) => v.empty).length;
  const out = [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `${results.length} target${results.length === 1 ? '' : 's'}; speed ${describeSpeedModel(run.speed)}; border margin ${run.marginKm} km; restricted ${run.restricted.join(',') || '(none)'}`,
    `restricted countries: ${countBy(verdicts.map((v) => v.restricted), ['excluded', 'possible', 'certain'])}`,
    claims.length > 0 ? `claims: ${countBy(claims.map((v) => v.claim), ['verified', 'consistent', 'contradicted'])}` : 'claims: none given',
    ...(empty > 0 ? [`empty regions: ${empty} (RTTs no single place can satisfy: a broken measurement or a lie)`] : []),
    `borders: ${source}`,
  ];
  if (!isPhysicalBound(run.speed)) {
    out.push(`note: ${describeSpeedModel(run.speed)} is not a physical bound; "excluded" and "verified" assume no path beats it. Use --speed vacuum for claims that must hold against any host.`);
  }
  return `${out.join('\n')}\n`;
}

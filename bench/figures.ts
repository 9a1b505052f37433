/**
 * The last line every benchmark prints: one JSON object of its figures, read by
 * `npm run bench` (scripts/bench.ts) to write bench/RESULTS.md.
 *
 * A figure measured against a reference from the same run carries that reference and the
 * ratio value / reference, so that the report compares like with like on any machine.
 */

/** One measured value, with the reference it is judged against where there is one. */
export interface Figure {
  readonly value: number;
  readonly unit: string;
  readonly reference?: { readonly label: string; readonly value: number };
  /** value / reference.value */
  readonly ratio?: number;
}

export type FigureValue = Figure | number | string | boolean | null | { readonly [name: string]: FigureValue };
export type Figures = { readonly [name: string]: FigureValue };

export function figure(value: number, unit: string, reference?: { label: string; value: number }): Figure {
  if (reference === undefined) return { value, unit };
  return { value, unit, reference, ratio: reference.value === 0 ? Number.NaN : value / reference.value };
}

/** Prints the figures as the benchmark's last stdout line (NaN and infinities become null). */
export function printFigures(figures: Figures): void {
  console.log(JSON.stringify(figures));
}

/** The fleet size a scaling run asks for (`--fleet-gpus`), as whole hosts of `gpusPerHost`; exits with a usage error on a bad value. */
export function hostsForGpus(fleetGpus: string | undefined, gpusPerHost: number): number | undefined {
  if (fleetGpus === undefined) return undefined;
  const gpus = Number(fleetGpus);
  if (!Number.isInteger(gpus) || gpus < gpusPerHost) {
    console.error(`--fleet-gpus wants a whole number of GPUs, at least ${gpusPerHost}; got ${fleetGpus}`);
    process.exit(2);
  }
  return Math.round(gpus / gpusPerHost);
}

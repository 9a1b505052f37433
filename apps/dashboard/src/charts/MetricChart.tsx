import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

/** Distinct colours for up to 8 series (then they repeat). */
const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

interface MetricChartProps {
  readonly title: string;
  readonly unit: string;
  readonly labels: readonly string[];
  readonly x: readonly number[];
  readonly ys: readonly (readonly (number | null)[])[];
  readonly height?: number;
  /** The time axis's span in Unix seconds; by default the data's own (a week with one point would otherwise span years). */
  readonly span?: readonly [number, number] | undefined;
}

function options(title: string, unit: string, labels: readonly string[], width: number, height: number, span: readonly [number, number] | undefined): uPlot.Options {
  return {
    title: `${title} (${unit})`,
    width,
    height,
    series: [{}, ...labels.map((label, i) => ({ label, stroke: PALETTE[i % PALETTE.length]!, width: 1.5, spanGaps: true }))],
    axes: [{}, { label: unit, size: 60 }],
    scales: { x: span ? { time: true, range: [span[0], span[1]] } : { time: true } },
    legend: { live: false },
  };
}

/** A time series chart (uPlot, canvas): one line per label. New data redraws it in place. */
export function MetricChart({ title, unit, labels, x, ys, height = 200, span }: MetricChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const labelKey = labels.join('|');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(el.clientWidth, 300);
    const plot = new uPlot(options(title, unit, labels, width, height, span), [[], ...labels.map(() => [])] as unknown as uPlot.AlignedData, el);
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 300), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
    // Rebuilt only when the set of series changes; data updates go through setData below.
  }, [title, unit, labelKey, height, span === undefined]);

  useEffect(() => {
    chart.current?.setData([x, ...ys] as unknown as uPlot.AlignedData);
    if (span) chart.current?.setScale('x', { min: span[0], max: span[1] });
  }, [x, ys, labelKey, span]);

  return <div className="chart" ref={box} data-chart={title} />;
}

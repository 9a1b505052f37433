/** One sample of Prometheus text exposition: its label set as written (`{a="1",b="2"}`, or empty) and read. */
export interface ExpositionSample {
  readonly labels: string;
  readonly label: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Metric name → its samples, and each metric's TYPE, from Prometheus text exposition (label values without escapes). */
export function parseExposition(text: string): { types: Map<string, string>; series: Map<string, ExpositionSample[]> } {
  const types = new Map<string, string>();
  const series = new Map<string, ExpositionSample[]>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    const sample = /^([A-Za-z_:][\w:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!sample) continue;
    const labels = sample[2] ?? '';
    const label = Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    series.set(sample[1]!, [...(series.get(sample[1]!) ?? []), { labels, label, value: Number(sample[3]) }]);
  }
  return { types, series };
}

/** The value of the first sample of `name` whose labels include `labels`, or undefined. */
export function sampleValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  return parseExposition(text)
    .series.get(name)
    ?.find((s) => Object.entries(labels).every(([k, v]) => s.label[k] === v))?.value;
}

import type { FleetSummary } from '../../api/types.js';

const Counts = ({ counts, order }: { readonly counts: Readonly<Record<string, number>>; readonly order?: readonly string[] }) => {
  const keys = order ?? Object.keys(counts).sort();
  return (
    <dl className="counts">
      {keys.map((k) => (
        <div key={k} className={`count count-${k}`}>
          <dt>{k}</dt>
          <dd>{counts[k] ?? 0}</dd>
        </div>
      ))}
    </dl>
  );
};

/** The fleet in numbers: nodes, GPUs by model and health, node verdicts, zones. */
export function SummaryCards({ summary }: { readonly summary: FleetSummary }) {
  return (
    <section className="cards" aria-label="Fleet summary">
      <article className="card">
        <h3>Nodes</h3>
        <p className="big" data-testid="summary-nodes">
          {summary.nodes}
        </p>
        <p className="muted">{summary.zones} zone(s)</p>
      </article>
      <article className="card">
        <h3>GPUs</h3>
        <p className="big" data-testid="summary-gpus">
          {summary.gpus.total}
        </p>
        <Counts counts={summary.gpus.byModel} />
      </article>
      <article className="card">
        <h3>GPU health</h3>
        <Counts counts={summary.gpus.health} order={['healthy', 'degraded', 'unhealthy', 'unknown']} />
      </article>
      <article className="card">
        <h3>Node verdicts (restricted)</h3>
        <Counts counts={summary.verdicts} order={['excluded', 'possible', 'certain', 'none']} />
      </article>
    </section>
  );
}

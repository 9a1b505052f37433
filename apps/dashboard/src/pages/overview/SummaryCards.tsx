import type { FleetSummary } from '../../api/types.js';
import { Link } from '../../router/Link.js';
import { hrefOf, nodesHref } from '../../router/routes.js';

/** Counts, each a link to the list it counts when `href` gives one. */
export const Counts = ({ counts, order, href }: { readonly counts: Readonly<Record<string, number>>; readonly order?: readonly string[]; readonly href?: (key: string) => string }) => {
  const keys = order ?? Object.keys(counts).sort();
  return (
    <dl className="counts">
      {keys.map((k) => (
        <div key={k} className={`count count-${k}`}>
          <dt>{k}</dt>
          <dd>{href ? <Link href={href(k)}>{counts[k] ?? 0}</Link> : (counts[k] ?? 0)}</dd>
        </div>
      ))}
    </dl>
  );
};

export const VERDICT_ORDER = ['excluded', 'possible', 'certain', 'none'] as const;
/** The server's key for nodes whose agent does not say its version. */
const AGENT_VERSION_UNKNOWN = '(unknown)';

/** The fleet in numbers: nodes, GPUs by model and health, node verdicts, zones, open alerts; each number opens its list. */
export function SummaryCards({ summary, openAlerts }: { readonly summary: FleetSummary; readonly openAlerts: number | undefined }) {
  return (
    <section className="cards" aria-label="Fleet summary">
      <article className="card">
        <h3>Nodes</h3>
        <p className="big" data-testid="summary-nodes">
          <Link className="num" href="/nodes">
            {summary.nodes}
          </Link>
        </p>
        <p className="muted">{summary.zones} zone(s)</p>
        <h4>By agent version</h4>
        <Counts counts={summary.agentVersions} href={(v) => nodesHref({ agentVersion: v === AGENT_VERSION_UNKNOWN ? 'none' : v })} />
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
        <Counts counts={summary.gpus.health} order={['healthy', 'degraded', 'unhealthy', 'unknown']} href={(health) => nodesHref({ health })} />
      </article>
      <article className="card">
        <h3>Node verdicts (restricted)</h3>
        <Counts counts={summary.verdicts} order={VERDICT_ORDER} href={(verdict) => nodesHref({ verdict })} />
      </article>
      <article className="card">
        <h3>Open alerts</h3>
        <p className="big" data-testid="summary-alerts">
          <Link className="num" href={hrefOf({ page: 'alerts', filter: { state: 'firing', kind: '' } })}>
            {openAlerts ?? '…'}
          </Link>
        </p>
      </article>
    </section>
  );
}

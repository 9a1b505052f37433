import type { NodeRecord, StoredVerdict } from '@locus/storage';
import { HEALTH_STATES, healthRank, type HealthState } from './fleet.js';
import type { Repos } from './repos.js';

export const NODE_HEALTH = HEALTH_STATES;
export type NodeHealth = HealthState;

export const NODE_SORTS = ['name', '-name', 'zone', '-zone', 'verdict', '-verdict', 'health', '-health', 'lastMeasuredAt', '-lastMeasuredAt', 'lastReportAt', '-lastReportAt'] as const;
export type NodeSort = (typeof NODE_SORTS)[number];

export const UNENROLLED_FILTERS = ['exclude', 'include', 'only'] as const;

/** Verdict states a listing filters on: a node never judged is `none`. */
export const LISTED_VERDICTS = ['excluded', 'possible', 'certain', 'none'] as const;
/** Claim verdicts to list by; `none` for nodes whose claim is not judged (they claim no country, or have no verdict yet). */
export const LISTED_CLAIMS = ['verified', 'consistent', 'contradicted', 'none'] as const;

export interface NodeListQuery {
  /** Part of the name, any case. */
  readonly q?: string | undefined;
  /** A zone id, or `none` for nodes in no zone. */
  readonly zone?: string | undefined;
  /** A claimed country, or `none` for nodes that claim none. */
  readonly country?: string | undefined;
  readonly verdict?: (typeof LISTED_VERDICTS)[number] | undefined;
  readonly claim?: (typeof LISTED_CLAIMS)[number] | undefined;
  readonly health?: NodeHealth | undefined;
  /** An agent version, or `none` for nodes whose agent does not say. */
  readonly agentVersion?: string | undefined;
  /** Nodes whose agent left: left out (as the fleet summary leaves them), listed too, or alone. */
  readonly unenrolled: (typeof UNENROLLED_FILTERS)[number];
  readonly sort: NodeSort;
  readonly offset: number;
  readonly limit: number;
}

export interface ListedNode {
  readonly node: NodeRecord;
  readonly gpus: number;
  readonly health: NodeHealth;
  readonly verdict: StoredVerdict | undefined;
  /** When its agent's last batch was stored (ms); null before the first. */
  readonly lastReportAt: number | null;
}

/**
 * A node's health: the worst latest state of any of its components (GPU or host); unknown for a
 * node that has reported neither GPUs nor health.
 */
export function nodeHealth(states: readonly string[], gpus: number): NodeHealth {
  if (states.length === 0) return gpus > 0 ? 'healthy' : 'unknown';
  let worst: NodeHealth = 'healthy';
  for (const s of states) {
    const h = (NODE_HEALTH as readonly string[]).includes(s) ? (s as NodeHealth) : 'unknown';
    if (healthRank(h) > healthRank(worst)) worst = h;
  }
  return worst;
}

/** Above this many nodes, details are read for the whole org at once rather than by id. */
const BY_ID_MAX = 1000;

/** Each node's GPU count, health, newest stored verdict and last report: a few queries, by id for a few nodes. */
async function withDetails(repos: Repos, orgId: string, nodes: readonly NodeRecord[]): Promise<ListedNode[]> {
  const ids = nodes.length <= BY_ID_MAX ? nodes.map((n) => n.id) : undefined;
  const verdicts = await repos.verdicts.latestByOrg(orgId, ids);
  const health = new Map<string, string[]>();
  for (const h of await repos.telemetry.latestHealth(nodes.map((n) => n.id))) health.set(h.nodeId, [...(health.get(h.nodeId) ?? []), h.health]);
  const gpus = await repos.telemetry.gpuCountsByOrg(orgId, ids);
  const reports = await repos.telemetry.lastIngestsByOrg(orgId, ids, true);
  return nodes.map((node) => ({
    node,
    gpus: gpus.get(node.id) ?? 0,
    health: nodeHealth(health.get(node.id) ?? [], gpus.get(node.id) ?? 0),
    verdict: verdicts.get(node.id),
    lastReportAt: reports.get(node.id) ?? null,
  }));
}

/**
 * One page of an org's nodes that match a query, and how many match. Name, zone, country and
 * agent version filter in the database; when neither the filter nor the order needs verdicts or health, only
 * the page's nodes have theirs read.
 */
export async function listNodes(repos: Repos, orgId: string, query: NodeListQuery, zoneName: (id: string | null) => string): Promise<{ total: number; page: ListedNode[] }> {
  const orNull = (v: string | undefined) => (v === undefined ? undefined : v === 'none' ? null : v);
  const nodes = await repos.nodes.search(orgId, { q: query.q?.trim(), zoneId: orNull(query.zone), claimedCountry: orNull(query.country), agentVersion: orNull(query.agentVersion), unenrolled: query.unenrolled });
  const needsDetails = query.verdict !== undefined || query.claim !== undefined || query.health !== undefined || /^-?(verdict|health|lastReportAt)$/.test(query.sort);
  if (needsDetails) return pageNodes(await withDetails(repos, orgId, nodes), query, zoneName);
  const { total, page } = pageNodes(
    nodes.map((node) => ({ node, gpus: 0, health: 'unknown', verdict: undefined, lastReportAt: null })),
    query,
    zoneName,
  );
  return { total, page: await withDetails(repos, orgId, page.map((r) => r.node)) };
}

const VERDICT_RANK: Record<string, number> = { certain: 0, possible: 1, none: 2, excluded: 3 };
const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const ORDER: Record<string, (a: ListedNode, b: ListedNode, zoneName: (id: string | null) => string) => number> = {
  name: (a, b) => text(a.node.name, b.node.name),
  zone: (a, b, zoneName) => text(zoneName(a.node.zone_id), zoneName(b.node.zone_id)),
  // The worst first: what an operator looks at first.
  verdict: (a, b) => VERDICT_RANK[a.verdict?.record.restricted ?? 'none']! - VERDICT_RANK[b.verdict?.record.restricted ?? 'none']!,
  health: (a, b) => healthRank(b.health) - healthRank(a.health),
  lastMeasuredAt: (a, b) => (a.node.last_measured_at ?? -1) - (b.node.last_measured_at ?? -1),
  lastReportAt: (a, b) => (a.lastReportAt ?? -1) - (b.lastReportAt ?? -1),
};

/** Filters by verdict, claim and health, sorts (ties by name, then id) and pages; `total` counts every match. */
function pageNodes(rows: readonly ListedNode[], query: NodeListQuery, zoneName: (id: string | null) => string): { total: number; page: ListedNode[] } {
  const matches = rows.filter(
    (r) =>
      (query.verdict === undefined || (r.verdict?.record.restricted ?? 'none') === query.verdict) &&
      (query.claim === undefined || (r.verdict?.record.claim ?? 'none') === query.claim) &&
      (query.health === undefined || r.health === query.health),
  );
  const desc = query.sort.startsWith('-');
  const order = ORDER[desc ? query.sort.slice(1) : query.sort]!;
  matches.sort((a, b) => (desc ? -1 : 1) * order(a, b, zoneName) || ORDER.name!(a, b, zoneName) || text(a.node.id, b.node.id));
  return { total: matches.length, page: matches.slice(query.offset, query.offset + query.limit) };
}

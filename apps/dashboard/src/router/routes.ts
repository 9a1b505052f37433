/** The node list's view: each field empty when not filtered; `sort` empty is by name. */
export interface NodeFilter {
  readonly q: string;
  readonly verdict: string;
  readonly health: string;
  readonly zone: string;
  readonly country: string;
  readonly claim: string;
  /** An agent version, or `none` for agents that do not say theirs. */
  readonly agentVersion: string;
  readonly sort: string;
}

export const NODE_FILTER_KEYS = ['q', 'verdict', 'health', 'zone', 'country', 'claim', 'agentVersion', 'sort'] as const satisfies readonly (keyof NodeFilter)[];
export const NO_FILTER: NodeFilter = { q: '', verdict: '', health: '', zone: '', country: '', claim: '', agentVersion: '', sort: '' };

/** The alert list's view. */
export interface AlertFilter {
  readonly state: '' | 'firing' | 'resolved';
  readonly kind: string;
}

/** The spans of a node's or a GPU's charts: the last hour (the default, left out of the URL), day or week. */
export const CHART_RANGE_NAMES = ['hour', 'day', 'week'] as const;
export type ChartRange = (typeof CHART_RANGE_NAMES)[number];
/** A range other than the default: what a route holds. */
type LongerRange = Exclude<ChartRange, 'hour'>;

/** Every view of the dashboard, as the URL holds it. */
export type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'nodes'; readonly filter: NodeFilter }
  | { readonly page: 'node'; readonly id: string; readonly range?: LongerRange }
  | { readonly page: 'gpu'; readonly id: string; readonly uuid: string; readonly range?: LongerRange }
  | { readonly page: 'zone'; readonly id: string }
  | { readonly page: 'alerts'; readonly filter: AlertFilter }
  | { readonly page: 'reports' }
  | { readonly page: 'enrollment' }
  | { readonly page: 'settings' }
  | { readonly page: 'landmarks' }
  | { readonly page: 'not-found'; readonly path: string };

const decode = (part: string): string | undefined => {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
};

const SIMPLE = ['landmarks', 'reports', 'enrollment', 'settings'] as const;

/** A node filter from a query string; unknown keys are ignored. */
export function nodeFilterOf(search: string): NodeFilter {
  const params = new URLSearchParams(search);
  return Object.fromEntries(NODE_FILTER_KEYS.map((k) => [k, params.get(k) ?? ''])) as unknown as NodeFilter;
}

function alertFilterOf(search: string): AlertFilter {
  const params = new URLSearchParams(search);
  const state = params.get('state');
  return { state: state === 'firing' || state === 'resolved' ? state : '', kind: params.get('kind') ?? '' };
}

/** The charts' range of a query string, as a route holds it: absent for the last hour. */
function chartRangeOf(search: string): { readonly range?: LongerRange } {
  const range = new URLSearchParams(search).get('range');
  return range === 'day' || range === 'week' ? { range } : {};
}

/** A node's or a GPU's page with its charts over `range`. */
export function withChartRange<R extends Extract<Route, { page: 'node' | 'gpu' }>>(route: R, range: ChartRange): R {
  const { range: _old, ...rest } = route;
  return (range === 'hour' ? rest : { ...rest, range }) as R;
}

/** The route a location stands for; unknown paths (and malformed escapes) are `not-found`. */
export function parseRoute(pathname: string, search: string): Route {
  const parts = pathname.split('/').filter((p) => p !== '');
  const [first, second, third, fourth, ...rest] = parts;
  if (first === undefined) return { page: 'overview' };
  if (second === undefined) {
    if (first === 'nodes') return { page: 'nodes', filter: nodeFilterOf(search) };
    if (first === 'alerts') return { page: 'alerts', filter: alertFilterOf(search) };
    const simple = SIMPLE.find((p) => p === first);
    if (simple) return { page: simple };
  }
  const id = second === undefined ? undefined : decode(second);
  if (id && third === undefined && (first === 'nodes' || first === 'zones')) return first === 'nodes' ? { page: 'node', id, ...chartRangeOf(search) } : { page: 'zone', id };
  const uuid = fourth === undefined ? undefined : decode(fourth);
  if (id && uuid && first === 'nodes' && third === 'gpus' && rest.length === 0) return { page: 'gpu', id, uuid, ...chartRangeOf(search) };
  return { page: 'not-found', path: pathname };
}

const withQuery = (path: string, fields: Readonly<Record<string, string>>): string => {
  const params = new URLSearchParams(Object.entries(fields).filter(([, v]) => v !== ''));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
};

/** The URL of a route; `parseRoute(hrefOf(r))` gives `r` back. */
export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '/';
    case 'nodes':
      return withQuery('/nodes', { ...route.filter });
    case 'node':
      return withQuery(`/nodes/${encodeURIComponent(route.id)}`, { range: route.range ?? '' });
    case 'gpu':
      return withQuery(`/nodes/${encodeURIComponent(route.id)}/gpus/${encodeURIComponent(route.uuid)}`, { range: route.range ?? '' });
    case 'zone':
      return `/zones/${encodeURIComponent(route.id)}`;
    case 'alerts':
      return withQuery('/alerts', { ...route.filter });
    case 'landmarks':
    case 'reports':
    case 'enrollment':
    case 'settings':
      return `/${route.page}`;
    case 'not-found':
      return route.path;
  }
}

/** The node list filtered by some fields. */
export const nodesHref = (filter: Partial<NodeFilter>): string => hrefOf({ page: 'nodes', filter: { ...NO_FILTER, ...filter } });

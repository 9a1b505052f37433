/** Every view of the dashboard, as the URL holds it. */
export type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'nodes'; readonly q: string }
  | { readonly page: 'node'; readonly id: string }
  | { readonly page: 'zone'; readonly id: string }
  | { readonly page: 'landmarks' }
  | { readonly page: 'not-found'; readonly path: string };

const decode = (part: string): string | undefined => {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
};

/** The route a location stands for; unknown paths (and malformed escapes) are `not-found`. */
export function parseRoute(pathname: string, search: string): Route {
  const parts = pathname.split('/').filter((p) => p !== '');
  const [first, second, ...rest] = parts;
  if (first === undefined) return { page: 'overview' };
  if (first === 'nodes' && second === undefined) return { page: 'nodes', q: new URLSearchParams(search).get('q') ?? '' };
  if (first === 'landmarks' && second === undefined) return { page: 'landmarks' };
  if ((first === 'nodes' || first === 'zones') && second !== undefined && rest.length === 0) {
    const id = decode(second);
    if (id) return first === 'nodes' ? { page: 'node', id } : { page: 'zone', id };
  }
  return { page: 'not-found', path: pathname };
}

/** The URL of a route; `parseRoute(hrefOf(r))` gives `r` back. */
export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '/';
    case 'nodes':
      return route.q ? `/nodes?${new URLSearchParams({ q: route.q }).toString()}` : '/nodes';
    case 'node':
      return `/nodes/${encodeURIComponent(route.id)}`;
    case 'zone':
      return `/zones/${encodeURIComponent(route.id)}`;
    case 'landmarks':
      return '/landmarks';
    case 'not-found':
      return route.path;
  }
}

import { describe, expect, it } from 'vitest';
import { NO_FILTER, hrefOf, parseRoute, withChartRange, type Route } from './routes.js';

describe('parseRoute', () => {
  it.each<[string, string, Route]>([
    ['/', '', { page: 'overview' }],
    ['/nodes', '', { page: 'nodes', filter: NO_FILTER }],
    ['/nodes/', '?q=sin-&verdict=possible&page=3', { page: 'nodes', filter: { ...NO_FILTER, q: 'sin-', verdict: 'possible' } }],
    ['/nodes/n%2F1/gpus/GPU-1', '', { page: 'gpu', id: 'n/1', uuid: 'GPU-1' }],
    ['/nodes/n1/gpus', '', { page: 'not-found', path: '/nodes/n1/gpus' }],
    ['/alerts', '?state=firing&kind=gpu-health', { page: 'alerts', filter: { state: 'firing', kind: 'gpu-health' } }],
    ['/alerts', '?state=maybe', { page: 'alerts', filter: { state: '', kind: '' } }],
    ['/reports', '', { page: 'reports' }],
    ['/enrollment', '', { page: 'enrollment' }],
    ['/settings', '', { page: 'settings' }],
    ['/nodes/4f1c-9a', '', { page: 'node', id: '4f1c-9a' }],
    ['/nodes/4f1c-9a', '?range=week', { page: 'node', id: '4f1c-9a', range: 'week' }],
    ['/nodes/n1/gpus/GPU-1', '?range=day', { page: 'gpu', id: 'n1', uuid: 'GPU-1', range: 'day' }],
    // The last hour is the default, and a range it does not know is no range.
    ['/nodes/n1', '?range=hour', { page: 'node', id: 'n1' }],
    ['/nodes/n1', '?range=year', { page: 'node', id: 'n1' }],
    ['/zones/a%20b%2Fc', '', { page: 'zone', id: 'a b/c' }],
    ['/landmarks', '', { page: 'landmarks' }],
    ['/zones', '', { page: 'not-found', path: '/zones' }],
    ['/nodes/a/b', '', { page: 'not-found', path: '/nodes/a/b' }],
    ['/nodes/%E0%A4%A', '', { page: 'not-found', path: '/nodes/%E0%A4%A' }],
    ['/api/v1/nodes', '', { page: 'not-found', path: '/api/v1/nodes' }],
  ])('reads %s%s', (pathname, search, route) => {
    expect(parseRoute(pathname, search)).toEqual(route);
  });
});

describe('hrefOf', () => {
  it.each<Route>([
    { page: 'overview' },
    { page: 'nodes', filter: NO_FILTER },
    { page: 'nodes', filter: { ...NO_FILTER, q: 'a&b=c d', health: 'unhealthy', sort: '-name' } },
    { page: 'gpu', id: 'n 1', uuid: 'GPU-a/b' },
    { page: 'alerts', filter: { state: 'resolved', kind: '' } },
    { page: 'settings' },
    { page: 'node', id: 'n/1?x' },
    { page: 'node', id: 'n1', range: 'day' },
    { page: 'gpu', id: 'n1', uuid: 'GPU-a', range: 'week' },
    { page: 'zone', id: 'ap-southeast (Singapore)' },
    { page: 'landmarks' },
  ])('gives a URL that parses back to %j', (route) => {
    const url = new URL(hrefOf(route), 'http://x.test');
    expect(parseRoute(url.pathname, url.search)).toEqual(route);
  });
});

describe('withChartRange', () => {
  it('sets the charts of a node or GPU page to a range, the last hour being no range at all', () => {
    expect(hrefOf(withChartRange({ page: 'node', id: 'n1' }, 'week'))).toBe('/nodes/n1?range=week');
    expect(withChartRange({ page: 'gpu', id: 'n1', uuid: 'GPU-a', range: 'week' }, 'hour')).toEqual({ page: 'gpu', id: 'n1', uuid: 'GPU-a' });
    expect(hrefOf(withChartRange({ page: 'gpu', id: 'n1', uuid: 'GPU-a', range: 'week' }, 'hour'))).toBe('/nodes/n1/gpus/GPU-a');
  });
});

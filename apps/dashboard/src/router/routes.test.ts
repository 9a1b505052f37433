import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute, type Route } from './routes.js';

describe('parseRoute', () => {
  it.each<[string, string, Route]>([
    ['/', '', { page: 'overview' }],
    ['/nodes', '', { page: 'nodes', q: '' }],
    ['/nodes/', '?q=sin-', { page: 'nodes', q: 'sin-' }],
    ['/nodes/4f1c-9a', '', { page: 'node', id: '4f1c-9a' }],
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
    { page: 'nodes', q: '' },
    { page: 'nodes', q: 'a&b=c d' },
    { page: 'node', id: 'n/1?x' },
    { page: 'zone', id: 'ap-southeast (Singapore)' },
    { page: 'landmarks' },
  ])('gives a URL that parses back to %j', (route) => {
    const url = new URL(hrefOf(route), 'http://x.test');
    expect(parseRoute(url.pathname, url.search)).toEqual(route);
  });
});

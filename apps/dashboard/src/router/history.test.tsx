// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { navigate, useRoute } from './history.js';
import { Link } from './Link.js';
import { NO_FILTER } from './routes.js';

function Where() {
  const route = useRoute();
  return (
    <>
      <output>{JSON.stringify(route)}</output>
      <Link href="/nodes/n1">node</Link>
    </>
  );
}

const shown = () => JSON.parse(screen.getByRole('status').textContent ?? 'null') as unknown;

beforeEach(() => window.history.replaceState(null, '', '/'));
afterEach(cleanup);

describe('router', () => {
  it('renders the route of the current URL', () => {
    window.history.replaceState(null, '', '/nodes?q=va');
    render(<Where />);
    expect(shown()).toEqual({ page: 'nodes', filter: { ...NO_FILTER, q: 'va' } });
  });

  it('follows navigate() without reloading, and adds a history entry', () => {
    render(<Where />);
    const before = window.history.length;
    act(() => navigate('/landmarks'));
    expect(shown()).toEqual({ page: 'landmarks' });
    expect(window.location.pathname).toBe('/landmarks');
    expect(window.history.length).toBe(before + 1);
  });

  it('replaces the entry when asked (typing a filter)', () => {
    render(<Where />);
    const before = window.history.length;
    act(() => navigate('/nodes?q=s', { replace: true }));
    expect(shown()).toEqual({ page: 'nodes', filter: { ...NO_FILTER, q: 's' } });
    expect(window.history.length).toBe(before);
  });

  it('follows back and forward (popstate)', () => {
    render(<Where />);
    act(() => navigate('/zones/z1'));
    act(() => {
      window.history.replaceState(null, '', '/landmarks');
      window.dispatchEvent(new PopStateEvent('popstate'));
    });
    expect(shown()).toEqual({ page: 'landmarks' });
  });

  it('follows a plain click on a Link itself', () => {
    render(<Where />);
    const link = screen.getByRole('link', { name: 'node' });
    expect(fireEvent.click(link)).toBe(false);
    expect(shown()).toEqual({ page: 'node', id: 'n1' });
  });

  it('leaves a ctrl-click (new tab) to the browser', () => {
    render(<Where />);
    expect(fireEvent.click(screen.getByRole('link', { name: 'node' }), { ctrlKey: true })).toBe(true);
    expect(shown()).toEqual({ page: 'overview' });
  });
});

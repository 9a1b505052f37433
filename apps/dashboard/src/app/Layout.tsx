import type { ReactNode } from 'react';
import { Link } from '../router/Link.js';
import type { Route } from '../router/routes.js';

const NAV: readonly { readonly href: string; readonly label: string; readonly pages: readonly Route['page'][] }[] = [
  { href: '/', label: 'Overview', pages: ['overview', 'zone'] },
  { href: '/nodes', label: 'Nodes', pages: ['nodes', 'node'] },
  { href: '/landmarks', label: 'Landmarks', pages: ['landmarks'] },
];

/** The frame of every signed-in page: navigation, log out, and the page. */
export function Layout({ route, onLogout, children }: { readonly route: Route; readonly onLogout: () => void; readonly children: ReactNode }) {
  return (
    <div className="app">
      <header className="top">
        <Link href="/" className="brand">
          Locus
        </Link>
        <nav aria-label="Main">
          {NAV.map(({ href, label, pages }) => {
            const active = pages.includes(route.page);
            return (
              <Link key={href} href={href} className={active ? 'active' : undefined} aria-current={active ? 'page' : undefined}>
                {label}
              </Link>
            );
          })}
        </nav>
        <button type="button" className="logout" onClick={onLogout}>
          Log out
        </button>
      </header>
      <main>{children}</main>
    </div>
  );
}

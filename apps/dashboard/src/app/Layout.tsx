import { useContext, type ReactNode } from 'react';
import { ChangesContext } from '../hooks/useChanges.js';
import { Link } from '../router/Link.js';
import type { Route } from '../router/routes.js';
import { useCan, useMe } from './me.js';
import { NAV, PAGE_PERMISSION } from './pages.js';

/** The frame of every signed-in page: navigation for the signed-in role, log out, and the page. */
export function Layout({ route, onLogout, children }: { readonly route: Route; readonly onLogout: () => void; readonly children: ReactNode }) {
  const can = useCan();
  const me = useMe();
  const { live } = useContext(ChangesContext);
  const allowed = (page: Route['page']) => {
    const needed = PAGE_PERMISSION[page];
    return needed === null || can(needed);
  };
  return (
    <div className="app">
      <header className="top">
        <Link href="/" className="brand">
          Locus
        </Link>
        <nav aria-label="Main">
          {NAV.filter(({ pages }) => allowed(pages[0]!)).map(({ href, label, pages }) => {
            const active = pages.includes(route.page);
            return (
              <Link key={href} href={href} className={active ? 'active' : undefined} aria-current={active ? 'page' : undefined}>
                {label}
              </Link>
            );
          })}
        </nav>
        <span className={live ? 'live on' : 'live'} title={live ? 'The server tells this page of each change as it happens' : 'Not hearing changes from the server: pages refresh every 10 s'}>
          {live ? 'live' : 'polling'}
        </span>
        {me && <span className="role">{me.role}</span>}
        <button type="button" className="logout" onClick={onLogout}>
          Log out
        </button>
      </header>
      <main>
        {allowed(route.page) ? (
          children
        ) : (
          <p className="status empty" role="alert">
            Your role ({me?.role}) may not see this page: it shows the live fleet, which {me?.role === 'auditor' ? 'an auditor reads through verdicts, proofs and signed reports instead' : 'needs another role'}.
          </p>
        )}
      </main>
    </div>
  );
}

import { useMemo } from 'react';
import { ApiClient } from './api/client.js';
import { ApiContext } from './api/context.js';
import { Layout } from './app/Layout.js';
import { LoginPage } from './app/LoginPage.js';
import { useSession } from './app/session.js';
import { LandmarksPage } from './pages/LandmarksPage.js';
import { NodePage } from './pages/NodePage.js';
import { NodesPage } from './pages/NodesPage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';
import { OverviewPage } from './pages/OverviewPage.js';
import { ZonePage } from './pages/ZonePage.js';
import { useRoute } from './router/history.js';
import type { Route } from './router/routes.js';

function Page({ route }: { readonly route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'nodes':
      return <NodesPage q={route.q} />;
    case 'node':
      return <NodePage key={route.id} id={route.id} />;
    case 'zone':
      return <ZonePage key={route.id} id={route.id} />;
    case 'landmarks':
      return <LandmarksPage />;
    case 'not-found':
      return <NotFoundPage path={route.path} />;
  }
}

/** Login until there is a token; then the page the URL names. A 401 ends the session. */
export function App() {
  const session = useSession();
  const route = useRoute();
  const { token, logout } = session;
  const api = useMemo(
    () => (token ? new ApiClient({ token, onUnauthorized: () => logout('The server no longer accepts your token (HTTP 401). Paste a valid one.') }) : undefined),
    [token, logout],
  );
  if (!api) return <LoginPage onLogin={session.login} notice={session.notice} />;
  return (
    <ApiContext.Provider value={api}>
      <Layout route={route} onLogout={() => logout()}>
        <Page route={route} />
      </Layout>
    </ApiContext.Provider>
  );
}

import { lazy, Suspense, useMemo } from 'react';
import { ApiClient } from './api/client.js';
import { ApiContext, useApi } from './api/context.js';
import { paths } from './api/paths.js';
import { Layout } from './app/Layout.js';
import { LoginPage } from './app/LoginPage.js';
import { MeContext, type Me } from './app/me.js';
import { useSession } from './app/session.js';
import { ErrorBox, Loading } from './components/Status.js';
import { ChangesContext, useChangeStream } from './hooks/useChanges.js';
import { usePoll } from './hooks/usePoll.js';
import { NodePage } from './pages/NodePage.js';
import { NodesPage } from './pages/NodesPage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';
import { OverviewPage } from './pages/OverviewPage.js';
import { ZonePage } from './pages/ZonePage.js';
import { useRoute } from './router/history.js';
import type { Route } from './router/routes.js';

// Pages opened less often load on first use, keeping the first script small.
const AlertsPage = lazy(async () => ({ default: (await import('./pages/AlertsPage.js')).AlertsPage }));
const ReportsPage = lazy(async () => ({ default: (await import('./pages/ReportsPage.js')).ReportsPage }));
const EnrollmentPage = lazy(async () => ({ default: (await import('./pages/EnrollmentPage.js')).EnrollmentPage }));
const SettingsPage = lazy(async () => ({ default: (await import('./pages/SettingsPage.js')).SettingsPage }));
const GpuPage = lazy(async () => ({ default: (await import('./pages/GpuPage.js')).GpuPage }));
const LandmarksPage = lazy(async () => ({ default: (await import('./pages/LandmarksPage.js')).LandmarksPage }));

function Page({ route }: { readonly route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'nodes':
      return <NodesPage filter={route.filter} />;
    case 'node':
      return <NodePage key={route.id} id={route.id} range={route.range ?? 'hour'} />;
    case 'gpu':
      return <GpuPage key={`${route.id}/${route.uuid}`} id={route.id} uuid={route.uuid} range={route.range ?? 'hour'} />;
    case 'zone':
      return <ZonePage key={route.id} id={route.id} />;
    case 'alerts':
      return <AlertsPage filter={route.filter} />;
    case 'reports':
      return <ReportsPage />;
    case 'enrollment':
      return <EnrollmentPage />;
    case 'settings':
      return <SettingsPage />;
    case 'landmarks':
      return <LandmarksPage />;
    case 'not-found':
      return <NotFoundPage path={route.path} />;
  }
}

/** The signed-in frame: who the token is decides what the navigation and pages offer. */
function SignedIn({ route, onLogout }: { readonly route: Route; readonly onLogout: () => void }) {
  const api = useApi();
  const me = usePoll('me', (signal) => api.get<Me>(paths.me, { signal }));
  // Pages reload what they show when the server tells of a change, besides polling.
  const changes = useChangeStream(api);
  if (!me.data) return <main>{me.error ? <ErrorBox error={me.error} what="your session" onRetry={me.reload} /> : <Loading what="your session" />}</main>;
  return (
    <MeContext.Provider value={me.data}>
      <ChangesContext.Provider value={changes}>
        <Layout route={route} onLogout={onLogout}>
          <Suspense fallback={<Loading what="the page" />}>
            <Page route={route} />
          </Suspense>
        </Layout>
      </ChangesContext.Provider>
    </MeContext.Provider>
  );
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
      <SignedIn route={route} onLogout={() => logout()} />
    </ApiContext.Provider>
  );
}

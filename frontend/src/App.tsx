// The app shell: who is signed in (from the API, never templated into the HTML), the top bar
// with the experiment switcher and the navigation, and the routes.
import { createContext, lazy, Suspense, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, setUnauthenticatedHandler } from './api/client';
import { getAuthConfig, getMe, searchExperiments } from './api/endpoints';
import type { AuthConfig, Experiment, Me } from './api/types';
import { ErrorState, Spinner, Toaster, useAsync, Badge, EmptyState } from './components/ui';
import { Link, matchPath, navigate, useLocation } from './router';
import { TracesPage } from './pages/TracesPage';
import { GearIcon, NotificationBell, UserMenu } from './components/Menus';
import { useVersion } from './lib/bus';

const SessionsPage = lazy(() => import('./pages/SessionsPage'));
const SchemasPage = lazy(() => import('./pages/SchemasPage'));
const DatasetsPage = lazy(() => import('./pages/DatasetsPage'));
const ReviewHome = lazy(() => import('./pages/ReviewHome'));
const ReviewFocus = lazy(() => import('./pages/ReviewFocus'));
const ExperimentsPage = lazy(() => import('./pages/ExperimentsPage'));
const ExperimentSettingsPage = lazy(() => import('./pages/ExperimentSettingsPage'));
const TokensPage = lazy(() => import('./pages/TokensPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));

export interface Identity {
  me: Me;
  config: AuthConfig;
}
export const IdentityContext = createContext<Identity | null>(null);
export const useIdentity = () => useContext(IdentityContext)!;

export const LAST_EXP = 'assay.lastExperiment';

const SECTIONS = [
  { key: 'traces', label: 'Traces' },
  { key: 'sessions', label: 'Labeling sessions' },
  { key: 'schemas', label: 'Label schemas' },
  { key: 'datasets', label: 'Datasets' },
] as const;

export default function App() {
  const [signedOut, setSignedOut] = useState(false);
  useEffect(() => {
    setUnauthenticatedHandler(() => setSignedOut(true));
    return () => setUnauthenticatedHandler(null);
  }, []);
  const ident = useAsync(async () => {
    const config = await getAuthConfig();
    try {
      const me = await getMe();
      return { config, me } as Identity;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return { config, me: null };
      throw e;
    }
  }, []);
  if (ident.loading && !ident.data) return <Spinner label="Starting Assay…" />;
  if (ident.error) return <ErrorState title="Cannot reach Assay" error={ident.error} onRetry={ident.reload} />;
  const { config, me } = ident.data as { config: AuthConfig; me: Me | null };
  if (!me || signedOut) return <SignIn config={config} />;
  return (
    <IdentityContext.Provider value={{ me, config }}>
      <Shell />
      <Toaster />
    </IdentityContext.Provider>
  );
}

function SignIn({ config }: { config: AuthConfig }) {
  const here = window.location.pathname + window.location.search;
  const href = `${config.login_url}?returnTo=${encodeURIComponent(here)}`;
  return (
    <div className="signin">
      <div className="signin-card">
        <div className="brand brand-large">Assay</div>
        <p>Sign in with your company account to review and label traces.</p>
        <a className="btn btn-primary" href={href}>
          Sign in
        </a>
      </div>
    </div>
  );
}

function Shell() {
  const { pathname } = useLocation();
  const expMatch = matchPath('/experiments/:exp/:section/:id?', pathname) ?? matchPath('/experiments/:exp', pathname);
  const reviewMatch = matchPath('/review/:sid?', pathname);
  const expId = expMatch?.exp;
  useEffect(() => {
    if (expId) localStorage.setItem(LAST_EXP, expId);
  }, [expId]);
  useEffect(() => {
    if (pathname === '/' || pathname === '/index.html') navigate(`/experiments/${localStorage.getItem(LAST_EXP) ?? '0'}/traces`, { replace: true });
    else if (expMatch && !expMatch.section) navigate(`/experiments/${expMatch.exp}/traces`, { replace: true });
  }, [pathname, expMatch]);

  let page: ReactNode;
  if (expMatch?.section) {
    const exp = expMatch.exp;
    switch (expMatch.section) {
      case 'traces':
        page = <TracesPage experimentId={exp} />;
        break;
      case 'sessions':
        page = <SessionsPage experimentId={exp} sessionId={expMatch.id} />;
        break;
      case 'schemas':
        page = <SchemasPage experimentId={exp} />;
        break;
      case 'datasets':
        page = <DatasetsPage experimentId={exp} datasetId={expMatch.id} />;
        break;
      case 'settings':
        if (!expMatch.id) page = <ExperimentSettingsPage experimentId={exp} key={exp} />;
        break;
    }
  } else if (reviewMatch) {
    page = reviewMatch.sid ? <ReviewFocus sessionId={reviewMatch.sid} key={reviewMatch.sid} /> : <ReviewHome />;
  } else if (pathname === '/experiments' || pathname === '/experiments/') {
    page = <ExperimentsPage />;
  } else if (pathname === '/settings/tokens') {
    page = <TokensPage />;
  } else if (pathname === '/admin/audit') {
    page = <AuditPage />;
  }
  if (!page && pathname !== '/') {
    page = (
      <EmptyState title="Page not found" action={<Link to="/">Go to the start page</Link>}>
        Nothing lives at <code>{pathname}</code>.
      </EmptyState>
    );
  }
  const section = expMatch?.section ?? (reviewMatch ? 'review' : pathname.startsWith('/experiments') ? 'experiments' : '');
  return (
    <div className="app">
      <TopBar expId={expId} section={section} />
      <main className="main" id="main">
        <Suspense fallback={<Spinner />}>{page}</Suspense>
      </main>
    </div>
  );
}

const ALL_EXPERIMENTS = '__all__';
const NEW_EXPERIMENT = '__new__';

function TopBar({ expId, section }: { expId?: string; section: string }) {
  const { me, config } = useIdentity();
  const expsVersion = useVersion('experiments');
  const exps = useAsync(() => searchExperiments(), [expsVersion]);
  const lastExp = expId ?? localStorage.getItem(LAST_EXP) ?? '0';
  const local = config.auth_mode === 'local' || !!config.local_mode_notice;
  const switchTo = (id: string) => {
    if (id === ALL_EXPERIMENTS) return navigate('/experiments');
    if (id === NEW_EXPERIMENT) return navigate('/experiments?new=1');
    const s = section && section !== 'review' && section !== 'experiments' ? section : 'traces';
    navigate(`/experiments/${encodeURIComponent(id)}/${s}`);
  };
  // Reviewers who see no experiment (--reviewer-access=session) get the Review App only.
  const reviewerOnly = !!exps.data && exps.data.length === 0 && !me.user.admin;
  const known = exps.data?.some((e: Experiment) => e.experiment_id === lastExp);
  return (
    <header className="topbar">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Link to="/" className="brand" aria-label="Assay home">
        <span className="brand-mark" aria-hidden="true">A</span>Assay
      </Link>
      {exps.data && exps.data.length > 0 && (
        <div className="exp-switch">
          <select aria-label="Experiment" value={section === 'experiments' ? ALL_EXPERIMENTS : lastExp} onChange={(e) => switchTo(e.target.value)}>
            {!known && section !== 'experiments' && <option value={lastExp}>Experiment {lastExp}</option>}
            {exps.data.map((e: Experiment) => (
              <option key={e.experiment_id} value={e.experiment_id}>
                {e.name}
              </option>
            ))}
            <option disabled>──────────</option>
            <option value={ALL_EXPERIMENTS}>All experiments…</option>
            <option value={NEW_EXPERIMENT}>New experiment…</option>
          </select>
          {known && section !== 'experiments' && (
            <Link
              to={`/experiments/${encodeURIComponent(lastExp)}/settings`}
              className={`btn btn-ghost btn-icon topbar-icon ${section === 'settings' ? 'topbar-icon-on' : ''}`}
              aria-label="Experiment settings"
              title="Experiment settings and permissions"
              aria-current={section === 'settings' ? 'page' : undefined}
            >
              <GearIcon />
            </Link>
          )}
        </div>
      )}
      <nav className="nav" aria-label="Main">
        {exps.data && exps.data.length === 0 && !reviewerOnly && (
          <Link to="/experiments" className={section === 'experiments' ? 'active' : ''} aria-current={section === 'experiments' ? 'page' : undefined}>
            Experiments
          </Link>
        )}
        {!reviewerOnly && SECTIONS.map((s) => (
          <Link key={s.key} to={`/experiments/${encodeURIComponent(lastExp)}/${s.key}`} className={section === s.key ? 'active' : ''} aria-current={section === s.key ? 'page' : undefined}>
            {s.label}
          </Link>
        ))}
        <Link to="/review" className={section === 'review' ? 'active' : ''} aria-current={section === 'review' ? 'page' : undefined}>
          Review
        </Link>
      </nav>
      <div className="topbar-right">
        {local && (
          <Badge tone="warn" title={config.local_mode_notice ?? me.notice}>
            Local mode
          </Badge>
        )}
        <NotificationBell />
        <UserMenu user={me.user} local={local} />
      </div>
    </header>
  );
}

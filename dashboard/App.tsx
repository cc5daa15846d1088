import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { loadSession, makeClient, saveSession, type Problem, type Session } from './api.ts';
import { AuthContext, type Auth } from './auth.tsx';
import { LocaleContext, rememberLocale, translate, useLocale, type Locale } from './i18n/index.tsx';
import { Loading } from './components/ProblemBox.tsx';
import { Campaigns } from './pages/Campaigns.tsx';
import { Pools } from './pages/Pools.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { Link, match, navigate, usePath } from './router.tsx';

// The pages with charts load on first visit: recharts is most of the dashboard's code, and the sign-in
// form and the lists of pools and campaigns need none of it.
const PoolPage = lazy(() => import('./pages/PoolPage.tsx').then((m) => ({ default: m.PoolPage })));
const CampaignPage = lazy(() => import('./pages/CampaignPage.tsx').then((m) => ({ default: m.CampaignPage })));
const SupplierPage = lazy(() => import('./pages/SupplierPage.tsx').then((m) => ({ default: m.SupplierPage })));

export function App({ initialLocale }: { initialLocale: Locale }) {
  const [locale, setLocaleState] = useState(initialLocale);
  const setLocale = useCallback((next: Locale) => {
    rememberLocale(next);
    setLocaleState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const path = usePath();
  const localeValue = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  return (
    <LocaleContext.Provider value={localeValue}>
      {path === '/supplier' ? <SupplierLayout /> : <OrganiserLayout path={path} />}
    </LocaleContext.Provider>
  );
}

function LanguageSwitch() {
  const { locale, setLocale, t } = useLocale();
  return (
    <label className="language">
      {t('nav.language')}{' '}
      <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)} data-testid="language">
        <option value="fr">Français</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}

function SupplierLayout() {
  const { t } = useLocale();
  return (
    <>
      <header className="top">
        <span className="brand">{t('app.supplierTitle')}</span>
        <LanguageSwitch />
      </header>
      <main id="main">
        <Suspense fallback={<Loading />}>
          <SupplierPage />
        </Suspense>
      </main>
    </>
  );
}

function OrganiserLayout({ path }: { path: string }) {
  const { t, locale } = useLocale();
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<'expired' | null>(null);
  const client = useMemo(() => makeClient(session?.token ?? null), [session]);

  const signIn = useCallback((next: Session) => {
    saveSession(next);
    setSession(next);
    setNotice(null);
  }, []);
  const signOut = useCallback(() => {
    client.identity.organiserSignOut.mutate().catch(() => {
      // Signing out locally is what matters; the server drops expired sessions itself.
    });
    saveSession(null);
    setSession(null);
    navigate('/signin');
  }, [client]);
  const onProblem = useCallback((problem: Problem) => {
    if (problem.kind !== 'unauthorized') return;
    saveSession(null);
    setSession(null);
    setNotice('expired');
  }, []);

  const auth: Auth | null = useMemo(() => (session ? { session, client, signOut, onProblem } : null), [session, client, signOut, onProblem]);

  useEffect(() => {
    document.title = translate(locale, 'app.title');
  }, [locale]);

  // After an in-app navigation, focus moves to the new page's content (as a page load would put it at the
  // top), so keyboard and screen-reader users start from the new heading rather than the old link.
  const firstPath = useRef(path);
  useEffect(() => {
    if (path === firstPath.current) return;
    firstPath.current = '';
    document.getElementById('main')?.focus();
  }, [path]);

  // Signed out: every organiser address shows the sign-in form (and comes back to that address after).
  if (!auth) {
    return (
      <>
        <header className="top">
          <span className="brand">{t('app.title')}</span>
          <LanguageSwitch />
        </header>
        <main id="main">
          <SignIn onSignedIn={(s) => { signIn(s); if (path === '/' || path === '/signin') navigate('/pools', true); }} expired={notice === 'expired'} />
        </main>
      </>
    );
  }

  let page;
  let params: Record<string, string> | null;
  if ((params = match('/pools/:poolId', path))) page = <PoolPage poolId={params.poolId!} />;
  else if ((params = match('/campaigns/:campaignId', path))) page = <CampaignPage campaignId={params.campaignId!} />;
  else if (match('/campaigns', path)) page = <Campaigns />;
  else page = <Pools />;

  return (
    <AuthContext.Provider value={auth}>
      <a className="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header className="top">
        <span className="brand">{t('app.title')}</span>
        <nav aria-label={t('nav.label')}>
          <ul>
            <li>
              <Link to="/pools" aria-current={path === '/' || path.startsWith('/pools') ? 'page' : undefined}>
                {t('nav.pools')}
              </Link>
            </li>
            <li>
              <Link to="/campaigns" aria-current={path.startsWith('/campaigns') ? 'page' : undefined}>
                {t('nav.campaigns')}
              </Link>
            </li>
          </ul>
        </nav>
        <span className="who" data-testid="organiser-name">
          {auth.session.displayName}
        </span>
        <LanguageSwitch />
        <button type="button" onClick={signOut}>
          {t('nav.signOut')}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>{page}</Suspense>
      </main>
    </AuthContext.Provider>
  );
}

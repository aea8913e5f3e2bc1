import { lazy, Suspense, useEffect, useState } from 'react';
import { Link, NavLink, Route, Routes, useLocation, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { Toaster, toast } from 'sonner';
import { useSession } from './api/session.tsx';
import { getSocket } from './api/client.ts';
import { attachPrivateStreams, useSocketConnected } from './api/live.ts';
import { useBalance } from './api/queries.ts';
import { formatPoints, formatPrice } from './lib/format.ts';
import { currentTheme, setTheme, type Theme } from './lib/theme.ts';
import { MarketsPage } from './pages/MarketsPage.tsx';
import { MarketPage } from './pages/MarketPage.tsx';
import { HotkeysHelp } from './components/HotkeysHelp.tsx';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';

const PortfolioPage = lazy(() => import('./pages/PortfolioPage.tsx'));
const LeaderboardPage = lazy(() => import('./pages/LeaderboardPage.tsx'));
const AdminPage = lazy(() => import('./pages/AdminPage.tsx'));
const SignInPage = lazy(async () => ({ default: (await import('./pages/AuthPages.tsx')).SignInPage }));
const SignUpPage = lazy(async () => ({ default: (await import('./pages/AuthPages.tsx')).SignUpPage }));

export function App() {
  const { user, expired, signOut } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const connected = useSocketConnected();
  const balance = useBalance(user !== null && user !== undefined);
  const [theme, setThemeState] = useState<Theme>(currentTheme);

  // Private streams: fills, balance, positions, payouts.
  useEffect(() => {
    if (user === null || user === undefined) return;
    let off = () => {};
    let alive = true;
    void getSocket().then((s) => {
      if (!alive) return;
      off = attachPrivateStreams(s, queryClient, {
        onFill: ({ fill, order }) => {
          toast.success(`Filled ${fill.quantity} @ ${formatPrice(fill.price)} (order ${order.orderId}, ${fill.role.toLowerCase()})`);
        },
        onNotification: (n) => {
          const what = n.kind === 'MARKET_RESOLVED' ? 'Market resolved' : 'Market voided';
          toast.success(`${what}: you were paid ${formatPoints(n.amount)}`, { duration: 10_000 });
        },
      });
    });
    return () => {
      alive = false;
      off();
    };
  }, [user, queryClient]);

  useEffect(() => {
    if (expired) {
      toast.error('Your session ended. Sign in again to continue.');
      void navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`);
    }
    // Only when it expires; not on every navigation.
  }, [expired]);

  const toggleTheme = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    setTheme(next);
    setThemeState(next);
  };

  return (
    <>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Prediction Markets home">
          <img src="/favicon.svg" alt="" />
          <span>Prediction Markets</span>
        </Link>
        <nav className="nav" aria-label="Main">
          <NavLink to="/" end>Markets</NavLink>
          {user ? <NavLink to="/portfolio">Portfolio</NavLink> : null}
          <NavLink to="/leaderboard">Leaderboard</NavLink>
          {user?.role === 'ADMIN' ? <NavLink to="/admin">Admin</NavLink> : null}
        </nav>
        <div className="topbar-right">
          {connected ? null : <span className="feed offline" role="status">Offline</span>}
          {user && balance.data ? (
            <Link to="/portfolio" className="num" aria-label="Available balance" title="Available balance">
              {formatPoints(balance.data.available)}
            </Link>
          ) : null}
          <button type="button" className="small" onClick={toggleTheme} aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}>
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          {user === undefined ? null : user === null ? (
            <>
              <Link to={`/signin?next=${encodeURIComponent(location.pathname)}`}>Sign in</Link>
              <Link to="/signup" className="btn">Sign up</Link>
            </>
          ) : (
            <>
              <span className="email muted" title={user.email}>{user.email}</span>
              <button type="button" className="small" onClick={() => void signOut()}>Sign out</button>
            </>
          )}
        </div>
      </header>
      <main className="main" id="main">
        <ErrorBoundary resetKey={location.pathname}>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Routes>
            <Route path="/" element={<MarketsPage />} />
            <Route path="/markets/:slug" element={<MarketPage />} />
            <Route path="/portfolio" element={<PortfolioPage />} />
            <Route path="/leaderboard" element={<LeaderboardPage />} />
            <Route path="/signin" element={<SignInPage />} />
            <Route path="/signup" element={<SignUpPage />} />
            <Route path="/admin" element={<AdminPage />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
        </ErrorBoundary>
      </main>
      <HotkeysHelp />
      <Toaster position="bottom-right" richColors closeButton theme={theme} />
    </>
  );
}

function NotFound() {
  return (
    <div className="panel">
      <h1>Page not found</h1>
      <p>
        <Link to="/">Back to the markets</Link>
      </p>
    </div>
  );
}

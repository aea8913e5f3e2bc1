import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from './App.tsx';
import { SessionProvider } from './api/session.tsx';
import { initTheme } from './lib/theme.ts';
import { getSocket } from './api/client.ts';
import { marketQuery } from './api/queries.ts';
import './styles.css';

initTheme();
// Connect the socket while React renders: the market page's book subscribes as soon as it can.
void getSocket();

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { staleTime: 10_000, retry: 1, refetchOnWindowFocus: true },
  },
});
// Opened on a market page: ask for the market while React renders (the page waits for it).
const marketPath = /^\/markets\/([^/]+)\/?$/.exec(window.location.pathname);
if (marketPath !== null) void queryClient.prefetchQuery(marketQuery(decodeURIComponent(marketPath[1]!)));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <SessionProvider>
          <App />
        </SessionProvider>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);

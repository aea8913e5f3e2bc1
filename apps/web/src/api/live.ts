/**
 * Live data from the socket, through the SDK:
 * - Market books: `useMarketBook(slug)` shares one `MarketBook` (snapshot + sequenced deltas,
 *   resync on a gap or reconnect: the SDK's) per market between all components, reference
 *   counted; a component re-renders at most once per animation frame however many deltas arrive.
 * - Private streams (orders, balance, positions, notifications) update the TanStack Query
 *   cache: balance in place, the rest by invalidation, coalesced per animation frame.
 */
import { useEffect, useState } from 'react';
import type { QueryClient, QueryKey } from '@tanstack/react-query';
import type { BookFeedState, MarketBook, PmSocket } from '@prediction-markets/client';
import type { schemas } from '@prediction-markets/shared';
import { getSocket } from './client.ts';
import { qk } from './keys.ts';

/** Run `fn` once in the next animation frame, however often it is scheduled before then. */
export function frameCoalescer(fn: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    const run = () => {
      pending = false;
      fn();
    };
    if (typeof requestAnimationFrame === 'function' && document.visibilityState !== 'hidden') requestAnimationFrame(run);
    else setTimeout(run, 16);
  };
}

interface BookEntry {
  refs: number;
  book: Promise<MarketBook | null>;
  closeTimer: ReturnType<typeof setTimeout> | null;
}

const books = new Map<string, BookEntry>();
/** Keep a released book this long (navigating back and forth does not resubscribe). */
const BOOK_LINGER_MS = 15_000;

function acquireBook(slug: string): Promise<MarketBook | null> {
  let e = books.get(slug);
  if (e === undefined) {
    e = {
      refs: 0,
      closeTimer: null,
      book: getSocket().then(async (s) => {
        const r = await s.subscribe(slug);
        return r.ok ? r.data : null;
      }),
    };
    books.set(slug, e);
  }
  if (e.closeTimer !== null) clearTimeout(e.closeTimer);
  e.closeTimer = null;
  e.refs++;
  return e.book;
}

function releaseBook(slug: string): void {
  const e = books.get(slug);
  if (e === undefined) return;
  e.refs--;
  if (e.refs > 0) return;
  e.closeTimer = setTimeout(() => {
    books.delete(slug);
    void e.book.then((b) => b?.close());
  }, BOOK_LINGER_MS);
}

export interface LiveBook {
  book: MarketBook | null;
  /** Bumped (at most once per frame) whenever the book, its state or its market changed. */
  version: number;
  state: BookFeedState;
}

/**
 * The live book of a market (both ladders). `onTrade` / `onStatus` see every trade and status
 * message in sequence (not coalesced).
 */
export function useMarketBook(
  slug: string | null,
  handlers: { onTrade?: (t: schemas.TradeExecuted) => void; onStatus?: (m: schemas.MarketUpdated) => void; onResync?: () => void } = {},
): LiveBook {
  const [live, setLive] = useState<LiveBook>({ book: null, version: 0, state: 'resyncing' });
  const { onTrade, onStatus, onResync } = handlers;
  useEffect(() => {
    // Another market (or none): never show the previous market's book meanwhile.
    setLive((l) => (l.book === null ? l : { book: null, version: l.version + 1, state: 'resyncing' }));
    if (slug === null) return;
    let alive = true;
    const offs: (() => void)[] = [];
    let current: MarketBook | null = null;
    const bump = frameCoalescer(() => {
      if (alive && current !== null) setLive((l) => ({ book: current, version: l.version + 1, state: current!.state }));
    });
    void acquireBook(slug).then((book) => {
      if (!alive || book === null) return;
      current = book;
      offs.push(book.on('update', bump), book.on('snapshot', bump), book.on('state', bump));
      offs.push(book.on('resync', () => {
        bump();
        onResync?.();
      }));
      offs.push(book.on('trade', (t) => {
        bump();
        onTrade?.(t);
      }));
      offs.push(book.on('status', (m) => {
        bump();
        onStatus?.(m);
      }));
      bump();
    });
    return () => {
      alive = false;
      for (const off of offs) off();
      releaseBook(slug);
    };
  }, [slug, onTrade, onStatus, onResync]);
  return live;
}

/** The socket's connection state for the header: connected or not. */
export function useSocketConnected(): boolean {
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    let offs: (() => void)[] = [];
    let alive = true;
    void getSocket().then((s) => {
      if (!alive) return;
      setConnected(s.connected);
      offs = [s.on('connected', () => setConnected(true)), s.on('disconnected', () => setConnected(false))];
    });
    return () => {
      alive = false;
      for (const off of offs) off();
    };
  }, []);
  return connected;
}

export interface PrivateHandlers {
  onNotification: (n: schemas.NotificationEvent) => void;
  onFill: (f: { fill: schemas.FillDto; order: schemas.OrderChange }) => void;
}

/** Wire the user's private events into the query cache. Returns the unsubscribe function. */
export function attachPrivateStreams(socket: PmSocket, queryClient: QueryClient, handlers: PrivateHandlers): () => void {
  const dirty = new Set<string>();
  const keys: Record<string, QueryKey> = { orders: qk.myOrdersAll, portfolio: qk.portfolio, notifications: qk.notifications, ledger: qk.ledgerAll, balance: qk.balance, fills: qk.fillsAll };
  const flush = frameCoalescer(() => {
    for (const k of dirty) void queryClient.invalidateQueries({ queryKey: keys[k]! });
    dirty.clear();
  });
  const mark = (...ks: string[]) => {
    for (const k of ks) dirty.add(k);
    flush();
  };
  const offs = [
    socket.on('order_placed', () => mark('orders')),
    socket.on('order_updated', () => mark('orders', 'ledger')),
    socket.on('order_cancelled', () => mark('orders')),
    socket.on('fill', (f) => {
      handlers.onFill(f);
      mark('fills');
    }),
    socket.on('balance_updated', (b) => {
      queryClient.setQueryData(qk.balance, { available: b.available, locked: b.locked, total: b.total });
      mark('portfolio');
    }),
    socket.on('position_updated', () => mark('portfolio')),
    socket.on('notification', (n) => {
      handlers.onNotification(n);
      mark('notifications', 'portfolio', 'balance', 'ledger');
    }),
    // After a reconnect, private events may have been missed: refetch everything private.
    socket.on('connected', ({ reconnect }) => {
      if (reconnect) mark('orders', 'portfolio', 'balance', 'notifications', 'ledger', 'fills');
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import * as Tabs from '@radix-ui/react-tabs';
import { toast } from 'sonner';
import type { schemas } from '@prediction-markets/shared';
import { useSession } from '../api/session.tsx';
import { useBalance, useMarket, useMyOrders, usePortfolio, useResolution, useTrades } from '../api/queries.ts';
import { useMarketBook } from '../api/live.ts';
import { qk } from '../api/keys.ts';
import { client, describeError, unwrapResult } from '../api/client.ts';
import { FeedStatus, OrderBook } from '../components/OrderBook.tsx';
import { INITIAL_TICKET, stepPrice, Ticket, type TicketState } from '../components/Ticket.tsx';
import { cancelOrder, isOpenOrder, OrdersTable } from '../components/OrdersTable.tsx';
import { PositionPanel } from '../components/Position.tsx';
import { TradesList } from '../components/Trades.tsx';
import { MarketStatusActions } from '../components/AdminActions.tsx';
import { Confirm } from '../components/Confirm.tsx';
import { displayPriceTenths, formatTenthsCompact, openInterestNow, type Outcome } from '../lib/book.ts';
import { formatDateTime, formatInt, formatPoints, formatTimeLeft } from '../lib/format.ts';
import { isTyping, useMediaQuery, useNow } from '../lib/hooks.ts';

const PriceChart = lazy(() => import('../components/PriceChart.tsx'));
const AmendDialog = lazy(() => import('../components/AmendDialog.tsx'));

export function MarketPage() {
  const { slug = '' } = useParams();
  const queryClient = useQueryClient();
  const { user } = useSession();
  const signedIn = user !== null && user !== undefined;
  const market = useMarket(slug);
  const trades = useTrades(slug);
  const [lastTrade, setLastTrade] = useState<{ yesPrice: number; tsMs: number } | null>(null);

  // The header follows trades without asking the REST view again (one request per trade would
  // spend the visitor's per-IP budget on a busy market): volume and last price from the live
  // book, open interest from the live trades (openInterestNow); status changes and resyncs
  // refresh the REST view.
  const onTrade = useCallback((t: schemas.TradeExecuted) => {
    setLastTrade({ yesPrice: t.yesPrice, tsMs: t.tsMs });
    queryClient.setQueryData<schemas.TradesResponse>(qk.trades(slug), (old) => {
      const row: schemas.TradeDto = { id: t.id, marketId: t.marketId, seq: t.seq, kind: t.kind, yesPrice: t.yesPrice, noPrice: t.noPrice, quantity: t.quantity, takerSide: t.takerSide, takerOutcome: t.takerOutcome, createdAt: new Date(t.tsMs).toISOString() };
      if (old === undefined) return { trades: [row], nextBefore: null };
      if (old.trades.some((x) => x.id === t.id)) return old;
      return { ...old, trades: [row, ...old.trades].slice(0, 100) };
    });
  }, [queryClient, slug]);
  const onStatus = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: qk.market(slug) });
    void queryClient.invalidateQueries({ queryKey: qk.resolution(slug) });
    void queryClient.invalidateQueries({ queryKey: qk.markets });
  }, [queryClient, slug]);
  const onResync = useCallback(() => {
    // Trades may have been missed during the gap: take them again.
    void queryClient.invalidateQueries({ queryKey: qk.trades(slug) });
    void queryClient.invalidateQueries({ queryKey: qk.market(slug) });
  }, [queryClient, slug]);
  const live = useMarketBook(slug, { onTrade, onStatus, onResync });

  const orders = useMyOrders(slug, signedIn);
  const portfolio = usePortfolio(signedIn);
  const balance = useBalance(signedIn);
  const m = market.data;
  const settled = m?.status === 'RESOLVED' || m?.status === 'CANCELLED';
  const resolution = useResolution(slug, settled);
  const position = portfolio.data?.positions.find((p) => p.marketId === m?.id);
  const sharesAvailable = useMemo(
    () => ({ YES: position === undefined ? 0 : position.yesShares - position.yesLockedShares, NO: position === undefined ? 0 : position.noShares - position.noLockedShares }),
    [position],
  );
  const allOrders = orders.data?.orders;
  const openOrders = useMemo(() => (allOrders ?? []).filter(isOpenOrder), [allOrders]);

  const [ticket, setTicket] = useState<TicketState>(INITIAL_TICKET);
  const [bookView, setBookView] = useState<Outcome>('YES');
  const [phoneTab, setPhoneTab] = useState('book');
  const [confirmCancelAll, setConfirmCancelAll] = useState(false);
  const submitRef = useRef<(() => void) | null>(null);
  const qtyRef = useRef<HTMLInputElement | null>(null);
  const phone = useMediaQuery('(max-width: 640px)');
  const now = useNow(1000);

  const onPickPrice = useCallback((outcome: Outcome, price: number) => {
    setTicket((t) => ({ ...t, outcome, type: 'LIMIT', priceText: String(price) }));
    setPhoneTab('ticket');
  }, []);
  const onCancel = useCallback((o: schemas.OrderDto) => void cancelOrder(o), []);
  const [amending, setAmending] = useState<schemas.OrderDto | null>(null);
  const onAmend = useCallback((o: schemas.OrderDto) => setAmending(o), []);

  // Keyboard trading (help: "?").
  useEffect(() => {
    const tick = m?.tickCents ?? 1;
    const on = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
        e.preventDefault();
        submitRef.current?.();
        return;
      }
      if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      const k = e.key;
      const upd = (f: (t: TicketState) => TicketState) => {
        e.preventDefault();
        setTicket(f);
      };
      if (k === 'b' || k === 'B') upd((t) => ({ ...t, side: 'BUY' }));
      else if (k === 's' || k === 'S') upd((t) => ({ ...t, side: 'SELL' }));
      else if (k === 'y' || k === 'Y') upd((t) => ({ ...t, outcome: 'YES' }));
      else if (k === 'n' || k === 'N') upd((t) => ({ ...t, outcome: 'NO' }));
      else if (k === 'l' || k === 'L') upd((t) => ({ ...t, type: 'LIMIT' }));
      else if (k === 'm' || k === 'M') upd((t) => ({ ...t, type: 'MARKET' }));
      else if (k === ']') upd((t) => ({ ...t, priceText: stepPrice(t.priceText, tick, tick, null) }));
      else if (k === '[') upd((t) => ({ ...t, priceText: stepPrice(t.priceText, -tick, tick, null) }));
      else if (k === '}') upd((t) => ({ ...t, priceText: stepPrice(t.priceText, 5 * tick, tick, null) }));
      else if (k === '{') upd((t) => ({ ...t, priceText: stepPrice(t.priceText, -5 * tick, tick, null) }));
      else if (k === 'q' || k === 'Q') {
        e.preventDefault();
        setPhoneTab('ticket');
        setTimeout(() => qtyRef.current?.focus(), 0);
      } else if ((k === 'x' || k === 'X') && signedIn) {
        e.preventDefault();
        setConfirmCancelAll(true);
      }
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, [m?.tickCents, signedIn]);

  if (market.isError) {
    return (
      <div className="panel">
        <h1>Market not found</h1>
        <p className="error">{describeError(market.error)}</p>
        <Link to="/">Back to the markets</Link>
      </div>
    );
  }
  if (m === undefined) return <p className="muted">Loading market…</p>;

  const book = live.book;
  const bestBid = book?.bestBid('YES') ?? null;
  const bestAsk = book?.bestAsk('YES') ?? null;
  const lastPrice = book?.lastPrice ?? m.lastPrice;
  // Once resolved, a YES share is worth 100¢ or nothing.
  const priceTenths = m.status === 'RESOLVED' ? (m.outcome === 'YES' ? 1000 : 0) : displayPriceTenths(bestBid, bestAsk, lastPrice);
  const openInterest = openInterestNow(m, trades.data?.trades ?? []);
  const isAdmin = user?.role === 'ADMIN';
  const isResolver = signedIn && m.resolverId === user.id;

  const header = (
    <section className="panel" aria-label="Market">
      <div className="market-head">
        <span className={`badge ${m.status}`}>{m.status}</span>
        {m.outcome !== null ? <span className={`badge ${m.outcome === 'YES' ? 'OPEN' : 'CANCELLED'}`}>Resolved {m.outcome}</span> : null}
        <FeedStatus state={live.state} seq={book === null ? null : book.seq} />
        <span className="spacer" />
        {isAdmin ? <MarketStatusActions market={{ ...m, openInterest }} /> : isResolver ? <MarketStatusActions market={{ ...m, openInterest }} resolveOnly /> : null}
      </div>
      <h1 style={{ marginTop: 8 }}>{m.question}</h1>
      <div className="row muted" style={{ gap: 16, fontSize: 13 }}>
        <span>
          YES <b className="num yes" style={{ fontSize: 18 }} aria-label="YES price">{formatTenthsCompact(priceTenths)}</b>
        </span>
        <span>Volume <b className="num">{formatInt(book?.volume ?? m.volume)}</b> sh</span>
        <span>Open interest <b className="num" aria-label="Open interest">{formatInt(openInterest)}</b></span>
        <span title={formatDateTime(m.closesAt)}>
          {m.status === 'OPEN' || m.status === 'HALTED' || m.status === 'DRAFT' ? `Closes in ${formatTimeLeft(m.closesAt, now)}` : 'Trading closed'}
        </span>
        <span>Resolver: {m.resolverId === null ? 'admins' : isResolver ? 'you' : <span title={m.resolverId}>designated user</span>}</span>
      </div>
      {m.description !== '' ? (
        <details style={{ marginTop: 8 }}>
          <summary>Rules</summary>
          <p style={{ whiteSpace: 'pre-wrap' }}>{m.description}</p>
        </details>
      ) : null}
      {settled && resolution.data !== undefined ? (
        <div className="preview" style={{ marginTop: 8 }} aria-label="Resolution record">
          <b>{resolution.data.kind === 'RESOLUTION' ? `Resolved ${resolution.data.outcome}` : 'Voided: holders refunded at cost'}</b>{' '}
          <span className="muted">
            on {formatDateTime(resolution.data.resolvedAt)} · paid {formatPoints(resolution.data.paidCents)} to {formatInt(resolution.data.holders)} holder
            {resolution.data.holders === 1 ? '' : 's'} · collateral {formatPoints(resolution.data.collateralCents)}
            {resolution.data.houseCents > 0 ? ` · house ${formatPoints(resolution.data.houseCents)}` : ''}
          </span>
        </div>
      ) : null}
    </section>
  );

  const chart = (
    <div className="panel">
      <Suspense fallback={<div className="chart-box" />}>
        <PriceChart slug={slug} lastTrade={lastTrade} />
      </Suspense>
    </div>
  );
  const bookPanel = (
    <div className="panel">
      <OrderBook book={book} version={live.version} view={bookView} onViewChange={setBookView} myOpenOrders={openOrders} onPickPrice={onPickPrice} onCancel={onCancel} onAmend={onAmend} />
    </div>
  );
  const ticketPanel = (
    <div className="panel">
      <div className="panel-head">
        <h2>Trade</h2>
        {signedIn && balance.data ? <span className="muted num" aria-label="Available to trade">{formatPoints(balance.data.available)} available</span> : null}
      </div>
      <Ticket
        market={m}
        book={book}
        version={live.version}
        ticket={ticket}
        setTicket={setTicket}
        signedIn={signedIn}
        availableCents={balance.data?.available ?? 0}
        sharesAvailable={sharesAvailable}
        submitRef={submitRef}
        qtyInputRef={qtyRef}
      />
      <p className="muted keys-hint" style={{ fontSize: 12, margin: '8px 0 0' }}>
        Press <kbd>?</kbd> for keyboard shortcuts.
      </p>
    </div>
  );
  const positionPanel = (
    <div className="panel">
      <h2>Your position</h2>
      {signedIn ? <PositionPanel position={position} /> : <p className="muted">Sign in to see your position.</p>}
    </div>
  );
  const ordersPanel = (
    <div className="panel">
      <h2>Your orders</h2>
      {signedIn ? <OrdersTable orders={allOrders ?? []} marketSlug={slug} /> : <p className="muted">Sign in to see your orders.</p>}
    </div>
  );
  const tradesPanel = (
    <div className="panel">
      <h2>Recent trades</h2>
      <TradesList trades={trades.data?.trades ?? []} />
    </div>
  );

  const amendDialog = amending === null ? null : (
    <Suspense fallback={null}>
      <AmendDialog order={amending} onClose={() => setAmending(null)} />
    </Suspense>
  );
  const cancelAllDialog = (
    <Confirm
      open={confirmCancelAll}
      onOpenChange={setConfirmCancelAll}
      title="Cancel all your orders in this market?"
      confirmLabel={`Cancel ${openOrders.length} order${openOrders.length === 1 ? '' : 's'}`}
      danger
      onConfirm={() => {
        void client.cancelAllOrders(slug).then((r) => {
          try {
            const d = unwrapResult(r);
            toast.success(`Cancelled ${d.cancelledOrderIds.length} order${d.cancelledOrderIds.length === 1 ? '' : 's'}`);
          } catch (e) {
            toast.error(describeError(e));
          }
        });
      }}
    >
      <p>{openOrders.length} open order{openOrders.length === 1 ? '' : 's'} will be cancelled and their escrow released.</p>
    </Confirm>
  );

  if (phone) {
    return (
      <div className="grid">
        {header}
        {chart}
        <Tabs.Root value={phoneTab} onValueChange={setPhoneTab}>
          <Tabs.List className="seg full" aria-label="Market sections">
            <Tabs.Trigger value="book">Book</Tabs.Trigger>
            <Tabs.Trigger value="ticket">Ticket</Tabs.Trigger>
            <Tabs.Trigger value="orders">Orders</Tabs.Trigger>
            <Tabs.Trigger value="trades">Trades</Tabs.Trigger>
          </Tabs.List>
          <Tabs.Content value="book" style={{ marginTop: 10 }}>{bookPanel}</Tabs.Content>
          <Tabs.Content value="ticket" style={{ marginTop: 10 }} className="grid">{ticketPanel}{positionPanel}</Tabs.Content>
          <Tabs.Content value="orders" style={{ marginTop: 10 }}>{ordersPanel}</Tabs.Content>
          <Tabs.Content value="trades" style={{ marginTop: 10 }}>{tradesPanel}</Tabs.Content>
        </Tabs.Root>
        {cancelAllDialog}
        {amendDialog}
      </div>
    );
  }
  return (
    <div>
      {header}
      <div className="market-grid">
        <div className="market-left">
          {chart}
          <div className="two">
            {bookPanel}
            {tradesPanel}
          </div>
          {ordersPanel}
        </div>
        <div className="market-right">
          {ticketPanel}
          {positionPanel}
        </div>
      </div>
      {cancelAllDialog}
      {amendDialog}
    </div>
  );
}

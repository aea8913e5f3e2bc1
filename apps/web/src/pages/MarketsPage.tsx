import { memo, useCallback, useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { qk } from '../api/keys.ts';
import { Link, useSearchParams } from 'react-router';
import type { schemas } from '@prediction-markets/shared';
import { useMarkets, useMarketStats } from '../api/queries.ts';
import { useMarketBook } from '../api/live.ts';
import { describeError } from '../api/client.ts';
import { displayPriceTenths, formatTenthsCompact, openInterestNow } from '../lib/book.ts';
import { formatInt, formatTimeLeft } from '../lib/format.ts';
import { useNow } from '../lib/hooks.ts';

type Sort = 'volume' | 'closing' | 'newest';
const STATUSES = ['ALL', 'OPEN', 'HALTED', 'CLOSED', 'RESOLVED', 'CANCELLED', 'DRAFT'] as const;

/** A change in tenths of a cent: +2.5¢ / −1¢ / 0¢. */
function formatTenthsChange(t: number | null): string {
  if (t === null) return '—';
  if (t === 0) return '0¢';
  const a = Math.abs(t);
  return `${t > 0 ? '+' : '−'}${a % 10 === 0 ? a / 10 : `${Math.floor(a / 10)}.${a % 10}`}¢`;
}

/** Cards that follow their market live over the socket (a socket may hold SOCKET_LIMITS.maxSubscriptionsPerSocket = 50 views; the market page needs one more). */
const LIVE_CARDS = 30;

const MarketCard = memo(function MarketCard({ market, stats, now, live: wantLive }: { market: schemas.MarketDto; stats: schemas.MarketStatsDto | undefined; now: number; live: boolean }) {
  const liveable = wantLive && (market.status === 'OPEN' || market.status === 'HALTED');
  const queryClient = useQueryClient();
  // A status change (halt, close, settlement) refreshes the list.
  const onStatus = useCallback(() => void queryClient.invalidateQueries({ queryKey: qk.markets }), [queryClient]);
  // Open interest follows the trades after the listed figure's sequence number (openInterestNow).
  const [liveTrades, setLiveTrades] = useState<{ seq: number; kind: schemas.TradeExecuted['kind']; quantity: number }[]>([]);
  const listedSeq = useRef(market.seq);
  listedSeq.current = market.seq;
  const onTrade = useCallback((t: schemas.TradeExecuted) => {
    setLiveTrades((l) => [...l.filter((x) => x.seq > listedSeq.current), { seq: t.seq, kind: t.kind, quantity: t.quantity }]);
  }, []);
  const handlers = useMemo(() => ({ onStatus, onTrade }), [onStatus, onTrade]);
  const live = useMarketBook(liveable ? market.slug : null, handlers);
  const book = live.book;
  const bid = book !== null ? book.bestBid('YES') : market.bestBid;
  const ask = book !== null ? book.bestAsk('YES') : market.bestAsk;
  const last = book?.lastPrice ?? market.lastPrice;
  const price = market.status === 'RESOLVED' ? (market.outcome === 'YES' ? 1000 : 0) : displayPriceTenths(bid, ask, last);
  const base = stats?.price24hAgo ?? stats?.firstPrice24h ?? null;
  const change = price !== null && base !== null && market.status !== 'RESOLVED' ? price - base * 10 : null;
  return (
    <Link to={`/markets/${market.slug}`} className="panel market-card" aria-label={`${market.question}, YES ${formatTenthsCompact(price)}`}>
      <div className="row">
        <span className={`badge ${market.status}`}>{market.status}</span>
        {market.outcome !== null ? <span className="badge">Resolved {market.outcome}</span> : null}
        <span className="spacer" />
        <span className="muted" style={{ fontSize: 12 }}>{market.status === 'OPEN' || market.status === 'HALTED' ? `closes in ${formatTimeLeft(market.closesAt, now)}` : ''}</span>
      </div>
      <div className="q">{market.question}</div>
      <div className="row" style={{ alignItems: 'baseline' }}>
        <span className="price yes">{formatTenthsCompact(price)}</span>
        <span className="muted">YES</span>
        <span className={`num ${change === null || change === 0 ? 'muted' : change > 0 ? 'pos' : 'neg'}`} title="Change over 24 hours">
          {formatTenthsChange(change)} 24h
        </span>
      </div>
      <div className="stats">
        <div>
          <span className="muted">Bid / Ask</span>
          <b>{bid ?? '—'} / {ask ?? '—'}</b>
        </div>
        <div>
          <span className="muted">Volume</span>
          <b>{formatInt(book?.volume ?? market.volume)}</b>
        </div>
        <div>
          <span className="muted">24h vol</span>
          <b>{formatInt(stats?.volume24h ?? 0)}</b>
        </div>
        <div>
          <span className="muted">Open int.</span>
          <b>{formatInt(openInterestNow(market, liveTrades))}</b>
        </div>
      </div>
    </Link>
  );
});

export function MarketsPage() {
  const markets = useMarkets();
  const stats = useMarketStats();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const status = params.get('status') ?? 'OPEN';
  const sort = (params.get('sort') ?? 'volume') as Sort;
  const now = useNow(1000);
  const setParam = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    next.set(k, v);
    setParams(next, { replace: true });
  };
  const statsById = useMemo(() => new Map((stats.data?.stats ?? []).map((s) => [s.marketId, s])), [stats.data]);
  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const list = (markets.data?.markets ?? []).filter(
      (m) => (status === 'ALL' || m.status === status) && (needle === '' || m.question.toLowerCase().includes(needle) || m.slug.includes(needle) || m.description.toLowerCase().includes(needle)),
    );
    const closeMs = (m: schemas.MarketDto) => (m.closesAt === null ? Number.MAX_SAFE_INTEGER : new Date(m.closesAt).getTime());
    list.sort((a, b) =>
      sort === 'volume' ? b.volume - a.volume || a.slug.localeCompare(b.slug) : sort === 'closing' ? closeMs(a) - closeMs(b) : b.createdAt.localeCompare(a.createdAt),
    );
    return list;
  }, [markets.data, q, status, sort]);

  return (
    <div>
      <h1>Markets</h1>
      <div className="toolbar" role="search">
        <input type="search" aria-label="Search markets" placeholder="Search markets…" value={q} onChange={(e) => setParam('q', e.target.value)} />
        <label>
          Status
          <select aria-label="Filter by status" value={status} onChange={(e) => setParam('status', e.target.value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>{s === 'ALL' ? 'All' : s.charAt(0) + s.slice(1).toLowerCase()}</option>
            ))}
          </select>
        </label>
        <label>
          Sort by
          <select aria-label="Sort markets" value={sort} onChange={(e) => setParam('sort', e.target.value)}>
            <option value="volume">Volume</option>
            <option value="closing">Closing soon</option>
            <option value="newest">Newest</option>
          </select>
        </label>
      </div>
      {markets.isError ? <p className="error">{describeError(markets.error)}</p> : null}
      {markets.isLoading ? <p className="muted">Loading markets…</p> : null}
      {markets.data !== undefined && shown.length === 0 ? <p className="empty">No markets match.</p> : null}
      <div className="market-cards">
        {shown.map((m, i) => (
          <MarketCard key={m.id} market={m} stats={statsById.get(m.id)} now={now} live={i < LIVE_CARDS} />
        ))}
      </div>
    </div>
  );
}

import { memo, useMemo } from 'react';
import type { BookFeedState, BookLevel, MarketBook } from '@prediction-markets/client';
import { priceInOutcome, type schemas } from '@prediction-markets/shared';
import { formatInt, formatPrice } from '../lib/format.ts';
import { placeInLadder, type Outcome } from '../lib/book.ts';

/** A level as the book reports it; `houseQty` (shares of the house market maker) when the server sends it. */
type Level = BookLevel & { houseQty?: number };

const FEED_TEXT: Record<BookFeedState, string> = { live: 'Live', resyncing: 'Resyncing', offline: 'Offline' };

export function FeedStatus({ state, seq }: { state: BookFeedState; seq: number | null }) {
  return (
    <span className={`feed ${state}`} role="status" aria-label={`Feed ${FEED_TEXT[state]}`} title={seq === null ? undefined : `sequence ${seq}`}>
      {FEED_TEXT[state]}
      {seq !== null && seq >= 0 ? <span className="muted num"> #{seq}</span> : null}
    </span>
  );
}

interface Props {
  book: MarketBook | null;
  version: number;
  view: Outcome;
  onViewChange: (v: Outcome) => void;
  myOpenOrders: schemas.OrderDto[];
  onPickPrice: (outcome: Outcome, price: number) => void;
  onCancel: (order: schemas.OrderDto) => void;
  /** Amend one of the user's orders (opens the amend dialog). */
  onAmend: (order: schemas.OrderDto) => void;
  /** Rows per side (the rest scrolls). */
  depth?: number;
}

/** The order book ladder of one outcome (YES or NO view of the same book), with the user's own orders in their rows. */
export const OrderBook = memo(function OrderBook({ book, version, view, onViewChange, myOpenOrders, onPickPrice, onCancel, onAmend, depth = 10 }: Props) {
  const ladder = useMemo(() => (book === null ? { bids: [] as Level[], asks: [] as Level[] } : (book.ladder(view) as { bids: Level[]; asks: Level[] })),
    [book, version, view]);
  const mine = useMemo(() => {
    const m = new Map<string, schemas.OrderDto[]>();
    for (const o of myOpenOrders) {
      if (o.price === null) continue;
      const at = placeInLadder({ side: o.side, outcome: o.outcome, price: o.price }, view);
      const k = `${at.side}:${at.price}`;
      const list = m.get(k);
      if (list === undefined) m.set(k, [o]);
      else list.push(o);
    }
    return m;
  }, [myOpenOrders, view]);
  const asks = ladder.asks.slice(0, depth);
  const bids = ladder.bids.slice(0, depth);
  let max = 1;
  for (const l of asks) max = Math.max(max, l.quantity);
  for (const l of bids) max = Math.max(max, l.quantity);
  const bestBid = bids[0]?.price ?? null;
  const bestAsk = asks[0]?.price ?? null;
  const last = book?.lastPrice ?? null;
  const lastInView = last === null ? null : priceInOutcome(last, view);

  const row = (l: Level, side: 'bid' | 'ask', cum: number) => {
    const own = mine.get(`${side}:${l.price}`) ?? [];
    const what = side === 'ask' ? 'Ask' : 'Bid';
    return (
      <div
        key={`${side}${l.price}`}
        className={`lrow ${side}`}
        role="row"
        aria-label={`${view} ${what} ${l.price}¢, ${l.quantity} shares${l.houseQty !== undefined && l.houseQty > 0 ? ` (${l.houseQty} from the house maker)` : ''}${own.length > 0 ? `, including your ${own.length} order${own.length > 1 ? 's' : ''}` : ''}`}
        onClick={() => onPickPrice(view, l.price)}
      >
        <span className="bar" style={{ width: `${(l.quantity / max) * 100}%` }} />
        {l.houseQty !== undefined && l.houseQty > 0 ? <span className="house" style={{ width: `${(l.houseQty / max) * 100}%` }} title={`House market maker: ${l.houseQty} shares`} /> : null}
        <span className="p" role="cell">
          <button type="button" className="link" aria-label={`Use ${view} ${what.toLowerCase()} price ${l.price}¢ in the ticket`} onClick={(e) => { e.stopPropagation(); onPickPrice(view, l.price); }}>
            <span className={side === 'ask' ? 'no' : 'yes'}>{l.price}¢</span>
          </button>
        </span>
        <span className="q" role="cell">{formatInt(l.quantity)}</span>
        <span className="t muted" role="cell">{formatInt(cum)}</span>
        <span className="mine" role="cell">
          {own.map((o) => (
            <span key={o.id} className="row" style={{ gap: 2, flexWrap: 'nowrap' }}>
              <span className="mine-tag" title={`Your order ${o.id}: ${o.side} ${o.outcome} ${o.remainingQuantity} of ${o.quantity} left`}>
                You {formatInt(o.remainingQuantity)}
              </span>
              <button type="button" className="small" aria-label={`Amend your order ${o.id} at ${formatPrice(o.price)}`} title="Amend price or quantity" onClick={(e) => { e.stopPropagation(); onAmend(o); }}>
                ✎
              </button>
              <button type="button" className="small danger" aria-label={`Cancel your order ${o.id} at ${formatPrice(o.price)}`} onClick={(e) => { e.stopPropagation(); onCancel(o); }}>
                ✕
              </button>
            </span>
          ))}
        </span>
      </div>
    );
  };

  let cumA = 0;
  const askRows = asks.map((l) => row(l, 'ask', (cumA += l.quantity))).reverse();
  let cumB = 0;
  const bidRows = bids.map((l) => row(l, 'bid', (cumB += l.quantity)));

  return (
    <section aria-label={`Order book, ${view} view`}>
      <div className="panel-head">
        <div className="seg" role="radiogroup" aria-label="Order book view">
          {(['YES', 'NO'] as const).map((o) => (
            <button key={o} type="button" role="radio" aria-checked={view === o} className={o === 'YES' ? 'yes-on' : 'no-on'} onClick={() => onViewChange(o)}>
              {o} book
            </button>
          ))}
        </div>
      </div>
      <div className="ladder" role="table" aria-label={`${view} ladder`}>
        <div className="ladder-head" role="row">
          <span role="columnheader">Price</span>
          <span role="columnheader">Shares</span>
          <span role="columnheader">Total</span>
          <span role="columnheader" style={{ textAlign: 'right' }}>Mine</span>
        </div>
        <div className="ladder-asks">{askRows.length === 0 ? <div className="empty">No asks</div> : askRows}</div>
        <div className="spread-row" aria-label="Spread and last price">
          <span>
            Spread <b className="num">{bestBid !== null && bestAsk !== null ? `${bestAsk - bestBid}¢` : '—'}</b>
          </span>
          <span>
            Last <b className="num">{formatPrice(lastInView)}</b>
          </span>
        </div>
        <div className="ladder-bids">{bidRows.length === 0 ? <div className="empty">No bids</div> : bidRows}</div>
      </div>
      {[...asks, ...bids].some((l) => l.houseQty !== undefined && l.houseQty > 0) ? (
        <p className="muted" style={{ fontSize: 12, margin: '6px 0 0' }}>
          <span className="house-key" aria-hidden="true" /> shaded: the house market maker's shares
        </p>
      ) : null}
    </section>
  );
});

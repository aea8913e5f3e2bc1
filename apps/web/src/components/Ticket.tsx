import { useEffect, useMemo, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { Link } from 'react-router';
import { toast } from 'sonner';
import type { MarketBook } from '@prediction-markets/client';
import { newClientOrderId } from '@prediction-markets/client';
import type { schemas } from '@prediction-markets/shared';
import { client, describeError, unwrapResult } from '../api/client.ts';
import { computePreview, missingInput, PROBLEM_TEXT, type PreviewTif } from '../lib/preview.ts';
import { formatBps, formatInt, formatPoints, formatPrice, formatTenthsPrice, parsePointsToCents, parsePositiveInt } from '../lib/format.ts';
import type { Outcome } from '../lib/book.ts';

/** The ticket's inputs as typed (text fields stay text until submit). */
export interface TicketState {
  side: 'BUY' | 'SELL';
  outcome: Outcome;
  type: 'LIMIT' | 'MARKET';
  priceText: string;
  qtyText: string;
  /** Market buys: points to spend. */
  amountText: string;
  tif: PreviewTif;
  /** GTD: a datetime-local value in the user's time zone. */
  expiresText: string;
  postOnly: boolean;
}

export const INITIAL_TICKET: TicketState = { side: 'BUY', outcome: 'YES', type: 'LIMIT', priceText: '', qtyText: '', amountText: '', tif: 'GTC', expiresText: '', postOnly: false };

/** Most shares a market buy asks for (the engine's default MAX_ORDER_QTY); the spend cap decides what fills. */
const MARKET_BUY_MAX_QTY = 1_000_000;

interface Props {
  market: schemas.MarketDto;
  book: MarketBook | null;
  version: number;
  ticket: TicketState;
  setTicket: Dispatch<SetStateAction<TicketState>>;
  signedIn: boolean;
  availableCents: number;
  /** Unlocked shares held: YES and NO. */
  sharesAvailable: { YES: number; NO: number };
  /** Register the submit function for the hotkey. */
  submitRef?: { current: (() => void) | null };
  qtyInputRef?: { current: HTMLInputElement | null };
}

/** Step the price text by `delta` within 1..99, on the market's tick. */
export function stepPrice(text: string, delta: number, tick: number, fallback: number | null): string {
  const cur = parsePositiveInt(text) ?? fallback ?? 50;
  const next = Math.min(100 - tick, Math.max(tick, Math.round((cur + delta) / tick) * tick));
  return String(next);
}

export function Ticket({ market, book, version, ticket, setTicket, signedIn, availableCents, sharesAvailable, submitRef, qtyInputRef }: Props) {
  const [submitting, setSubmitting] = useState(false);
  const [apiError, setApiError] = useState<string | null>(null);
  // One clientOrderId per distinct order: a double click or a retry repeats it (the server answers with the same order).
  const clientOrderId = useRef(newClientOrderId());
  useEffect(() => {
    clientOrderId.current = newClientOrderId();
    setApiError(null);
  }, [ticket]);

  const set = <K extends keyof TicketState>(k: K, v: TicketState[K]) => setTicket((t) => ({ ...t, [k]: v }));
  const price = parsePositiveInt(ticket.priceText);
  const qty = parsePositiveInt(ticket.qtyText);
  const maxCost = parsePointsToCents(ticket.amountText);
  const expiresAtMs = ticket.expiresText === '' ? null : new Date(ticket.expiresText).getTime();
  const isMarketBuy = ticket.type === 'MARKET' && ticket.side === 'BUY';
  const tif: PreviewTif = ticket.type === 'MARKET' && (ticket.tif === 'GTC' || ticket.tif === 'GTD') ? 'IOC' : ticket.tif;

  const missing = missingInput({
    signedIn,
    tradable: market.status === 'OPEN',
    type: ticket.type,
    side: ticket.side,
    priceCents: price,
    qtyShares: qty,
    maxCostCents: maxCost === 0 ? null : maxCost,
    tif,
    expiresAtMs,
    nowMs: Date.now(),
  });

  const preview = useMemo(() => {
    if (book === null) return null;
    if (ticket.type === 'LIMIT' && (price === null || qty === null)) return null;
    if (ticket.type === 'MARKET' && (isMarketBuy ? maxCost === null || maxCost === 0 : qty === null)) return null;
    const ladder = book.ladder(ticket.outcome);
    return computePreview({
      side: ticket.side,
      type: ticket.type,
      priceCents: price,
      qtyShares: qty,
      maxCostCents: maxCost,
      tif,
      postOnly: ticket.postOnly,
      asks: ladder.asks,
      bids: ladder.bids,
      availableCents,
      sharesAvailable: sharesAvailable[ticket.outcome],
    });
    // `version` changes whenever the live book does.
  }, [book, version, ticket, price, qty, maxCost, tif, isMarketBuy, availableCents, sharesAvailable]);

  const submit = async () => {
    if (missing !== null || submitting) return;
    setSubmitting(true);
    setApiError(null);
    const body: schemas.PlaceOrderBody | Record<string, unknown> = {
      side: ticket.side,
      outcome: ticket.outcome,
      type: ticket.type,
      quantity: isMarketBuy ? Math.min(MARKET_BUY_MAX_QTY, maxCost ?? 1) : qty!,
      timeInForce: tif,
      postOnly: ticket.type === 'LIMIT' ? ticket.postOnly : false,
      clientOrderId: clientOrderId.current,
      ...(ticket.type === 'LIMIT' ? { price: price! } : {}),
      ...(isMarketBuy ? { maxCost: maxCost! } : {}),
      ...(ticket.type === 'LIMIT' && tif === 'GTD' && expiresAtMs !== null ? { expiresAt: new Date(expiresAtMs).toISOString() } : {}),
    };
    try {
      const r = unwrapResult(await client.placeOrder(market.slug, body as Parameters<typeof client.placeOrder>[1]));
      const filled = r.order.filledQuantity;
      const o = r.order;
      const what = `${o.side === 'BUY' ? 'Bought' : 'Sold'} ${formatInt(filled)} ${o.outcome}`;
      if (o.status === 'OPEN' || o.status === 'PARTIALLY_FILLED') {
        toast.success(`${filled > 0 ? `${what}; ` : ''}${formatInt(o.remainingQuantity)} ${o.outcome} resting at ${formatPrice(o.price)}`);
      } else if (o.status === 'FILLED') {
        toast.success(`${what} — filled`);
      } else {
        toast(`${filled > 0 ? `${what}; ` : ''}the rest was not filled (${o.reason ?? o.status})`);
      }
      clientOrderId.current = newClientOrderId();
    } catch (e) {
      const text = describeError(e);
      setApiError(text);
      toast.error(text);
    } finally {
      setSubmitting(false);
    }
  };
  if (submitRef !== undefined) submitRef.current = () => void submit();

  const tick = market.tickCents;
  const outcomeName = ticket.outcome;
  const label = missing ?? `${ticket.side === 'BUY' ? 'Buy' : 'Sell'} ${outcomeName}${ticket.type === 'LIMIT' && qty !== null && price !== null ? ` · ${formatInt(qty)} @ ${price}¢` : ''}`;
  const btnClass = missing !== null ? 'submit' : ticket.outcome === 'YES' ? 'submit buy-yes' : 'submit buy-no';

  return (
    <form
      className="ticket"
      aria-label="Trade ticket"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="seg full" role="radiogroup" aria-label="Side">
        {(['BUY', 'SELL'] as const).map((s) => (
          <button key={s} type="button" role="radio" aria-checked={ticket.side === s} onClick={() => set('side', s)}>
            {s === 'BUY' ? 'Buy' : 'Sell'}
          </button>
        ))}
      </div>
      <div className="seg full" role="radiogroup" aria-label="Outcome">
        {(['YES', 'NO'] as const).map((o) => (
          <button key={o} type="button" role="radio" aria-checked={ticket.outcome === o} className={o === 'YES' ? 'yes-on' : 'no-on'} onClick={() => set('outcome', o)}>
            {o === 'YES' ? 'Yes' : 'No'}
            {book !== null ? <span className="muted num"> {formatPrice(ticket.side === 'BUY' ? book.bestAsk(o) : book.bestBid(o))}</span> : null}
          </button>
        ))}
      </div>
      <div className="seg full" role="radiogroup" aria-label="Order type">
        {(['LIMIT', 'MARKET'] as const).map((t) => (
          <button key={t} type="button" role="radio" aria-checked={ticket.type === t} onClick={() => set('type', t)}>
            {t === 'LIMIT' ? 'Limit' : 'Market'}
          </button>
        ))}
      </div>

      {ticket.type === 'LIMIT' ? (
        <label>
          Limit price (¢ per {outcomeName} share)
          <div className="stepper">
            <button type="button" aria-label={`Price down ${5 * tick}¢`} onClick={() => set('priceText', stepPrice(ticket.priceText, -5 * tick, tick, null))}>−{5 * tick}</button>
            <button type="button" aria-label={`Price down ${tick}¢`} onClick={() => set('priceText', stepPrice(ticket.priceText, -tick, tick, null))}>−{tick}</button>
            <input aria-label="Limit price in cents" inputMode="numeric" placeholder="1–99" value={ticket.priceText} onChange={(e) => set('priceText', e.target.value)} />
            <button type="button" aria-label={`Price up ${tick}¢`} onClick={() => set('priceText', stepPrice(ticket.priceText, tick, tick, null))}>+{tick}</button>
            <button type="button" aria-label={`Price up ${5 * tick}¢`} onClick={() => set('priceText', stepPrice(ticket.priceText, 5 * tick, tick, null))}>+{5 * tick}</button>
          </div>
        </label>
      ) : null}

      {isMarketBuy ? (
        <label>
          Amount to spend (points)
          <input aria-label="Amount to spend in points" inputMode="decimal" placeholder="e.g. 25" value={ticket.amountText} onChange={(e) => set('amountText', e.target.value)} />
        </label>
      ) : (
        <label>
          Quantity (shares)
          <input ref={qtyInputRef} aria-label="Quantity in shares" inputMode="numeric" placeholder="e.g. 10" value={ticket.qtyText} onChange={(e) => set('qtyText', e.target.value)} />
        </label>
      )}

      <div className="row">
        <label style={{ flex: 1 }}>
          Time in force
          <select aria-label="Time in force" value={tif} onChange={(e) => set('tif', e.target.value as PreviewTif)}>
            {ticket.type === 'LIMIT' ? <option value="GTC">GTC — good till cancelled</option> : null}
            {ticket.type === 'LIMIT' ? <option value="GTD">GTD — good till date</option> : null}
            <option value="IOC">IOC — immediate or cancel</option>
            <option value="FOK">FOK — fill or kill</option>
          </select>
        </label>
        {ticket.type === 'LIMIT' ? (
          <label className="inline" style={{ marginTop: 18 }}>
            <input type="checkbox" checked={ticket.postOnly} onChange={(e) => set('postOnly', e.target.checked)} aria-label="Post-only" />
            Post-only
          </label>
        ) : null}
      </div>
      {ticket.type === 'LIMIT' && tif === 'GTD' ? (
        <label>
          Expires at (your time)
          <input type="datetime-local" aria-label="Expiry time" value={ticket.expiresText} onChange={(e) => set('expiresText', e.target.value)} />
        </label>
      ) : null}

      {preview !== null ? (
        <div className="preview" aria-label="Order preview" role="region">
          <dl className="kv">
            <dt>Fills now</dt>
            <dd>
              {formatInt(preview.filledShares)} sh{preview.avgPriceTenths !== null ? ` @ avg ${formatTenthsPrice(preview.avgPriceTenths)}` : ''}
            </dd>
            {preview.restingShares > 0 ? (
              <>
                <dt>Rests on book</dt>
                <dd>{formatInt(preview.restingShares)} sh @ {formatPrice(price)}</dd>
              </>
            ) : null}
            {preview.droppedShares > 0 && !isMarketBuy ? (
              <>
                <dt>Not filled</dt>
                <dd>{formatInt(preview.droppedShares)} sh</dd>
              </>
            ) : null}
            {ticket.side === 'BUY' ? (
              <>
                <dt>Cost</dt>
                <dd>{formatPoints(preview.costCents)}</dd>
                <dt>Payout if {outcomeName}</dt>
                <dd>{formatPoints(preview.payoutIfRightCents)}</dd>
                <dt>Potential profit</dt>
                <dd className={preview.profitIfRightCents >= 0 ? 'pos' : 'neg'}>
                  {formatPoints(preview.profitIfRightCents, { sign: true })} ({formatBps(preview.returnBps, { sign: true })})
                </dd>
              </>
            ) : (
              <>
                <dt>Proceeds</dt>
                <dd>{formatPoints(preview.proceedsCents)}</dd>
              </>
            )}
            <dt>Balance after</dt>
            <dd>{formatPoints(preview.balanceAfterCents)}</dd>
          </dl>
          {preview.problem !== null ? <div className="problem" role="note">{PROBLEM_TEXT[preview.problem]}</div> : null}
        </div>
      ) : null}

      {apiError !== null ? <div className="error" role="alert">{apiError}</div> : null}
      {!signedIn ? (
        <p className="muted" style={{ margin: 0 }}>
          <Link to={`/signin?next=/markets/${market.slug}`}>Sign in</Link> or <Link to="/signup">sign up</Link> to trade.
        </p>
      ) : null}
      <button type="submit" className={btnClass} disabled={missing !== null || submitting} aria-label={submitting ? 'Submitting order' : label}>
        {submitting ? 'Submitting…' : label}
      </button>
    </form>
  );
}

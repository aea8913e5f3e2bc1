import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useSession } from '../api/session.tsx';
import { useBalance, useFills, useLedger, useMarkets, useMyOrders, useNotifications, usePortfolio } from '../api/queries.ts';
import { OrdersTable } from '../components/OrdersTable.tsx';
import { avgCostTenths } from '../components/Position.tsx';
import { formatDateTime, formatInt, formatPoints, formatPrice, formatTenthsPrice } from '../lib/format.ts';

function SignInFirst() {
  return (
    <div className="panel">
      <p>
        <Link to="/signin?next=/portfolio">Sign in</Link> to see your portfolio.
      </p>
    </div>
  );
}

const pnlClass = (n: number) => (n > 0 ? 'pos' : n < 0 ? 'neg' : 'muted');

/** Newer / older buttons of a cursor-paged list (`what` names it for screen readers). */
function Pager({ what, cursors, setCursors, nextBefore }: { what: string; cursors: (number | null)[]; setCursors: (f: (c: (number | null)[]) => (number | null)[]) => void; nextBefore: number | null | undefined }) {
  return (
    <span className="row">
      <button type="button" className="small" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))} aria-label={`Newer ${what}`}>
        ← Newer
      </button>
      <button type="button" className="small" disabled={nextBefore == null} onClick={() => setCursors((c) => [...c, nextBefore ?? null])} aria-label={`Older ${what}`}>
        Older →
      </button>
    </span>
  );
}

export default function PortfolioPage() {
  const { user } = useSession();
  const signedIn = user !== null && user !== undefined;
  const portfolio = usePortfolio(signedIn);
  const balance = useBalance(signedIn);
  const orders = useMyOrders(null, signedIn);
  const markets = useMarkets();
  const notifications = useNotifications(signedIn);
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const ledger = useLedger(cursors[cursors.length - 1] ?? null, signedIn);
  const [fillCursors, setFillCursors] = useState<(number | null)[]>([null]);
  const fills = useFills(fillCursors[fillCursors.length - 1] ?? null, signedIn);
  const marketMap = useMemo(() => new Map((markets.data?.markets ?? []).map((m) => [m.slug, m])), [markets.data]);
  const marketById = useMemo(() => new Map((markets.data?.markets ?? []).map((m) => [m.id, m])), [markets.data]);
  if (user === undefined) return <p className="muted">Loading…</p>;
  if (!signedIn) return <SignInFirst />;
  const b = balance.data ?? portfolio.data?.balance;
  const totals = portfolio.data?.totals;
  const positions = (portfolio.data?.positions ?? []).filter((p) => p.yesShares !== 0 || p.noShares !== 0 || p.realisedPnl !== 0);

  return (
    <div className="grid">
      <h1>Portfolio</h1>
      <div className="cards" aria-label="Balance">
        <div className="panel">
          <h3>Available</h3>
          <div className="card-num" aria-label="Available points">{b ? formatPoints(b.available) : '—'}</div>
        </div>
        <div className="panel">
          <h3>Locked in orders</h3>
          <div className="card-num" aria-label="Locked points">{b ? formatPoints(b.locked) : '—'}</div>
        </div>
        <div className="panel">
          <h3>Total balance</h3>
          <div className="card-num" aria-label="Total points">{b ? formatPoints(b.total) : '—'}</div>
        </div>
        <div className="panel">
          <h3>Equity (with positions)</h3>
          <div className="card-num">{totals ? formatPoints(totals.equity) : '—'}</div>
        </div>
        <div className="panel">
          <h3>Unrealised / realised P&amp;L</h3>
          <div className="card-num">
            {totals ? (
              <>
                <span className={pnlClass(totals.unrealisedPnl)}>{formatPoints(totals.unrealisedPnl, { sign: true, unit: false })}</span>
                {' / '}
                <span className={pnlClass(totals.realisedPnl)}>{formatPoints(totals.realisedPnl, { sign: true })}</span>
              </>
            ) : '—'}
          </div>
        </div>
      </div>

      <section className="panel" aria-label="Positions">
        <h2>Positions</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Market</th>
                <th className="n">Shares</th>
                <th className="n">Avg cost</th>
                <th className="n">Last</th>
                <th className="n">Value</th>
                <th className="n">Unrealised P&amp;L</th>
                <th className="n">Realised P&amp;L</th>
              </tr>
            </thead>
            <tbody>
              {positions.length === 0 ? (
                <tr>
                  <td colSpan={7} className="empty">No positions yet</td>
                </tr>
              ) : (
                positions.map((p) => {
                  const outcome = p.yesShares > 0 ? 'YES' : p.noShares > 0 ? 'NO' : null;
                  const shares = outcome === 'YES' ? p.yesShares : outcome === 'NO' ? p.noShares : 0;
                  return (
                    <tr key={p.marketId}>
                      <td>
                        <Link to={`/markets/${p.slug}`}>{p.question}</Link> <span className="badge">{p.marketStatus}</span>
                      </td>
                      <td className="n">{outcome === null ? '0' : <span className={outcome === 'YES' ? 'yes' : 'no'}>{formatInt(shares)} {outcome}</span>}</td>
                      <td className="n">{formatTenthsPrice(avgCostTenths(p.costBasis, shares))}</td>
                      <td className="n">{p.lastPrice === null ? '—' : `${p.lastPrice}¢`}</td>
                      <td className="n">{formatPoints(p.marketValue)}</td>
                      <td className={`n ${pnlClass(p.unrealisedPnl)}`}>{formatPoints(p.unrealisedPnl, { sign: true })}</td>
                      <td className={`n ${pnlClass(p.realisedPnl)}`}>{formatPoints(p.realisedPnl, { sign: true })}</td>
                    </tr>
                  );
                })
              )}
            </tbody>
          </table>
        </div>
      </section>

      <section className="panel" aria-label="Orders across markets">
        <h2>Orders</h2>
        <OrdersTable orders={orders.data?.orders ?? []} marketSlug={null} markets={marketMap} />
      </section>

      <section className="panel" aria-label="Fills">
        <div className="panel-head">
          <h2>Fills</h2>
          <Pager what="fills" cursors={fillCursors} setCursors={setFillCursors} nextBefore={fills.data?.nextBefore} />
        </div>
        <div className="table-wrap">
          <table aria-label="Fills history">
            <thead>
              <tr>
                <th>Time</th>
                <th>Market</th>
                <th>Side</th>
                <th className="n">Price</th>
                <th className="n">Shares</th>
                <th className="n">Value</th>
                <th>Role</th>
                <th>Kind</th>
                <th className="n">Order</th>
              </tr>
            </thead>
            <tbody>
              {(fills.data?.fills ?? []).map((f) => (
                <tr key={`${f.tradeId}-${f.role}`}>
                  <td className="muted">{formatDateTime(f.createdAt)}</td>
                  <td>
                    <Link to={`/markets/${f.slug}`}>{f.question}</Link>
                  </td>
                  <td>
                    {f.side === 'BUY' ? 'Buy' : 'Sell'} <span className={f.outcome === 'YES' ? 'yes' : 'no'}>{f.outcome}</span>
                  </td>
                  <td className="n" title={`YES ${formatPrice(f.yesPrice)}`}>{formatPrice(f.price)}</td>
                  <td className="n">{formatInt(f.quantity)}</td>
                  <td className="n">{formatPoints(f.price * f.quantity)}</td>
                  <td>{f.role === 'MAKER' ? 'maker' : 'taker'}</td>
                  <td className="muted">{f.kind.toLowerCase()}</td>
                  <td className="n muted">#{f.orderId}</td>
                </tr>
              ))}
              {fills.data?.fills.length === 0 ? (
                <tr>
                  <td colSpan={9} className="empty">No fills yet</td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </section>

      <div className="two">
        <section className="panel" aria-label="Ledger">
          <div className="panel-head">
            <h2>Ledger</h2>
            <Pager what="ledger entries" cursors={cursors} setCursors={setCursors} nextBefore={ledger.data?.nextBefore} />
          </div>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Reason</th>
                  <th>Market</th>
                  <th className="n">Amount</th>
                </tr>
              </thead>
              <tbody>
                {(ledger.data?.entries ?? []).map((e) => (
                  <tr key={e.id}>
                    <td className="muted">{formatDateTime(e.createdAt)}</td>
                    <td>{e.reason.replace(/_/g, ' ').toLowerCase()}</td>
                    <td>{e.marketId === null ? '—' : (marketById.get(e.marketId)?.slug ?? e.marketId.slice(0, 8))}</td>
                    <td className={`n ${pnlClass(e.amount)}`}>{formatPoints(e.amount, { sign: true })}</td>
                  </tr>
                ))}
                {ledger.data?.entries.length === 0 ? (
                  <tr>
                    <td colSpan={4} className="empty">No entries</td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
        </section>
        <section className="panel" aria-label="Notifications">
          <h2>Notifications</h2>
          {(notifications.data?.notifications ?? []).length === 0 ? <p className="empty">Nothing yet</p> : null}
          <ul className="stack" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {(notifications.data?.notifications ?? []).map((n) => {
              const p = (n.payload ?? {}) as { amount?: number };
              const m = n.marketId === null ? undefined : marketById.get(n.marketId);
              return (
                <li key={n.id}>
                  <b>{n.kind === 'MARKET_RESOLVED' ? 'Market resolved' : n.kind === 'MARKET_VOIDED' ? 'Market voided' : n.kind}</b>
                  {m !== undefined ? <> · <Link to={`/markets/${m.slug}`}>{m.question}</Link></> : null}
                  {typeof p.amount === 'number' ? <> · paid {formatPoints(p.amount)}</> : null}
                  <div className="muted" style={{ fontSize: 12 }}>{formatDateTime(n.createdAt)}</div>
                </li>
              );
            })}
          </ul>
        </section>
      </div>
    </div>
  );
}

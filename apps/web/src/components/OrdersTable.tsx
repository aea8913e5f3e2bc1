import { useState } from 'react';
import { Link } from 'react-router';
import { toast } from 'sonner';
import type { schemas } from '@prediction-markets/shared';
import { client, describeError, unwrapResult } from '../api/client.ts';
import { formatDateTime, formatInt, formatPrice, parsePositiveInt } from '../lib/format.ts';
import { Confirm } from './Confirm.tsx';

const OPEN = new Set(['OPEN', 'PARTIALLY_FILLED']);
export const isOpenOrder = (o: schemas.OrderDto): boolean => OPEN.has(o.status);

export async function cancelOrder(o: schemas.OrderDto): Promise<void> {
  try {
    unwrapResult(await client.cancelOrder(o.id));
    toast.success(`Cancelled order ${o.id}`);
  } catch (e) {
    toast.error(describeError(e));
  }
}

/** Amend one order in place: new price and/or new remaining quantity. */
export function AmendRow({ order, onDone }: { order: schemas.OrderDto; onDone: () => void }) {
  const [price, setPrice] = useState(String(order.price ?? ''));
  const [qty, setQty] = useState(String(order.remainingQuantity));
  const [busy, setBusy] = useState(false);
  const save = async () => {
    const p = parsePositiveInt(price);
    const q = parsePositiveInt(qty);
    const body: { price?: number; quantity?: number } = {};
    if (p !== null && p !== order.price) body.price = p;
    if (q !== null && q !== order.remainingQuantity) body.quantity = q;
    if (body.price === undefined && body.quantity === undefined) return onDone();
    setBusy(true);
    try {
      unwrapResult(await client.amendOrder(order.id, body));
      toast.success(`Amended order ${order.id}`);
      onDone();
    } catch (e) {
      toast.error(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="row" style={{ flexWrap: 'nowrap' }} onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <input aria-label={`New price of order ${order.id}`} value={price} onChange={(e) => setPrice(e.target.value)} style={{ width: 56 }} inputMode="numeric" />
      <input aria-label={`New quantity of order ${order.id}`} value={qty} onChange={(e) => setQty(e.target.value)} style={{ width: 72 }} inputMode="numeric" />
      <button type="submit" className="small primary" disabled={busy} aria-label={`Save amendment of order ${order.id}`}>Save</button>
      <button type="button" className="small" onClick={onDone} aria-label={`Discard amendment of order ${order.id}`}>✕</button>
    </form>
  );
}

type Filter = 'open' | 'filled' | 'cancelled';

/** The user's orders (in one market, or all with a market column): open / filled / cancelled, with cancel, cancel all and amend. */
export function OrdersTable({ orders, marketSlug, markets }: { orders: schemas.OrderDto[]; marketSlug: string | null; markets?: Map<string, schemas.MarketDto> }) {
  const [filter, setFilter] = useState<Filter>('open');
  const [editing, setEditing] = useState<number | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);
  const shown = orders.filter((o) =>
    filter === 'open' ? isOpenOrder(o) : filter === 'filled' ? o.filledQuantity > 0 : o.status === 'CANCELLED' || o.status === 'EXPIRED',
  );
  const openCount = orders.filter(isOpenOrder).length;
  const cancelAll = async () => {
    try {
      const r = unwrapResult(await client.cancelAllOrders(marketSlug ?? undefined));
      toast.success(`Cancelled ${r.cancelledOrderIds.length} order${r.cancelledOrderIds.length === 1 ? '' : 's'}`);
    } catch (e) {
      toast.error(describeError(e));
    }
  };
  return (
    <section aria-label="My orders">
      <div className="panel-head">
        <div className="seg" role="tablist" aria-label="Order filter">
          {(['open', 'filled', 'cancelled'] as const).map((f) => (
            <button key={f} type="button" role="tab" aria-selected={filter === f} onClick={() => setFilter(f)}>
              {f === 'open' ? `Open (${openCount})` : f === 'filled' ? 'Filled' : 'Cancelled'}
            </button>
          ))}
        </div>
        <button type="button" className="small danger" disabled={openCount === 0} onClick={() => setConfirmAll(true)}>
          Cancel all
        </button>
      </div>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              {markets !== undefined ? <th>Market</th> : null}
              <th>Order</th>
              <th className="n">Price</th>
              <th className="n">Filled / Qty</th>
              <th>Status</th>
              <th>Time</th>
              <th className="n">Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 ? (
              <tr>
                <td colSpan={7} className="empty">No {filter} orders</td>
              </tr>
            ) : (
              shown.map((o) => (
                <tr key={o.id}>
                  {markets !== undefined ? (
                    <td>
                      {(() => {
                        const m = [...markets.values()].find((x) => x.id === o.marketId);
                        return m === undefined ? o.marketId.slice(0, 8) : <Link to={`/markets/${m.slug}`}>{m.question}</Link>;
                      })()}
                    </td>
                  ) : null}
                  <td>
                    <span className={o.outcome === 'YES' ? 'yes' : 'no'}>
                      {o.side} {o.outcome}
                    </span>{' '}
                    <span className="muted">{o.type === 'MARKET' ? 'MKT' : o.timeInForce}{o.postOnly ? ' post' : ''}</span>
                  </td>
                  {editing === o.id ? (
                    <td colSpan={2}>
                      <AmendRow order={o} onDone={() => setEditing(null)} />
                    </td>
                  ) : (
                    <>
                      <td className="n">{formatPrice(o.price)}</td>
                      <td className="n">
                        {formatInt(o.filledQuantity)} / {formatInt(o.quantity)}
                      </td>
                    </>
                  )}
                  <td>
                    <span className="badge">{o.status.replace('_', ' ')}</span>
                  </td>
                  <td className="muted">{formatDateTime(o.createdAt)}</td>
                  <td className="n">
                    {isOpenOrder(o) && editing !== o.id ? (
                      <span className="row" style={{ justifyContent: 'flex-end', flexWrap: 'nowrap' }}>
                        {o.type === 'LIMIT' ? (
                          <button type="button" className="small" aria-label={`Amend order ${o.id}`} onClick={() => setEditing(o.id)}>
                            Amend
                          </button>
                        ) : null}
                        <button type="button" className="small danger" aria-label={`Cancel order ${o.id}`} onClick={() => void cancelOrder(o)}>
                          Cancel
                        </button>
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Confirm
        open={confirmAll}
        onOpenChange={setConfirmAll}
        title="Cancel all open orders?"
        confirmLabel={`Cancel ${openCount} order${openCount === 1 ? '' : 's'}`}
        danger
        onConfirm={() => void cancelAll()}
      >
        <p>
          {openCount} open order{openCount === 1 ? '' : 's'} {marketSlug === null ? 'in every market' : 'in this market'} will be cancelled and their escrow released.
        </p>
      </Confirm>
    </section>
  );
}

import type { schemas } from '@prediction-markets/shared';
import { formatInt, formatTime } from '../lib/format.ts';

/** Recent trades of a market, newest first (YES price; the taker's side and outcome). */
export function TradesList({ trades }: { trades: schemas.TradeDto[] }) {
  return (
    <div className="table-wrap" style={{ maxHeight: 320, overflowY: 'auto' }}>
      <table aria-label="Recent trades">
        <thead>
          <tr>
            <th>Time</th>
            <th className="n">YES price</th>
            <th className="n">Shares</th>
            <th>Taker</th>
          </tr>
        </thead>
        <tbody>
          {trades.length === 0 ? (
            <tr>
              <td colSpan={4} className="empty">No trades yet</td>
            </tr>
          ) : (
            trades.map((t) => (
              <tr key={t.id}>
                <td className="muted num" style={{ textAlign: 'left' }}>{formatTime(t.createdAt)}</td>
                <td className="n">{t.yesPrice}¢</td>
                <td className="n">{formatInt(t.quantity)}</td>
                <td>
                  <span className={t.takerOutcome === 'YES' ? 'yes' : 'no'}>
                    {t.takerSide === 'BUY' ? 'Buy' : 'Sell'} {t.takerOutcome}
                  </span>
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

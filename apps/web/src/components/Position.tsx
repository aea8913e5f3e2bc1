import type { schemas } from '@prediction-markets/shared';
import { formatInt, formatPoints, formatTenthsPrice } from '../lib/format.ts';

type PortfolioPosition = schemas.PortfolioResponse['positions'][number];

/** Average cost per share in tenths of a cent (rounded to nearest); null without shares. */
export function avgCostTenths(costCents: number, shares: number): number | null {
  return shares > 0 ? Math.floor((costCents * 20 + shares) / (shares * 2)) : null;
}

/** The user's position in one market: shares, average cost, value at the mark, unrealised and realised P&L side by side. */
export function PositionPanel({ position }: { position: PortfolioPosition | undefined }) {
  if (position === undefined || (position.yesShares === 0 && position.noShares === 0 && position.realisedPnl === 0)) {
    return <p className="muted" style={{ margin: 0 }}>No position in this market.</p>;
  }
  const outcome = position.yesShares > 0 ? 'YES' : position.noShares > 0 ? 'NO' : null;
  const shares = outcome === 'YES' ? position.yesShares : outcome === 'NO' ? position.noShares : 0;
  const locked = outcome === 'YES' ? position.yesLockedShares : outcome === 'NO' ? position.noLockedShares : 0;
  return (
    <dl className="kv" aria-label="Position">
      <dt>Shares</dt>
      <dd>
        {outcome === null ? '0' : <span className={outcome === 'YES' ? 'yes' : 'no'}>{formatInt(shares)} {outcome}</span>}
        {locked > 0 ? <span className="muted"> ({formatInt(locked)} in sell orders)</span> : null}
      </dd>
      <dt>Average cost</dt>
      <dd>{formatTenthsPrice(avgCostTenths(position.costBasis, shares))}</dd>
      <dt>Cost basis</dt>
      <dd>{formatPoints(position.costBasis)}</dd>
      <dt>Value at mark</dt>
      <dd>{formatPoints(position.marketValue)}</dd>
      <dt>Unrealised P&amp;L</dt>
      <dd className={position.unrealisedPnl >= 0 ? 'pos' : 'neg'}>{formatPoints(position.unrealisedPnl, { sign: true })}</dd>
      <dt>Realised P&amp;L</dt>
      <dd className={position.realisedPnl >= 0 ? 'pos' : 'neg'}>{formatPoints(position.realisedPnl, { sign: true })}</dd>
    </dl>
  );
}

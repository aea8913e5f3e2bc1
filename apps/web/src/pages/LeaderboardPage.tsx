import { useState } from 'react';
import type { schemas } from '@prediction-markets/shared';
import { useLeaderboard } from '../api/queries.ts';
import { describeError } from '../api/client.ts';
import { formatInt, formatPoints } from '../lib/format.ts';

export default function LeaderboardPage() {
  const [by, setBy] = useState<schemas.LeaderboardBy>('pnl');
  const board = useLeaderboard(by);
  return (
    <div className="panel" style={{ maxWidth: 960, margin: '0 auto' }}>
      <div className="panel-head">
        <h1>Leaderboard</h1>
        <div className="seg" role="radiogroup" aria-label="Rank by">
          <button type="button" role="radio" aria-checked={by === 'pnl'} onClick={() => setBy('pnl')}>Realised P&amp;L</button>
          <button type="button" role="radio" aria-checked={by === 'volume'} onClick={() => setBy('volume')}>Volume</button>
        </div>
      </div>
      {board.isError ? <p className="error">{describeError(board.error)}</p> : null}
      <div className="table-wrap">
        <table aria-label={`Leaderboard by ${by === 'pnl' ? 'realised P&L' : 'volume'}`}>
          <thead>
            <tr>
              <th className="n">#</th>
              <th>Trader</th>
              <th className="n">Realised P&amp;L</th>
              <th className="n">Volume (shares)</th>
              <th className="n">Notional</th>
            </tr>
          </thead>
          <tbody>
            {(board.data?.entries ?? []).map((e) => (
              <tr key={e.userId}>
                <td className="n">{e.rank}</td>
                <td>{e.displayName}</td>
                <td className={`n ${e.realisedPnl > 0 ? 'pos' : e.realisedPnl < 0 ? 'neg' : ''}`}>{formatPoints(e.realisedPnl, { sign: true })}</td>
                <td className="n">{formatInt(e.volume)}</td>
                <td className="n">{formatPoints(e.notional)}</td>
              </tr>
            ))}
            {board.data?.entries.length === 0 ? (
              <tr>
                <td colSpan={5} className="empty">No trades yet</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </div>
  );
}

import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { newClientOrderId } from '@prediction-markets/client';
import type { schemas } from '@prediction-markets/shared';
import { client, describeError, unwrapResult } from '../api/client.ts';
import { formatInt, formatPoints } from '../lib/format.ts';
import { ALLOWED_TRANSITIONS, transitionLabel, type MarketStatus } from '../lib/transitions.ts';
import { Confirm } from './Confirm.tsx';

type Change = { status: MarketStatus; outcome?: 'YES' | 'NO' };

/** What a change will pay, for the confirmation. Resolution: 100 cents per winning share (open interest = shares of each outcome); void: cost back. */
function payText(market: schemas.MarketDto, c: Change): string {
  const oi = market.openInterest;
  if (c.status === 'RESOLVED') return `Each ${c.outcome} share pays 100¢: ${formatInt(oi)} shares outstanding, ${formatPoints(oi * 100)} paid to ${c.outcome} holders. Resting orders are cancelled first.`;
  if (c.status === 'CANCELLED') return `The market is voided: holders get their cost back (pro rata if costs exceed the ${formatPoints(oi * 100)} collateral), resting orders are cancelled.`;
  if (c.status === 'CLOSED') return 'Trading stops and every resting order is cancelled (escrow released).';
  if (c.status === 'HALTED') return 'Trading pauses; resting orders stay on the book.';
  return 'Trading starts (or resumes).';
}

/**
 * The status buttons of a market, only the transitions allowed from its status. `resolveOnly`:
 * a designated resolver (not an admin) sees just Resolve YES / NO. Each change asks to confirm.
 */
export function MarketStatusActions({ market, resolveOnly = false }: { market: schemas.MarketDto; resolveOnly?: boolean }) {
  const queryClient = useQueryClient();
  const [pending, setPending] = useState<Change | null>(null);
  const allowed = ALLOWED_TRANSITIONS[market.status];
  const changes: Change[] = [];
  for (const to of allowed) {
    if (to === 'RESOLVED') changes.push({ status: to, outcome: 'YES' }, { status: to, outcome: 'NO' });
    else if (!resolveOnly) changes.push({ status: to });
  }
  const label = (c: Change) => (c.status === 'RESOLVED' ? `Resolve ${c.outcome}` : transitionLabel(market.status, c.status));
  const apply = async (c: Change) => {
    try {
      unwrapResult(await client.setMarketStatus(market.slug, c.outcome === undefined ? { status: c.status } : { status: c.status, outcome: c.outcome }, { idempotencyKey: newClientOrderId() }));
      toast.success(`${market.slug}: ${label(c)} done`);
    } catch (e) {
      toast.error(describeError(e));
    }
    void queryClient.invalidateQueries({ queryKey: ['market', market.slug] });
    void queryClient.invalidateQueries({ queryKey: ['markets'] });
    void queryClient.invalidateQueries({ queryKey: ['resolution', market.slug] });
    void queryClient.invalidateQueries({ queryKey: ['admin'] });
  };
  if (changes.length === 0) return <span className="muted">No changes possible ({market.status.toLowerCase()})</span>;
  return (
    <span className="row" style={{ gap: 6 }}>
      {changes.map((c) => (
        <button key={label(c)} type="button" className={`small${c.status === 'CANCELLED' ? ' danger' : ''}`} aria-label={`${label(c)} market ${market.slug}`} onClick={() => setPending(c)}>
          {label(c)}
        </button>
      ))}
      <Confirm
        open={pending !== null}
        onOpenChange={(o) => { if (!o) setPending(null); }}
        title={pending === null ? '' : `${label(pending)}: ${market.question}`}
        confirmLabel={pending === null ? 'Confirm' : `Confirm ${label(pending)}`}
        danger={pending?.status === 'CANCELLED' || pending?.status === 'RESOLVED'}
        onConfirm={() => { if (pending !== null) void apply(pending); setPending(null); }}
      >
        <p>{pending === null ? '' : payText(market, pending)}</p>
        <p className="muted">This cannot be undone{pending?.status === 'HALTED' || pending?.status === 'OPEN' ? ' silently: it is recorded in the audit log' : ''}.</p>
      </Confirm>
    </span>
  );
}

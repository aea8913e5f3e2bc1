/**
 * Balances, positions, the portfolio, ledger rows and notifications as the shared schemas
 * (schemas/user.ts, socket.ts): the ONLY place engine accounts and positions, their rows and
 * their events become DTOs, for REST and socket payloads alike.
 */
import type { AccountView, EngineEvent } from '@prediction-markets/matching-engine';
import { sharesValueCents, type schemas } from '@prediction-markets/shared';
import type { LedgerEntry as LedgerRow, Market as MarketRow, Notification as NotificationRow, Position as PositionRow, Trade as TradeRow } from '../generated/prisma/client.ts';
import { settledStatus } from '../markets/dto.ts';
import { fillDto } from '../orders/dto.ts';

const num = (v: bigint): number => Number(v);

/** BalanceDto (cents) from the engine's account (none yet: zero). */
export function balanceDto(acc: Pick<AccountView, 'availableCents' | 'lockedCents'> | undefined): schemas.BalanceDto {
  const available = acc?.availableCents ?? 0;
  const locked = acc?.lockedCents ?? 0;
  return { available, locked, total: available + locked };
}

/** Socket `balance_updated` from a BALANCE event. */
export function balanceMessage(e: Extract<EngineEvent, { type: 'BALANCE' }>): schemas.BalanceUpdated {
  return { ...balanceDto(e), tsMs: e.tsMs };
}

/** Socket `position_updated` from a POSITION event. */
export function positionMessage(e: Extract<EngineEvent, { type: 'POSITION' }>): schemas.PositionUpdated {
  return {
    marketId: e.marketId,
    yesShares: e.yesShares,
    yesLockedShares: e.yesLockedShares,
    noShares: e.noShares,
    noLockedShares: e.noLockedShares,
    yesCost: e.yesCostCents,
    noCost: e.noCostCents,
    costBasis: e.yesCostCents + e.noCostCents,
    realisedPnl: e.realisedPnlCents,
    seq: e.seq,
    tsMs: e.tsMs,
  };
}

/** PositionDto from a stored position and its market (when still stored). */
export function positionDto(p: PositionRow, m: MarketRow | undefined): schemas.PositionDto {
  return {
    marketId: p.marketId,
    slug: m?.slug ?? '',
    question: m?.question ?? '',
    marketStatus: m?.status ?? 'UNKNOWN',
    yesShares: num(p.yesShares),
    yesLockedShares: num(p.yesLockedShares),
    noShares: num(p.noShares),
    noLockedShares: num(p.noLockedShares),
    costBasis: num(p.yesCostCents + p.noCostCents),
    realisedPnl: num(p.realisedPnlCents),
  };
}

/**
 * The portfolio: each position valued at its market's last trade price (YES shares at the YES
 * price, NO shares at the mirrored price; at cost before the first trade; nothing once settled),
 * with realised and unrealised P&L and totals; equity = balance total + market value.
 */
export function portfolioDto(balance: schemas.BalanceDto, positions: { dto: schemas.PositionDto; lastPrice: number | null }[]): schemas.PortfolioResponse {
  const totals = { marketValue: 0, costBasis: 0, realisedPnl: 0, unrealisedPnl: 0, equity: 0 };
  const out = positions.map(({ dto, lastPrice }) => {
    const settled = dto.marketStatus === 'RESOLVED' || dto.marketStatus === 'CANCELLED';
    const marketValue = settled ? 0 : lastPrice === null ? dto.costBasis : sharesValueCents(dto.yesShares, dto.noShares, lastPrice);
    const unrealisedPnl = marketValue - dto.costBasis;
    totals.marketValue += marketValue;
    totals.costBasis += dto.costBasis;
    totals.realisedPnl += dto.realisedPnl;
    totals.unrealisedPnl += unrealisedPnl;
    return { ...dto, lastPrice, marketValue, unrealisedPnl };
  });
  totals.equity = balance.total + totals.marketValue;
  return { balance, positions: out, totals };
}

/** A ledger row as seen from `account` (credit positive). */
export function ledgerEntryDto(r: LedgerRow, account: string): schemas.LedgerResponse['entries'][number] {
  return {
    id: num(r.id),
    amount: r.creditAccount === account ? num(r.amountCents) : -num(r.amountCents),
    debitAccount: r.debitAccount,
    creditAccount: r.creditAccount,
    reason: r.reason,
    marketId: r.marketId,
    tradeId: r.tradeId === null ? null : num(r.tradeId),
    createdAt: r.createdAt.toISOString(),
  };
}

/** The legacy notification kind of a settlement payout (kept for existing clients; `marketStatus` is canonical). */
export function payoutNotificationKind(kind: 'RESOLUTION' | 'VOID_REFUND'): 'MARKET_RESOLVED' | 'MARKET_VOIDED' {
  return kind === 'RESOLUTION' ? 'MARKET_RESOLVED' : 'MARKET_VOIDED';
}

/** The final market status a notification kind stands for, null for kinds that are not settlements. */
function notificationMarketStatus(kind: string): 'RESOLVED' | 'CANCELLED' | null {
  if (kind === 'MARKET_RESOLVED') return 'RESOLVED';
  if (kind === 'MARKET_VOIDED' || kind === 'MARKET_CANCELLED') return 'CANCELLED';
  return null;
}

/** A stored notification. */
export function notificationDto(r: NotificationRow): schemas.NotificationsResponse['notifications'][number] {
  return {
    id: num(r.id),
    kind: r.kind,
    marketStatus: notificationMarketStatus(r.kind),
    marketId: r.marketId,
    payload: r.payload,
    createdAt: r.createdAt.toISOString(),
    readAt: r.readAt?.toISOString() ?? null,
  };
}

/** Socket `notification` from a PAYOUT event. */
export function payoutMessage(e: Extract<EngineEvent, { type: 'PAYOUT' }>): schemas.NotificationEvent {
  return {
    marketStatus: settledStatus(e.kind),
    kind: payoutNotificationKind(e.kind),
    marketId: e.marketId,
    amount: e.amountCents,
    yesShares: e.yesShares,
    noShares: e.noShares,
    costBasis: e.costBasisCents,
    seq: e.seq,
    tsMs: e.tsMs,
  };
}

/**
 * The caller's fills in one stored trade: one per role the user had (two when both orders
 * were theirs), taker first; each priced in its order's own outcome (orders/dto.ts fillDto).
 */
export function userFillDtos(t: TradeRow, userId: string, m: Pick<MarketRow, 'slug' | 'question'> | undefined): schemas.UserFillDto[] {
  const side = { tradeId: num(t.id), yesPriceCents: t.yesPriceCents, qty: t.qty, kind: t.kind, tsMs: t.createdAt.getTime() };
  const market = { marketId: t.marketId, slug: m?.slug ?? '', question: m?.question ?? '' };
  const out: schemas.UserFillDto[] = [];
  if (t.takerUserId === userId) out.push({ ...fillDto(side, num(t.takerOrderId), t.takerOutcome, 'TAKER'), ...market, side: t.takerSide, outcome: t.takerOutcome });
  if (t.makerUserId === userId) out.push({ ...fillDto(side, num(t.makerOrderId), t.makerOutcome, 'MAKER'), ...market, side: t.makerSide, outcome: t.makerOutcome });
  return out;
}

import { z } from 'zod';
import { Outcome, PageQuery, SettledStatus, Side, Uuid } from './common.ts';
import { Slug } from './markets.ts';
import { FillDto } from './orders.ts';

/** GET /api/user/balance, in cents. total = available + locked. */
export const BalanceDto = z.object({ available: z.int(), locked: z.int(), total: z.int() });
export type BalanceDto = z.infer<typeof BalanceDto>;

export const PositionDto = z.object({
  marketId: Uuid,
  slug: z.string(),
  question: z.string(),
  marketStatus: z.string(),
  yesShares: z.int(),
  yesLockedShares: z.int(),
  noShares: z.int(),
  noLockedShares: z.int(),
  /** Cents paid for the shares held (average cost). */
  costBasis: z.int(),
  /** Realised profit and loss in cents. */
  realisedPnl: z.int(),
});
export type PositionDto = z.infer<typeof PositionDto>;
export const PositionsResponse = z.object({ positions: z.array(PositionDto) });

export const PortfolioPositionDto = PositionDto.extend({
  /** Last trade price in YES cents (null: no trade yet; valued at cost). */
  lastPrice: z.int().nullable(),
  /** Shares valued at the last price of their outcome, cents (rounded down). */
  marketValue: z.int(),
  unrealisedPnl: z.int(),
});
export const PortfolioResponse = z.object({
  balance: BalanceDto,
  positions: z.array(PortfolioPositionDto),
  totals: z.object({ marketValue: z.int(), costBasis: z.int(), realisedPnl: z.int(), unrealisedPnl: z.int(), equity: z.int() }),
});
export type PortfolioResponse = z.infer<typeof PortfolioResponse>;

export const LedgerEntryDto = z.object({
  id: z.int(),
  /** Signed change of the caller's balance in cents (credit positive). */
  amount: z.int(),
  debitAccount: z.string(),
  creditAccount: z.string(),
  reason: z.string(),
  marketId: z.string().nullable(),
  tradeId: z.int().nullable(),
  createdAt: z.string(),
});
export const LedgerQuery = PageQuery;
export const LedgerResponse = z.object({ entries: z.array(LedgerEntryDto), nextBefore: z.int().nullable() });

export const NotificationDto = z.object({
  id: z.int(),
  /** MARKET_RESOLVED or MARKET_VOIDED (a settlement paid the user). */
  kind: z.string(),
  /** For a settlement notification, the market's final status (canonical; CANCELLED = voided), else null. */
  marketStatus: SettledStatus.nullable(),
  marketId: z.string().nullable(),
  payload: z.unknown(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export const NotificationsResponse = z.object({ notifications: z.array(NotificationDto), nextBefore: z.int().nullable() });
export type LedgerEntryDto = z.infer<typeof LedgerEntryDto>;
export type LedgerResponse = z.infer<typeof LedgerResponse>;
export type NotificationDto = z.infer<typeof NotificationDto>;
export type NotificationsResponse = z.infer<typeof NotificationsResponse>;
export type PositionsResponse = z.infer<typeof PositionsResponse>;
export type PortfolioPositionDto = z.infer<typeof PortfolioPositionDto>;

/** GET /api/user/fills: the caller's fills across markets, newest first (cursor `before` = trade id), optionally of one market. */
export const UserFillsQuery = PageQuery.extend({ market: Slug.optional() });
/**
 * One fill of the caller: a FillDto (price in the order's own outcome cents, yesPrice in YES
 * cents, quantity in shares, role MAKER/TAKER) with its market and the order's side and outcome.
 * A trade between two orders of the caller gives two fills (one per role).
 */
export const UserFillDto = FillDto.extend({
  marketId: Uuid,
  slug: z.string(),
  question: z.string(),
  side: Side,
  outcome: Outcome,
});
export const UserFillsResponse = z.object({ fills: z.array(UserFillDto), nextBefore: z.int().nullable() });
export type UserFillDto = z.infer<typeof UserFillDto>;
export type UserFillsResponse = z.infer<typeof UserFillsResponse>;

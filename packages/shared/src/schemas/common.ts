import { z } from 'zod';
import { LIMITS } from '../constants.ts';

export const Uuid = z.uuid();
export const Outcome = z.enum(['YES', 'NO']);
export const Side = z.enum(['BUY', 'SELL']);
export const OrderType = z.enum(['LIMIT', 'MARKET']);
export const TimeInForce = z.enum(['GTC', 'GTD', 'IOC', 'FOK']);
export const StpMode = z.enum(['CANCEL_TAKER', 'CANCEL_MAKER', 'CANCEL_BOTH']);
export const TradeKind = z.enum(['TRANSFER', 'MINT', 'MERGE']);
export const MarketStatus = z.enum(['DRAFT', 'OPEN', 'HALTED', 'CLOSED', 'RESOLVED', 'CANCELLED']);
export const OrderStatus = z.enum(['OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'EXPIRED']);
export const Role = z.enum(['USER', 'ADMIN']);

/** Integer cents of a 100-cent payout. */
export const PriceCents = z.int().min(1).max(99);
/** Positive integer shares. */
export const Quantity = z.int().min(1).max(1_000_000_000);
/** Integer cents (non-negative). */
export const Cents = z.int().min(0);
/**
 * Free text that PostgreSQL stores unchanged (text and jsonb columns): no NUL character
 * (PostgreSQL rejects it, which would fail a whole write batch) and no unpaired UTF-16
 * surrogate (it would be stored as U+FFFD, silently changing the text, e.g. an audit payload).
 */
export const PlainText = z
  .string()
  .refine((s) => !s.includes('\u0000') && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s), {
    message: 'must not contain NUL characters or unpaired surrogates',
  });
/** ISO 8601 timestamp with offset, e.g. 2026-11-21T12:00:00.000Z. */
export const IsoDateTime = z.iso.datetime({ offset: true });

/** Cursor pagination: `limit` rows older than `before` (an id), newest first. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(LIMITS.pageSizeDefault),
  before: z.coerce.number().int().min(1).optional(),
});

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    engineCode: z.int().optional(),
    details: z.unknown().optional(),
  }),
});

export const OkBody = z.object({ ok: z.literal(true) });

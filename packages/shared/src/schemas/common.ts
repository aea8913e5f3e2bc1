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
/**
 * The final status a settlement leaves a market in, the canonical name of a settlement:
 * RESOLVED (paid out to the winning outcome) or CANCELLED (voided: holders refunded).
 */
export const SettledStatus = z.enum(['RESOLVED', 'CANCELLED']);

/** Integer cents of a 100-cent payout. */
export const PriceCents = z.int().min(1).max(99);
/** Positive integer shares. */
export const Quantity = z.int().min(1).max(1_000_000_000);
/** Integer cents (non-negative). */
export const Cents = z.int().min(0);
/** True when `s` has a control character no text input may contain: C0 except tab, line feed and carriage return; DEL; C1. */
function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}
/** An unpaired UTF-16 surrogate. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * THE checked text schema: every text input of the API (bodies, query strings, socket
 * payloads) is this or a narrower pattern (Slug, Uuid, Email, ...). Text PostgreSQL stores and
 * compares unchanged: no NUL (PostgreSQL rejects it in text and jsonb, which answered 500 for a
 * query filter and would fail a whole write batch for a body), no other control character
 * except tab and line breaks, and no unpaired UTF-16 surrogate (stored as U+FFFD, silently
 * changing the text). Invalid text is 400 VALIDATION_ERROR.
 */
export const PlainText = z.string().refine((s) => !hasControlChar(s) && !LONE_SURROGATE.test(s), {
  message: 'must not contain NUL or other control characters, or unpaired surrogates',
});
/** Checked text on one line (query-string filters, tokens): PlainText without tab or line breaks either. */
export const LineText = PlainText.refine((s) => !/[\t\n\r]/.test(s), { message: 'must be one line' });
/**
 * Times, one format across REST and sockets: an instant named `...At` (createdAt, expiresAt,
 * resolvedAt, ...) is an ISO 8601 string in UTC with milliseconds, e.g.
 * 2026-11-21T12:00:00.000Z (inputs may carry any offset); a name ending in `Ms` (tsMs,
 * expiresAtMs, graceMs) is integer milliseconds: epoch milliseconds for instants, a duration
 * otherwise. Socket messages carry `tsMs` for ordering; where a payload has both, they name the
 * same instant. `timestamp` of ping/pong is epoch milliseconds (kept for existing clients).
 */
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

import { z } from 'zod';
import { LIMITS } from '../constants.ts';
import { UserDto } from './auth.ts';
import { LineText, PageQuery, PlainText, Uuid } from './common.ts';

/** POST /api/admin/grant: give points (in cents) to a user. */
export const GrantBody = z.strictObject({
  userId: Uuid,
  amountCents: z.int().min(1).max(1_000_000_000_000),
  reason: PlainText.max(200).optional(),
});
export type GrantBody = z.infer<typeof GrantBody>;

/** One checked invariant of the reconciliation report. */
export const ReconcileCheck = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() });
/** GET /api/admin/reconcile and `pnpm --filter @prediction-markets/backend reconcile`. */
export const ReconcileReport = z.object({ ok: z.boolean(), checkedAt: z.string(), checks: z.array(ReconcileCheck) });
export type ReconcileReport = z.infer<typeof ReconcileReport>;

/** GET /api/admin/audit: newest first, optionally only one action or one target. */
export const AuditQuery = PageQuery.extend({
  /** e.g. MARKET_CREATED, MARKET_STATUS_CHANGED, MARKET_RESOLVED, MARKET_CANCELLED, POINTS_GRANTED. */
  action: LineText.min(1).max(64).optional(),
  /** A market id or user id. */
  targetId: LineText.min(1).max(64).optional(),
});

/** One entry of the hash-chained audit log: hash = sha256(prevHash + canonical JSON of the entry). */
export const AuditEntryDto = z.object({
  id: z.int(),
  actorId: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  payload: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
  createdAt: z.string(),
});
export type AuditEntryDto = z.infer<typeof AuditEntryDto>;
export const AuditListResponse = z.object({ entries: z.array(AuditEntryDto), nextBefore: z.int().nullable() });

/** GET /api/admin/audit/verify: the chain recomputed from the first entry. */
export const AuditVerifyResponse = z.object({
  ok: z.boolean(),
  /** Entries checked (up to and including the first broken one). */
  entries: z.int(),
  /** The first entry whose prevHash or hash does not verify, or null when the chain is intact. */
  firstBroken: z.object({ id: z.int(), reason: z.string() }).nullable(),
});
export type AuditListResponse = z.infer<typeof AuditListResponse>;
export type AuditVerifyResponse = z.infer<typeof AuditVerifyResponse>;
export type AuditQuery = z.infer<typeof AuditQuery>;

/** Most users GET /api/admin/users answers with. */
export const USER_SEARCH_MAX = 20;
/**
 * GET /api/admin/users: users whose email starts with `query` (checked one-line text, compared
 * in lower case, 1..254 characters), by email, at most `limit` (1..20, default 10).
 */
export const UserSearchQuery = z.object({
  query: LineText.min(1).max(LIMITS.emailMaxLength).transform((q) => q.toLowerCase()),
  limit: z.coerce.number().int().min(1).max(USER_SEARCH_MAX).default(10),
});
export type UserSearchQuery = z.infer<typeof UserSearchQuery>;
export const UserSearchResponse = z.object({ users: z.array(UserDto) });
export type UserSearchResponse = z.infer<typeof UserSearchResponse>;

import { z } from 'zod';
import { Uuid } from './common.ts';

/** POST /api/admin/grant: give points (in cents) to a user. */
export const GrantBody = z.strictObject({
  userId: Uuid,
  amountCents: z.int().min(1).max(1_000_000_000_000),
  reason: z.string().max(200).optional(),
});
export type GrantBody = z.infer<typeof GrantBody>;

/** One checked invariant of the reconciliation report. */
export const ReconcileCheck = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() });
/** GET /api/admin/reconcile and `pnpm --filter @prediction-markets/backend reconcile`. */
export const ReconcileReport = z.object({ ok: z.boolean(), checkedAt: z.string(), checks: z.array(ReconcileCheck) });
export type ReconcileReport = z.infer<typeof ReconcileReport>;

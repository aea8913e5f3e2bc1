/** Points commands: the starting grant and admin grants. The ONLY callers of the writer queue for accounts. */
import type { CommandResult } from '@prediction-markets/matching-engine';
import type { schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { rejectionError } from '../entrance/errors.ts';
import { AUDIT_ACTIONS, appendAudit } from '../admin/audit.ts';
import { balanceOf } from './queries.ts';

/**
 * Open the user's account with the starting grant (STARTING_BALANCE points) unless the
 * engine already has an account for them. Runs inside the writer, so two concurrent calls
 * grant once. Used at registration and, to heal a registration whose grant did not commit,
 * at login.
 */
export async function ensureStartingGrant(ctx: Pick<AppContext, 'exchange' | 'env'>, userId: string): Promise<void> {
  const cents = ctx.env.STARTING_BALANCE * 100;
  await ctx.exchange.submit({
    kind: 'grant',
    run: (engine, now) => {
      if (engine.getAccount(userId) !== undefined) return null;
      return cents > 0
        ? engine.execute({ type: 'GRANT', tsMs: now, userId, amountCents: cents })
        : engine.execute({ type: 'OPEN_ACCOUNT', tsMs: now, userId });
    },
  });
}

/**
 * An admin grant of `amountCents` to `userId`, with its POINTS_GRANTED audit entry in the same
 * transaction, stamped with the writer's clock (the GRANT command's tsMs). Resolves with the
 * user's balance after it; throws an engine rejection (INVALID_AMOUNT, BALANCE_LIMIT, ...).
 */
export async function grantPoints(ctx: Pick<AppContext, 'exchange'>, actorId: string, grant: schemas.GrantBody): Promise<schemas.BalanceDto> {
  const { userId, amountCents, reason } = grant;
  const { result } = await ctx.exchange.submit<{ res: CommandResult; now: number }>({
    kind: 'grant',
    run: (engine, now) => ({ res: engine.execute({ type: 'GRANT', tsMs: now, userId, amountCents }), now }),
    persist: async (tx, { res, now }) => {
      if (res.ok) await appendAudit(tx, { actorId, action: AUDIT_ACTIONS.granted, targetType: 'user', targetId: userId, payload: { amountCents, reason: reason ?? null } }, new Date(now));
    },
  });
  if (!result.res.ok) throw rejectionError(result.res);
  return balanceOf(ctx.exchange, userId);
}

/** User bootstrap: starting grants and the admin account. */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { hashPassword } from '../auth/password.ts';

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

/** Create or promote the ADMIN_EMAIL user (idempotent); returns its id, or null when not configured. */
export async function bootstrapAdmin(ctx: Pick<AppContext, 'exchange' | 'env' | 'prisma' | 'logger'>): Promise<string | null> {
  const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = ctx.env;
  if (email === undefined || password === undefined) return null;
  const normalised = email.toLowerCase();
  const existing = await ctx.prisma.user.findUnique({ where: { email: normalised } });
  let id: string;
  if (existing === null) {
    id = randomUUID();
    await ctx.prisma.user.create({ data: { id, email: normalised, passwordHash: await hashPassword(password), role: 'ADMIN' } });
    ctx.logger.info({ email: normalised }, 'admin created');
  } else {
    id = existing.id;
    if (existing.role !== 'ADMIN') await ctx.prisma.user.update({ where: { id }, data: { role: 'ADMIN' } });
  }
  await ensureStartingGrant(ctx, id);
  return id;
}

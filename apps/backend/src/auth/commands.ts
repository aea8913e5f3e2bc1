/**
 * Account and session commands: register, sign in, rotate, sign out, and the admin bootstrap.
 * Users are rows in PostgreSQL (not engine state); each user's points account is opened in
 * the engine by accounts/commands.ts `ensureStartingGrant`, through the writer.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, type schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { ensureStartingGrant } from '../accounts/commands.ts';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './password.ts';
import { checkLoginAllowed, loginFailed, loginSucceeded } from './login-throttle.ts';
import { issueTokens, revokeFamily, revokeRefreshToken, rotateRefreshToken, type IssuedTokens } from './tokens.ts';
import { userByEmail, userById } from './queries.ts';
import { userDto } from './dto.ts';

type Deps = Pick<AppContext, 'prisma' | 'exchange' | 'env' | 'tokens'>;

/** A signed-in session: the user and their new tokens. */
export interface Session {
  user: schemas.UserDto;
  tokens: IssuedTokens;
}

/** Create a user row (no account yet); throws EMAIL_TAKEN when the email is in use. */
export async function createUser(d: Pick<AppContext, 'prisma'>, email: string, password: string, role: 'USER' | 'ADMIN' = 'USER'): Promise<{ id: string; email: string; role: 'USER' | 'ADMIN'; createdAt: Date }> {
  const passwordHash = await hashPassword(password);
  try {
    return await d.prisma.user.create({ data: { id: randomUUID(), email, passwordHash, role } });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw new ApiError('EMAIL_TAKEN', 'an account with this email exists');
    throw err;
  }
}

/** Register: a new user with the starting balance, signed in. Throws EMAIL_TAKEN. */
export async function register(d: Deps, email: string, password: string): Promise<Session> {
  if ((await userByEmail(d.prisma, email)) !== null) throw new ApiError('EMAIL_TAKEN', 'an account with this email exists');
  const user = await createUser(d, email, password);
  await ensureStartingGrant(d, user.id);
  return { user: userDto(user), tokens: await issueTokens(d.prisma, user.id, user.role, d.tokens) };
}

/**
 * Sign in with email and password from client address `address`. Throws INVALID_CREDENTIALS
 * (same time whether or not the email exists), or RATE_LIMITED when the sign-in throttle
 * (login-throttle.ts: failures per account and address, per-account backoff) refuses the attempt.
 */
export async function login(d: Deps & Pick<AppContext, 'limits'>, email: string, password: string, address: string): Promise<Session> {
  await checkLoginAllowed(d.limits.login, email, address);
  const user = await userByEmail(d.prisma, email);
  const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH_PROMISE));
  if (user === null || !ok) {
    await loginFailed(d.limits.login, email, address);
    throw new ApiError('INVALID_CREDENTIALS', 'wrong email or password');
  }
  await loginSucceeded(d.limits.login, email, address);
  await ensureStartingGrant(d, user.id);
  return { user: userDto(user), tokens: await issueTokens(d.prisma, user.id, user.role, d.tokens) };
}

/** Rotate a refresh token. Throws TOKEN_EXPIRED, TOKEN_INVALID, REFRESH_TOKEN_REUSED (its session revoked). */
export async function refresh(d: Deps, refreshToken: string): Promise<Session> {
  const { userId, tokens } = await rotateRefreshToken(d.prisma, refreshToken, d.tokens);
  const user = await userById(d.prisma, userId);
  if (user === null) throw new ApiError('TOKEN_INVALID', 'the user no longer exists');
  return { user: userDto(user), tokens };
}

/**
 * Sign out: revoke the session of the refresh token and/or of the access token presented (a
 * bot signing out with its bearer token alone). Its access tokens stop working at once and its
 * sockets stop receiving private events (auth/sessions.ts). Bad tokens are ignored.
 */
export async function logout(d: Deps, refreshToken: string | undefined, access: { userId: string; sessionId: string | null } | null): Promise<void> {
  if (refreshToken !== undefined) await revokeRefreshToken(d.prisma, refreshToken, d.tokens);
  if (access !== null && access.sessionId !== null) await revokeFamily(d.prisma, access.sessionId, access.userId, d.tokens);
}

/** The signed-in user's DTO; TOKEN_INVALID when the user no longer exists. */
export async function me(d: Pick<AppContext, 'prisma'>, userId: string): Promise<schemas.UserDto> {
  const user = await userById(d.prisma, userId);
  if (user === null) throw new ApiError('TOKEN_INVALID', 'the user no longer exists');
  return userDto(user);
}

/** Create or promote the ADMIN_EMAIL user (idempotent); returns its id, or null when not configured. */
export async function bootstrapAdmin(ctx: Pick<AppContext, 'exchange' | 'env' | 'prisma' | 'logger'>): Promise<string | null> {
  const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = ctx.env;
  if (email === undefined || password === undefined) return null;
  const normalised = email.toLowerCase();
  const existing = await userByEmail(ctx.prisma, normalised);
  let id: string;
  if (existing === null) {
    id = (await createUser(ctx, normalised, password, 'ADMIN')).id;
    ctx.logger.info({ email: normalised }, 'admin created');
  } else {
    id = existing.id;
    if (existing.role !== 'ADMIN') await ctx.prisma.user.update({ where: { id }, data: { role: 'ADMIN' } });
  }
  await ensureStartingGrant(ctx, id);
  return id;
}

/** /api/auth: register, login, refresh (rotating), logout, me. */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from '../auth/password.ts';
import { LoginThrottle } from '../auth/login-throttle.ts';
import { issueTokens, revokeRefreshToken, rotateRefreshToken } from '../auth/tokens.ts';
import { REFRESH_COOKIE, clearSessionCookies, requireUser, setSessionCookies, userOf } from '../plugins/auth.ts';
import { ensureStartingGrant } from '../services/users.ts';

const errors = { 400: schemas.ErrorBody, 401: schemas.ErrorBody, 409: schemas.ErrorBody, 429: schemas.ErrorBody };
// nullish: Fastify hands validators `null` for a POST without a body (a browser refreshing with its cookie)
const RefreshBody = z.object({ refreshToken: z.string().optional() }).nullish();

export const authRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const secure = ctx.env.COOKIE_SECURE ?? ctx.env.NODE_ENV === 'production';
  const loginThrottle = new LoginThrottle(ctx);
  const userDto = (u: { id: string; email: string; role: 'USER' | 'ADMIN'; createdAt: Date }): schemas.UserDto => ({
    id: u.id,
    email: u.email,
    role: u.role,
    createdAt: u.createdAt.toISOString(),
  });

  app.post('/register', {
    schema: { tags: ['auth'], summary: 'Create an account; grants the starting balance', body: schemas.RegisterBody, response: { 201: schemas.AuthResponse, ...errors } },
  }, async (req, reply) => {
    const { email, password } = req.body;
    const passwordHash = await hashPassword(password);
    const existing = await ctx.prisma.user.findUnique({ where: { email } });
    if (existing !== null) throw new ApiError('EMAIL_TAKEN', 'an account with this email exists');
    let user;
    try {
      user = await ctx.prisma.user.create({ data: { id: randomUUID(), email, passwordHash } });
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') throw new ApiError('EMAIL_TAKEN', 'an account with this email exists');
      throw err;
    }
    await ensureStartingGrant(ctx, user.id);
    const tokens = await issueTokens(ctx.prisma, user.id, user.role, ctx.tokens);
    setSessionCookies(reply, tokens, secure);
    return reply.status(201).send({ user: userDto(user), accessToken: tokens.accessToken, expiresIn: tokens.accessTtlSec });
  });

  app.post('/login', {
    schema: { tags: ['auth'], summary: 'Sign in; sets session cookies and returns an access token', body: schemas.LoginBody, response: { 200: schemas.AuthResponse, ...errors } },
  }, async (req, reply) => {
    const { email, password } = req.body;
    await loginThrottle.check(email, req.ip, reply);
    const user = await ctx.prisma.user.findUnique({ where: { email } });
    const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH_PROMISE));
    if (user === null || !ok) {
      await loginThrottle.failed(email, req.ip);
      throw new ApiError('INVALID_CREDENTIALS', 'wrong email or password');
    }
    await loginThrottle.succeeded(email, req.ip);
    await ensureStartingGrant(ctx, user.id);
    const tokens = await issueTokens(ctx.prisma, user.id, user.role, ctx.tokens);
    setSessionCookies(reply, tokens, secure);
    return { user: userDto(user), accessToken: tokens.accessToken, expiresIn: tokens.accessTtlSec };
  });

  app.post('/refresh', {
    schema: {
      tags: ['auth'],
      summary: 'Rotate the refresh token (cookie, or body.refreshToken); a reused token revokes its family',
      body: RefreshBody,
      response: { 200: schemas.AuthResponse, ...errors },
    },
  }, async (req, reply) => {
    const token = req.cookies[REFRESH_COOKIE] ?? req.body?.refreshToken;
    if (token === undefined) throw new ApiError('UNAUTHENTICATED', 'no refresh token');
    const { userId, tokens } = await rotateRefreshToken(ctx.prisma, token, ctx.tokens);
    const user = await ctx.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    setSessionCookies(reply, tokens, secure);
    return { user: userDto(user), accessToken: tokens.accessToken, expiresIn: tokens.accessTtlSec };
  });

  app.post('/logout', {
    schema: { tags: ['auth'], summary: 'Revoke the session and clear its cookies', body: RefreshBody, response: { 200: schemas.OkBody } },
  }, async (req, reply) => {
    const token = req.cookies[REFRESH_COOKIE] ?? req.body?.refreshToken;
    if (token !== undefined) await revokeRefreshToken(ctx.prisma, token, ctx.tokens);
    clearSessionCookies(reply, secure);
    return { ok: true as const };
  });

  app.get('/me', {
    onRequest: requireUser,
    schema: { tags: ['auth'], summary: 'The signed-in user', security: [{ bearer: [] }], response: { 200: schemas.UserDto, 401: schemas.ErrorBody } },
  }, async (req) => {
    const user = await ctx.prisma.user.findUnique({ where: { id: userOf(req).id } });
    if (user === null) throw new ApiError('TOKEN_INVALID', 'the user no longer exists');
    return userDto(user);
  });
};

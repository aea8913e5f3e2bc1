/** /api/auth: register, login, refresh (rotating), logout, me. Thin: schema, call, set cookies, answer. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError, schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { REFRESH_COOKIE, clearSessionCookies, requireUser, setSessionCookies, userOf } from '../plugins/auth.ts';
import { login, logout, me, refresh, register, type Session } from './commands.ts';

const errors = { 400: schemas.ErrorBody, 401: schemas.ErrorBody, 409: schemas.ErrorBody, 429: schemas.ErrorBody };

export const authRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const secure = ctx.env.COOKIE_SECURE ?? ctx.env.NODE_ENV === 'production';
  const answer = (s: Session) => ({ user: s.user, accessToken: s.tokens.accessToken, expiresIn: s.tokens.accessTtlSec });

  app.post('/register', {
    schema: { tags: ['auth'], summary: 'Create an account; grants the starting balance', body: schemas.RegisterBody, response: { 201: schemas.AuthResponse, ...errors } },
  }, async (req, reply) => {
    const session = await register(ctx, req.body.email, req.body.password);
    setSessionCookies(reply, session.tokens, secure);
    return reply.status(201).send(answer(session));
  });

  app.post('/login', {
    schema: { tags: ['auth'], summary: 'Sign in; sets session cookies and returns an access token', body: schemas.LoginBody, response: { 200: schemas.AuthResponse, ...errors } },
  }, async (req, reply) => {
    const session = await login(ctx, req.body.email, req.body.password, req.ip);
    setSessionCookies(reply, session.tokens, secure);
    return answer(session);
  });

  app.post('/refresh', {
    schema: {
      tags: ['auth'],
      summary: 'Rotate the refresh token (cookie, or body.refreshToken); a reused token revokes its family',
      body: schemas.RefreshBody,
      response: { 200: schemas.AuthResponse, ...errors },
    },
  }, async (req, reply) => {
    const token = req.cookies[REFRESH_COOKIE] ?? req.body?.refreshToken;
    if (token === undefined) throw new ApiError('UNAUTHENTICATED', 'no refresh token');
    const session = await refresh(ctx, token);
    setSessionCookies(reply, session.tokens, secure);
    return answer(session);
  });

  app.post('/logout', {
    schema: {
      tags: ['auth'],
      summary: 'Revoke the session and clear its cookies',
      description: "Revokes the session of the refresh token (cookie or body) and of the access token presented: its access tokens stop working at once and its sockets stop receiving private events.",
      body: schemas.RefreshBody,
      response: { 200: schemas.OkBody },
    },
  }, async (req, reply) => {
    const token = req.cookies[REFRESH_COOKIE] ?? req.body?.refreshToken;
    await logout(ctx, token, req.authUser === null ? null : { userId: req.authUser.id, sessionId: req.authUser.sessionId });
    clearSessionCookies(reply, secure);
    return { ok: true as const };
  });

  app.get('/me', {
    onRequest: requireUser,
    schema: { tags: ['auth'], summary: 'The signed-in user', security: [{ bearer: [] }], response: { 200: schemas.UserDto, 401: schemas.ErrorBody } },
  }, async (req) => me(ctx, userOf(req).id));
};

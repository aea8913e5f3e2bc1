/**
 * The REST side of authentication (entrance/credentials.ts is shared with sockets): the access
 * token comes from `Authorization: Bearer <token>` (bots) or the HTTP-only `pm_access` cookie
 * (browsers), and is checked against revoked sessions on every request (auth/sessions.ts).
 * `requireUser` / `requireAdmin` are onRequest hooks: a request is authenticated before its
 * body is read or validated (no token: 401, even for a malformed body).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '@prediction-markets/shared';
import type { IssuedTokens, TokenConfig } from '../auth/tokens.ts';
import { ACCESS_COOKIE, REFRESH_COOKIE, authenticate, presentedAccessToken, type SessionUser } from '../entrance/credentials.ts';

export { ACCESS_COOKIE, REFRESH_COOKIE };

/** The caller of a request. */
export type AuthUser = SessionUser;

declare module 'fastify' {
  interface FastifyRequest {
    authUser: AuthUser | null;
  }
}

export function registerAuth(app: FastifyInstance, cfg: TokenConfig): void {
  app.decorateRequest('authUser', null);
  app.addHook('onRequest', async (req) => {
    try {
      const token = presentedAccessToken({ authorization: req.headers.authorization, cookies: req.cookies });
      if (token === null) return;
      req.authUser = authenticate(token, cfg);
    } catch (err) {
      // remember why, so requireUser can say TOKEN_EXPIRED vs TOKEN_INVALID
      (req as FastifyRequest & { authError?: unknown }).authError = err;
    }
  });
}

export async function requireUser(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (req.authUser !== null) return;
  const why = (req as FastifyRequest & { authError?: unknown }).authError;
  if (why instanceof ApiError) throw why;
  throw new ApiError('UNAUTHENTICATED', 'sign in first (Authorization: Bearer <token> or the session cookie)');
}

export async function requireAdmin(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  await requireUser(req, reply);
  if (req.authUser?.role !== 'ADMIN') throw new ApiError('FORBIDDEN', 'admins only');
}

/** The signed-in user (call after requireUser). */
export function userOf(req: FastifyRequest): AuthUser {
  if (req.authUser === null) throw new ApiError('UNAUTHENTICATED', 'sign in first');
  return req.authUser;
}

/** Set both session cookies: HTTP-only, SameSite, Secure when configured. */
export function setSessionCookies(reply: FastifyReply, tokens: IssuedTokens, secure: boolean): void {
  reply.setCookie(ACCESS_COOKIE, tokens.accessToken, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: tokens.accessTtlSec });
  reply.setCookie(REFRESH_COOKIE, tokens.refreshToken, { httpOnly: true, sameSite: 'strict', secure, path: '/api/auth', maxAge: tokens.refreshTtlSec });
}

export function clearSessionCookies(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(ACCESS_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
  reply.clearCookie(REFRESH_COOKIE, { path: '/api/auth', httpOnly: true, sameSite: 'strict', secure });
}

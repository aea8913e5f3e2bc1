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
  // Hooks here and in the other per-request plugins are callback-style, not async: no promise
  // and no extra microtask per hook per request (the order path runs about ten of them).
  app.addHook('onRequest', (req, _reply, done) => {
    try {
      const token = presentedAccessToken({ authorization: req.headers.authorization, cookies: req.cookies });
      if (token !== null) req.authUser = authenticate(token, cfg);
    } catch (err) {
      // remember why, so requireUser can say TOKEN_EXPIRED vs TOKEN_INVALID
      (req as FastifyRequest & { authError?: unknown }).authError = err;
    }
    done();
  });
}

/** The refusal of a request without a valid access token, or null when it has one. */
function unauthenticated(req: FastifyRequest): ApiError | null {
  if (req.authUser !== null) return null;
  const why = (req as FastifyRequest & { authError?: unknown }).authError;
  if (why instanceof ApiError) return why;
  return new ApiError('UNAUTHENTICATED', 'sign in first (Authorization: Bearer <token> or the session cookie)');
}

/** onRequest hook: 401 (UNAUTHENTICATED, TOKEN_EXPIRED, TOKEN_INVALID) unless the request carries a valid access token. */
export function requireUser(req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  const err = unauthenticated(req);
  if (err === null) done();
  else done(err);
}

/** onRequest hook: as requireUser, then 403 FORBIDDEN unless the caller is an admin. */
export function requireAdmin(req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  const err = unauthenticated(req) ?? (req.authUser?.role !== 'ADMIN' ? new ApiError('FORBIDDEN', 'admins only') : null);
  if (err === null) done();
  else done(err);
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

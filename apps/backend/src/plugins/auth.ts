/**
 * Authentication: the access token comes from `Authorization: Bearer <token>` (bots) or the
 * HTTP-only `pm_access` cookie (browsers). `requireUser` / `requireAdmin` are onRequest hooks:
 * a request is authenticated before its body is read or validated (no token: 401, even for a
 * malformed body).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '@prediction-markets/shared';
import { verifyAccessToken, type IssuedTokens, type Role, type TokenConfig } from '../auth/tokens.ts';

export const ACCESS_COOKIE = 'pm_access';
export const REFRESH_COOKIE = 'pm_refresh';

export interface AuthUser {
  id: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    authUser: AuthUser | null;
  }
}

/** The access token presented, or null. */
export function presentedToken(req: { headers: Record<string, unknown>; cookies?: Record<string, string | undefined> }): string | null {
  const h = req.headers.authorization;
  if (typeof h === 'string' && h.startsWith('Bearer ')) return h.slice(7).trim() || null;
  return req.cookies?.[ACCESS_COOKIE] ?? null;
}

export function registerAuth(app: FastifyInstance, cfg: TokenConfig): void {
  app.decorateRequest('authUser', null);
  app.addHook('onRequest', async (req) => {
    const token = presentedToken(req);
    if (token === null) return;
    try {
      const c = verifyAccessToken(token, cfg);
      req.authUser = { id: c.sub, role: c.role };
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

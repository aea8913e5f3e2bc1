/**
 * Who is calling, for both entrances (REST in plugins/auth.ts, Socket.IO in realtime/server.ts):
 * the access token is `Authorization: Bearer <token>` (REST bots), the socket handshake's
 * `auth.token` (socket bots), or the HTTP-only `pm_access` cookie (browsers, both entrances).
 * A token is verified by auth/tokens.ts (signature, expiry, revoked session).
 */
import { ApiError } from '@prediction-markets/shared';
import { verifyAccessToken, type Role, type TokenConfig } from '../auth/tokens.ts';

/** The HTTP-only access-token cookie (path /). */
export const ACCESS_COOKIE = 'pm_access';
/** The HTTP-only refresh-token cookie (path /api/auth). */
export const REFRESH_COOKIE = 'pm_refresh';

/** A verified caller. */
export interface SessionUser {
  id: string;
  role: Role;
  /** When the presented access token expires, epoch ms. */
  expMs: number;
  /** The session (refresh-token family) the token belongs to; null for tokens without one. */
  sessionId: string | null;
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return null;
  return header.slice(7).trim() || null;
}

/** The value of cookie `name` in a raw `Cookie` header (URI-decoded when it decodes), or null. */
export function cookieValue(header: unknown, name: string): string | null {
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      const v = part.slice(i + 1).trim();
      try {
        return decodeURIComponent(v) || null;
      } catch {
        return v || null;
      }
    }
  }
  return null;
}

/**
 * The access token a request or handshake presents: an explicit token (bearer header or
 * socket `auth.token`) wins over the cookie. Null when none. Throws TOKEN_INVALID when the
 * explicit token is not a string.
 */
export function presentedAccessToken(p: { explicit?: unknown; authorization?: unknown; cookies?: Record<string, string | undefined>; cookieHeader?: unknown }): string | null {
  if (p.explicit !== undefined && p.explicit !== null) {
    if (typeof p.explicit !== 'string') throw new ApiError('TOKEN_INVALID', 'auth.token must be a string');
    if (p.explicit.length > 0) return p.explicit;
  }
  const bearer = bearerToken(p.authorization);
  if (bearer !== null) return bearer;
  return p.cookies?.[ACCESS_COOKIE] ?? cookieValue(p.cookieHeader, ACCESS_COOKIE);
}

/** Verify an access token; throws ApiError TOKEN_EXPIRED or TOKEN_INVALID (also for a revoked session). */
export function authenticate(token: string, cfg: TokenConfig): SessionUser {
  const c = verifyAccessToken(token, cfg);
  return { id: c.sub, role: c.role, expMs: typeof c.exp === 'number' ? c.exp * 1000 : Number.MAX_SAFE_INTEGER, sessionId: c.sid ?? null };
}

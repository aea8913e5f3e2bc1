/**
 * JWTs (HS256, jsonwebtoken). Access tokens are stateless and short-lived; refresh tokens
 * are long-lived, stored by id (jti) in refresh_tokens and rotated on every use: presenting
 * a token that was already rotated revokes its whole family (OAuth 2.0 Security BCP,
 * "refresh token rotation" with reuse detection).
 */
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ApiError } from '@prediction-markets/shared';
import type { PrismaClient } from '../db/types.ts';
import type { SessionRevocations } from './sessions.ts';

export type Role = 'USER' | 'ADMIN';

export interface AccessClaims {
  sub: string;
  role: Role;
  typ: 'access';
  /** The session (refresh-token family) the token was issued in. */
  sid?: string;
  /** Expiry, epoch seconds (set by jsonwebtoken). */
  exp?: number;
}

interface RefreshClaims {
  sub: string;
  jti: string;
  fam: string;
  typ: 'refresh';
}

export interface TokenConfig {
  secret: string;
  accessTtlSec: number;
  refreshTtlSec: number;
  /** Revoked sessions (auth/sessions.ts): checked on every access-token verification, told of every revocation. */
  sessions?: SessionRevocations;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  accessTtlSec: number;
  refreshTtlSec: number;
}

const ISSUER = 'prediction-markets';

/**
 * The HMAC key as a KeyObject, made once per secret. Given a string, jsonwebtoken first tries
 * `createPublicKey` / `createPrivateKey` on it (an OpenSSL PEM parse that throws) on EVERY
 * sign and verify: that cost about a third of the server's CPU per order request.
 */
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (key === undefined) {
    key = createSecretKey(Buffer.from(secret));
    keys.set(secret, key);
  }
  return key;
}

function verify<T>(token: string, secret: string, typ: string): T {
  try {
    const claims = jwt.verify(token, keyOf(secret), { algorithms: ['HS256'], issuer: ISSUER }) as T & { typ?: string };
    if (claims.typ !== typ) throw new ApiError('TOKEN_INVALID', `not an ${typ} token`);
    return claims;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof jwt.TokenExpiredError) throw new ApiError('TOKEN_EXPIRED', `the ${typ} token has expired`);
    throw new ApiError('TOKEN_INVALID', `the ${typ} token is invalid`);
  }
}

/** Verify an access token; throws ApiError TOKEN_EXPIRED or TOKEN_INVALID (also when its session was revoked). */
export function verifyAccessToken(token: string, cfg: TokenConfig): AccessClaims {
  const c = verifySignedAccessToken(token, cfg);
  if (c.sid !== undefined && cfg.sessions?.isRevoked(c.sid) === true) throw new ApiError('TOKEN_INVALID', 'the session was signed out or revoked');
  return c;
}

function verifySignedAccessToken(token: string, cfg: TokenConfig): AccessClaims {
  // A bot sends the same token with every request: verify it once (HMAC, JSON, claims), then
  // answer from memory until it expires. Only tokens that verified are remembered, per secret.
  let verified = verifiedBySecret.get(cfg.secret);
  if (verified === undefined) {
    verified = new Map();
    verifiedBySecret.set(cfg.secret, verified);
  }
  const hit = verified.get(token);
  if (hit !== undefined) {
    if (Date.now() < hit.expMs) return hit.claims;
    verified.delete(token);
  }
  const c = verify<AccessClaims>(token, cfg.secret, 'access');
  if (typeof c.sub !== 'string' || (c.role !== 'USER' && c.role !== 'ADMIN') || (c.sid !== undefined && typeof c.sid !== 'string')) throw new ApiError('TOKEN_INVALID', 'the access token is invalid');
  if (typeof c.exp === 'number') {
    if (verified.size >= VERIFIED_MAX) verified.clear();
    verified.set(token, { claims: c, expMs: c.exp * 1000 });
  }
  return c;
}

const VERIFIED_MAX = 50_000;
const verifiedBySecret = new Map<string, Map<string, { claims: AccessClaims; expMs: number }>>();

/** A signed access token of `userId` in session `sessionId` (the refresh-token family). */
export function signAccessToken(userId: string, role: Role, cfg: TokenConfig, sessionId?: string): string {
  const claims: AccessClaims = { sub: userId, role, typ: 'access', ...(sessionId === undefined ? {} : { sid: sessionId }) };
  return jwt.sign(claims, keyOf(cfg.secret), { algorithm: 'HS256', expiresIn: cfg.accessTtlSec, issuer: ISSUER });
}

/** Start a new refresh-token family (login / register). */
export async function issueTokens(prisma: PrismaClient, userId: string, role: Role, cfg: TokenConfig, familyId: string = randomUUID()): Promise<IssuedTokens> {
  const jti = randomUUID();
  await prisma.refreshToken.create({
    data: { id: jti, familyId, userId, expiresAt: new Date(Date.now() + cfg.refreshTtlSec * 1000) },
  });
  const claims: RefreshClaims = { sub: userId, jti, fam: familyId, typ: 'refresh' };
  return {
    accessToken: signAccessToken(userId, role, cfg, familyId),
    refreshToken: jwt.sign(claims, keyOf(cfg.secret), { algorithm: 'HS256', expiresIn: cfg.refreshTtlSec, issuer: ISSUER }),
    accessTtlSec: cfg.accessTtlSec,
    refreshTtlSec: cfg.refreshTtlSec,
  };
}

/**
 * Rotate a refresh token: marks it used (atomically) and issues a successor in the same
 * family. Throws TOKEN_EXPIRED / TOKEN_INVALID, or REFRESH_TOKEN_REUSED after revoking the
 * family when the token was already used.
 */
export async function rotateRefreshToken(prisma: PrismaClient, token: string, cfg: TokenConfig): Promise<{ userId: string; role: Role; tokens: IssuedTokens }> {
  const c = verify<RefreshClaims>(token, cfg.secret, 'refresh');
  const now = new Date();
  const claimed = await prisma.refreshToken.updateMany({
    where: { id: c.jti, usedAt: null, revokedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  });
  if (claimed.count !== 1) {
    const row = await prisma.refreshToken.findUnique({ where: { id: c.jti } });
    if (row === null || row.revokedAt !== null) throw new ApiError('TOKEN_INVALID', 'the refresh token is revoked');
    if (row.usedAt !== null) {
      await revokeFamily(prisma, row.familyId, row.userId, cfg);
      throw new ApiError('REFRESH_TOKEN_REUSED', 'this refresh token was already used; all sessions of this login are revoked');
    }
    throw new ApiError('TOKEN_EXPIRED', 'the refresh token has expired');
  }
  const user = await prisma.user.findUnique({ where: { id: c.sub } });
  if (user === null) throw new ApiError('TOKEN_INVALID', 'the user no longer exists');
  const tokens = await issueTokens(prisma, user.id, user.role, cfg, c.fam);
  return { userId: user.id, role: user.role, tokens };
}

/** Revoke a session: every refresh token of the family, and (through cfg.sessions) its access tokens and sockets. */
export async function revokeFamily(prisma: PrismaClient, familyId: string, userId: string, cfg: TokenConfig): Promise<void> {
  await prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
  cfg.sessions?.revoke({ sessionId: familyId, userId });
}

/** Sessions revoked within the last `withinMs` (to reload the revocation list at start). */
export async function recentlyRevokedSessions(prisma: PrismaClient, withinMs: number): Promise<{ sessionId: string; userId: string; revokedAtMs: number }[]> {
  const rows = await prisma.refreshToken.findMany({
    where: { revokedAt: { gt: new Date(Date.now() - withinMs) } },
    select: { familyId: true, userId: true, revokedAt: true },
    distinct: ['familyId'],
  });
  return rows.map((r) => ({ sessionId: r.familyId, userId: r.userId, revokedAtMs: r.revokedAt!.getTime() }));
}

/** Revoke the family of a refresh token if it verifies; silently ignores a bad token (logout). */
export async function revokeRefreshToken(prisma: PrismaClient, token: string, cfg: TokenConfig): Promise<void> {
  try {
    const c = verify<RefreshClaims>(token, cfg.secret, 'refresh');
    await revokeFamily(prisma, c.fam, c.sub, cfg);
  } catch {
    // logging out with a bad token is still a logout
  }
}

/**
 * Revoked sessions. A session is one refresh-token family (auth/tokens.ts): it starts at login
 * or registration, and every access token issued in it carries its id (`sid`). Logging out,
 * or presenting a rotated refresh token again, revokes the family; from then on:
 *
 * - REST: every request checks its access token's session against this list (in memory, so
 *   per request), so a revoked access token stops working AT ONCE on the writer, which serves
 *   the whole REST API. The list is loaded from the database at start (families revoked within
 *   the last ACCESS_TOKEN_TTL_SEC), so a restart does not reopen the window. Entries are kept
 *   until every access token of the session has expired anyway (ACCESS_TOKEN_TTL_SEC).
 * - Sockets: the sockets of the session are disconnected (realtime/server.ts listens here), and
 *   a handshake or `session:refresh` with one of its tokens is refused (TOKEN_INVALID).
 * - With REDIS_URL, each revocation is also published on `pm:sessions:revoked`, so that socket
 *   gateways (which hold no database list of their own) disconnect their sockets and refuse the
 *   session's tokens from then on; and it is kept in the sorted set `pm:sessions:revoked:until`
 *   (member: session id, score: epoch ms until which its tokens may be unexpired), which a
 *   gateway reads when it starts listening, so a gateway started after a revocation refuses the
 *   session's tokens too. Expired members are removed at each revocation, and the key expires
 *   ACCESS_TOKEN_TTL_SEC after the last one.
 */
import type { Logger } from 'pino';
import type { Redis } from '../redis.ts';

/** Redis channel carrying revocations to other instances. */
export const SESSION_REVOKED_CHANNEL = 'pm:sessions:revoked';
/** Redis sorted set of the revocations whose tokens may still be unexpired: session id scored by epoch ms. */
export const SESSION_REVOKED_SET = 'pm:sessions:revoked:until';

/** One revoked session. */
export interface Revocation {
  sessionId: string;
  userId: string;
}

export class SessionRevocations {
  /** Revoked session id -> epoch ms after which none of its access tokens can still be valid. */
  private readonly revoked = new Map<string, number>();
  private readonly listeners = new Set<(r: Revocation) => void>();
  private sub: Redis | null = null;

  /**
   * @param accessTtlMs how long an access token lives (entries are kept that long)
   * @param redis publish revocations to other instances (null: one process)
   */
  constructor(
    private readonly accessTtlMs: number,
    private readonly redis: Redis | null = null,
    private readonly logger?: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when `sessionId` was revoked (and its tokens might still be unexpired). */
  isRevoked(sessionId: string): boolean {
    const until = this.revoked.get(sessionId);
    if (until === undefined) return false;
    if (until <= this.now()) {
      this.revoked.delete(sessionId);
      return false;
    }
    return true;
  }

  /** Remember a revocation made elsewhere (database at start, another instance): no publish. */
  remember(r: Revocation, revokedAtMs: number = this.now()): void {
    this.keepUntil(r.sessionId, revokedAtMs + this.accessTtlMs);
    for (const l of this.listeners) l(r);
  }

  /**
   * Revoke a session here and, with Redis, on every other instance: published to the running
   * ones and added to SESSION_REVOKED_SET for those that start later (one MULTI; a Redis
   * failure is logged, the revocation here stands).
   */
  revoke(r: Revocation): void {
    const now = this.now();
    this.remember(r, now);
    if (this.redis === null) return;
    this.redis
      .multi()
      .zadd(SESSION_REVOKED_SET, now + this.accessTtlMs, r.sessionId)
      .zremrangebyscore(SESSION_REVOKED_SET, '-inf', now)
      .pexpire(SESSION_REVOKED_SET, this.accessTtlMs)
      .publish(SESSION_REVOKED_CHANNEL, JSON.stringify(r))
      .exec()
      .catch((err: unknown) => this.logger?.warn({ err }, 'publishing a session revocation failed'));
  }

  /** Be told of every revocation (local or, after `listen`, from other instances). Returns an unsubscribe function. */
  onRevoked(listener: (r: Revocation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Receive other instances' revocations over Redis (gateways): subscribes to
   * SESSION_REVOKED_CHANNEL, then loads the unexpired entries of SESSION_REVOKED_SET. Rejects
   * when Redis cannot be reached (the gateway then does not start).
   */
  async listen(): Promise<void> {
    if (this.redis === null || this.sub !== null) return;
    const sub = this.redis.duplicate();
    this.sub = sub;
    sub.on('error', (err: unknown) => this.logger?.warn({ err }, 'session revocation subscriber error'));
    sub.on('message', (_channel: string, payload: string) => {
      try {
        const r = JSON.parse(payload) as Revocation;
        if (typeof r.sessionId === 'string' && typeof r.userId === 'string') this.remember(r);
      } catch {
        // not ours
      }
    });
    await sub.subscribe(SESSION_REVOKED_CHANNEL);
    // Subscribed first, then read the set: a revocation made in between is in one or both.
    const entries = await this.redis.zrangebyscore(SESSION_REVOKED_SET, this.now(), '+inf', 'WITHSCORES');
    for (let i = 0; i + 1 < entries.length; i += 2) this.keepUntil(entries[i]!, Number(entries[i + 1]));
  }

  /** Refuse `sessionId`'s tokens until `untilMs` (epoch ms); a later deadline already known is kept. */
  private keepUntil(sessionId: string, untilMs: number): void {
    if (this.revoked.size > 100_000) this.prune();
    const known = this.revoked.get(sessionId);
    if (known === undefined || known < untilMs) this.revoked.set(sessionId, untilMs);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    const sub = this.sub;
    this.sub = null;
    if (sub !== null) await sub.quit().catch(() => sub.disconnect());
  }

  private prune(): void {
    const now = this.now();
    for (const [id, until] of this.revoked) if (until <= now) this.revoked.delete(id);
  }
}

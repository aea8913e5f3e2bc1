/**
 * Rate limiters (rate-limiter-flexible): a Redis store when Redis is configured, so limits
 * hold across server processes, and a memory store otherwise. Used by the REST rate-limit
 * plugin and by the socket message limits.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from '../redis.ts';

export interface LimiterSpec {
  /** Key prefix, unique per limit (e.g. 'rl:public'). */
  keyPrefix: string;
  /** Requests allowed per window. */
  points: number;
  /** Window, seconds. */
  durationSec: number;
}

export function createLimiter(spec: LimiterSpec, redis: Redis | null): RateLimiterAbstract {
  const opts = { keyPrefix: spec.keyPrefix, points: spec.points, duration: spec.durationSec };
  return redis === null ? new RateLimiterMemory(opts) : new RateLimiterRedis({ ...opts, storeClient: redis, rejectIfRedisNotReady: false });
}

/** Outcome of one attempt: allowed, or refused with the seconds to wait. */
export type LimitOutcome = { allowed: true } | { allowed: false; retryAfterSec: number };

/** Consume one point for `key`. A store failure (e.g. Redis down) lets the request through: limits protect, they must not take the service down. */
export async function consume(limiter: RateLimiterAbstract, key: string, points = 1): Promise<LimitOutcome> {
  try {
    await limiter.consume(key, points);
    return { allowed: true };
  } catch (res) {
    if (res instanceof RateLimiterRes) return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
    return { allowed: true };
  }
}

/**
 * Redis connections (ioredis) when REDIS_URL is configured. One command connection is
 * shared by rate limiters and publishers; subscribers need their own (`duplicate()`).
 */
import { Redis } from 'ioredis';

export function createRedis(url: string): Redis {
  return new Redis(url, {
    // Fail fast instead of queueing forever when Redis is down; callers decide what to do.
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
}

export type { Redis };

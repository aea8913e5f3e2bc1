/** The writer's HTTP-facing bits that belong to the exchange itself (not to a feature's routes). */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '@prediction-markets/shared';
import { QUEUE_FULL_RETRY_AFTER_SEC } from './exchange.ts';

/**
 * Every REST answer 503 QUEUE_FULL carries `Retry-After: QUEUE_FULL_RETRY_AFTER_SEC` (seconds),
 * whichever route submitted the command. Register before the app is ready.
 */
export function registerQueueFullRetryAfter(app: FastifyInstance): void {
  app.addHook('onError', async (_req, reply, err) => {
    if (err instanceof ApiError && err.code === 'QUEUE_FULL') reply.header('retry-after', String(QUEUE_FULL_RETRY_AFTER_SEC));
  });
}

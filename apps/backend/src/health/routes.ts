/** Liveness and readiness for orchestrators and operators. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';

const Check = z.object({ ok: z.boolean(), detail: z.string() });
const ReadyBody = z.object({ ready: z.boolean(), checks: z.record(z.string(), Check) });

/** Extra readiness checks (e.g. Redis) registered by optional plugins. */
export type ReadinessCheck = () => Promise<{ ok: boolean; detail: string }>;

export const healthRoutes: FastifyPluginAsyncZod<{ ctx: AppContext; readinessChecks?: Record<string, ReadinessCheck> }> = async (app, { ctx, readinessChecks = {} }) => {
  const startedAt = Date.now();
  // Probed every few seconds by orchestrators: request lines only at warn and above.
  app.get('/health', {
    logLevel: 'warn',
    schema: { tags: ['health'], summary: 'Liveness: the process is up', response: { 200: z.object({ status: z.literal('ok'), uptimeSec: z.number() }) } },
  }, async () => ({ status: 'ok' as const, uptimeSec: Math.round((Date.now() - startedAt) / 1000) }));

  app.get('/ready', {
    schema: {
      tags: ['health'],
      summary: 'Readiness: database reachable, engine rebuilt and consistent, Redis reachable when configured',
      response: { 200: ReadyBody, 503: ReadyBody },
    },
  }, async (_req, reply) => {
    const checks: Record<string, { ok: boolean; detail: string }> = {};
    try {
      await ctx.prisma.$queryRawUnsafe('SELECT 1');
      checks.database = { ok: true, detail: 'reachable' };
    } catch (err) {
      checks.database = { ok: false, detail: (err as Error).message.split('\n')[0] ?? 'unreachable' };
    }
    checks.engine = ctx.exchange.ready
      ? { ok: true, detail: `rebuilt; queue depth ${ctx.exchange.queueDepth}` }
      : { ok: false, detail: 'not rebuilt yet (starting or recovering)' };
    for (const [name, fn] of Object.entries(readinessChecks)) {
      try {
        checks[name] = await fn();
      } catch (err) {
        checks[name] = { ok: false, detail: (err as Error).message };
      }
    }
    const ready = Object.values(checks).every((c) => c.ok);
    return reply.status(ready ? 200 : 503).send({ ready, checks });
  });
};

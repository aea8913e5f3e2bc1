// The per-request logger (logger.ts lazyRequestLoggerFactory): made only when a request writes
// a line at an enabled level, with the same lines as pino's eager child (reqId binding, the
// route's own level, secrets redacted).
import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyServerOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger, lazyRequestLoggerFactory } from '../src/logger.ts';

/** A Fastify app over a logger at `level` writing into `lines`, with the lazy factory. */
async function appWith(level: 'warn' | 'info', lines: Record<string, unknown>[]) {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ LOG_LEVEL: level }, sink);
  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    childLoggerFactory: lazyRequestLoggerFactory as unknown as NonNullable<FastifyServerOptions['childLoggerFactory']>,
    disableRequestLogging: true,
  });
  app.get('/quiet', async (req) => {
    req.log.info('an info line');
    req.log.debug({ detail: 1 }, 'a debug line');
    return { ok: true };
  });
  app.get('/loud', async (req) => {
    req.log.warn({ password: 'hunter2', n: 7 }, 'a warning');
    req.log.child({ part: 'inner' }).error('an error from a child');
    return { ok: true };
  });
  // A route whose own level is stricter than the app's.
  app.get('/strict', { logLevel: 'error' }, async (req) => {
    req.log.warn('not written: below the route level');
    req.log.error('written');
    return { level: req.log.level };
  });
  await app.ready();
  return app;
}

describe('per-request logger', () => {
  it('writes enabled lines with the request id and redaction, and nothing for disabled levels', async () => {
    const lines: Record<string, unknown>[] = [];
    const app = await appWith('warn', lines);
    await app.inject({ method: 'GET', url: '/quiet' });
    expect(lines).toEqual([]);
    const res = await app.inject({ method: 'GET', url: '/loud' });
    expect(res.statusCode).toBe(200);
    expect(lines).toHaveLength(2);
    const [warn, err] = lines;
    expect(warn).toMatchObject({ level: 40, msg: 'a warning', n: 7, password: '[redacted]', reqId: expect.any(String) });
    expect(err).toMatchObject({ level: 50, msg: 'an error from a child', part: 'inner', reqId: warn!.reqId });
    await app.close();
  });

  it("honours the app's level and a route's own level", async () => {
    const lines: Record<string, unknown>[] = [];
    const app = await appWith('info', lines);
    await app.inject({ method: 'GET', url: '/quiet' });
    expect(lines.map((l) => l.msg)).toEqual(['an info line']);
    lines.length = 0;
    const strict = await app.inject({ method: 'GET', url: '/strict' });
    expect(strict.json()).toEqual({ level: 'error' });
    expect(lines.map((l) => l.msg)).toEqual(['written']);
    await app.close();
  });
});

// Exactly one writer per database: a second writer on the same database refuses to start
// (db/writer-lock.ts), and the lock passes on when the first one stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime } from '../src/runtime.ts';
import { WriterLockHeldError } from '../src/db/writer-lock.ts';
import { startTestExchange, testEnv, type TestExchange } from './helpers/server.ts';

describe('service: one writer per database', () => {
  let t: TestExchange;
  beforeAll(async () => {
    t = await startTestExchange();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a second writer while the first runs, and lets one start after it stops', async () => {
    const env = testEnv(t.db.url);
    await expect(startRuntime(env, { listen: false, migrate: false, realtime: false })).rejects.toBeInstanceOf(WriterLockHeldError);
    // the first writer is unaffected
    expect((await t.api('GET', '/ready')).status).toBe(200);
    await t.stop();
    const second = await startRuntime(env, { listen: false, migrate: false, realtime: false });
    try {
      expect(second.ctx.exchange.ready).toBe(true);
    } finally {
      await second.close();
    }
    await t.restart();
    expect((await t.api('GET', '/ready')).status).toBe(200);
  });
});

// Session revocations shared through a REAL redis-server: an instance that starts listening
// after a revocation (a socket gateway started late) must refuse the revoked session's tokens
// for as long as they may be unexpired, and no longer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { SESSION_REVOKED_SET, SessionRevocations } from '../src/auth/sessions.ts';
import { startRedis, type TestRedis } from './helpers/redis.ts';

const TTL_MS = 15 * 60_000;

let redis: TestRedis;
const connections: Redis[] = [];
const instances: SessionRevocations[] = [];

const connect = (): Redis => {
  const c = new Redis(redis.url, { maxRetriesPerRequest: 2 });
  connections.push(c);
  return c;
};

/** An instance (writer or gateway) with its own Redis connection and clock. */
const instance = (now: () => number): SessionRevocations => {
  const s = new SessionRevocations(TTL_MS, connect(), undefined, now);
  instances.push(s);
  return s;
};

/** Wait until the writer's MULTI (revoke is fire-and-forget) has reached Redis. */
async function untilStored(sessionId: string): Promise<void> {
  const probe = connect();
  for (let i = 0; i < 200; i++) {
    if ((await probe.zscore(SESSION_REVOKED_SET, sessionId)) !== null) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`revocation of ${sessionId} never reached Redis`);
}

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const s of instances) await s.close();
  for (const c of connections) c.disconnect();
  await redis?.stop();
});

describe('session revocations across instances (Redis)', () => {
  it('a gateway that starts listening after a revocation refuses that session, and only that one', async () => {
    const t0 = 1_800_000_000_000;
    const writer = instance(() => t0);
    writer.revoke({ sessionId: 'sess-late', userId: 'user-1' });
    await untilStored('sess-late');

    const gateway = instance(() => t0 + 1_000);
    await gateway.listen();
    expect(gateway.isRevoked('sess-late')).toBe(true);
    expect(gateway.isRevoked('sess-other')).toBe(false);
  });

  it('a gateway started once the tokens have expired does not load the revocation', async () => {
    const t0 = 1_800_000_000_000;
    const writer = instance(() => t0);
    writer.revoke({ sessionId: 'sess-old', userId: 'user-2' });
    await untilStored('sess-old');

    const gateway = instance(() => t0 + TTL_MS + 1);
    await gateway.listen();
    expect(gateway.isRevoked('sess-old')).toBe(false);
  });

  it('a gateway already listening learns of a new revocation, and keeps it until the tokens expire', async () => {
    let now = 1_800_000_000_000;
    const gateway = instance(() => now);
    await gateway.listen();
    const seen = new Promise<string>((resolve) => gateway.onRevoked((r) => resolve(r.sessionId)));

    const writer = instance(() => now);
    writer.revoke({ sessionId: 'sess-live', userId: 'user-3' });
    expect(await seen).toBe('sess-live');
    expect(gateway.isRevoked('sess-live')).toBe(true);

    now += TTL_MS + 1;
    expect(gateway.isRevoked('sess-live')).toBe(false);
  });
});

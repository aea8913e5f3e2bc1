// A socket gateway (INSTANCE_ROLE=gateway) serves /metrics like the writer: the same registry
// shape (process, HTTP and socket metrics), protected by METRICS_TOKEN the same way, so socket
// metrics are not lost when connections are scaled out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../src/realtime/gateway.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startRedis, type TestRedis } from './helpers/redis.ts';
import { testEnv } from './helpers/server.ts';
import { connect, type ClientSocket } from './helpers/socket.ts';

const TOKEN = 'gateway-metrics-token-0123456789';

let redis: TestRedis;
let db: TestDatabase;
let gateway: Gateway;
let socket: ClientSocket | null = null;

beforeAll(async () => {
  redis = await startRedis();
  db = await createTestDatabase();
  gateway = await startGateway(testEnv(db.url, { REDIS_URL: redis.url, METRICS_TOKEN: TOKEN }));
});

afterAll(async () => {
  socket?.disconnect();
  await gateway?.close();
  await db?.drop();
  await redis?.stop();
});

describe('gateway /metrics', () => {
  it('requires the metrics token', async () => {
    const res = await gateway.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });

  it('serves the registry with socket metrics', async () => {
    socket = await connect(gateway.url!);
    const res = await gateway.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^websocket_connections_total 1$/m);
    expect(res.body).toMatch(/^# TYPE websocket_messages_total counter$/m);
    expect(res.body).toMatch(/^# TYPE http_requests_total counter$/m);
    expect(res.body).toMatch(/^process_cpu_seconds_total /m);
  });
});

// Child process of bench/realtime.ts --gateways G: one socket gateway (INSTANCE_ROLE=gateway:
// no engine; events from the writer over Redis, snapshots from the database).
// IPC: <- start {databaseUrl, redisUrl} -> ready {url}; <- memory -> memory {rss, heapUsed, sockets};
//      <- floor -> floor {sockets, roundsMs, medianMs} (socket-write-floor.ts); <- stop.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnv } from '../src/env.ts';
import { startGateway, type Gateway } from '../src/realtime/gateway.ts';
import { socketIoWriteFloor } from './socket-write-floor.ts';

let gw: Gateway | null = null;
process.on('message', (m: { type: string; databaseUrl?: string; redisUrl?: string }) => {
  void (async () => {
    if (m.type === 'start') {
      const env = loadEnv({
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'pm-bench-gw-')),
        DATABASE_URL: m.databaseUrl,
        REDIS_URL: m.redisUrl,
        DATABASE_POOL_MAX: '4',
        JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-0123456789',
        LOG_LEVEL: 'silent',
        RATE_LIMIT_WS_SOCKET_POINTS: '1000',
        REALTIME_COALESCE_MS: process.env.BENCH_COALESCE_MS ?? '0',
      });
      gw = await startGateway(env);
      process.send?.({ type: 'ready', url: gw.url });
    } else if (m.type === 'memory') {
      (globalThis as { gc?: () => void }).gc?.();
      const mem = process.memoryUsage();
      process.send?.({ type: 'memory', rss: mem.rss, heapUsed: mem.heapUsed, sockets: gw?.realtime.io.of('/').sockets.size ?? 0 });
    } else if (m.type === 'floor') {
      process.send?.({ type: 'floor', ...(await socketIoWriteFloor(gw!.realtime.io)) });
    } else if (m.type === 'stop') {
      await gw?.close();
      process.exit(0);
    }
  })();
});
process.send?.({ type: 'up' });

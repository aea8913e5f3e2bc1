// A real redis-server (Debian's /usr/bin/redis-server) per test file, on a free loopback port,
// with persistence off. Started as a child process (not daemonized), so it cannot outlive the
// test process by accident; stop() waits for it to exit.
//
//   const redis = await startRedis();   // redis.url: redis://127.0.0.1:PORT
//   ...
//   await redis.stop();
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

export interface TestRedis {
  url: string;
  port: number;
  /** Stop the server (SIGTERM, then SIGKILL after 5 s) and wait for it to exit. Idempotent. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the kernel's pick for port 0). */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function startOnce(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'notice'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code} before it was ready:\n${out.slice(-2000)}`)));
  });
}

export async function startRedis(): Promise<TestRedis> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    let child: ChildProcess;
    try {
      child = await startOnce(port);
    } catch (err) {
      lastError = err; // most likely the port was taken meanwhile: try another
      continue;
    }
    let stopped: Promise<void> | null = null;
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      stop() {
        stopped ??= (async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = once(child, 'exit');
          child.kill('SIGTERM');
          const force = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(force);
        })();
        return stopped;
      },
    };
  }
  throw lastError instanceof Error ? lastError : new Error('could not start redis-server');
}

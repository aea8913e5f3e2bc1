// Realtime benchmark (not a test): `pnpm bench:realtime [--clients 10000] [--json]`.
//
// Starts a whole exchange on this machine (child process: embedded PostgreSQL, in-memory
// realtime bus, loopback only), connects N socket clients from several child processes, all
// subscribed to one market, streams orders through the real writer (commit, then publish),
// and reports:
//   - delivery latency per message and client: receipt time - the message's `tsMs` (the engine
//     time of the event, stamped when the command executed, i.e. BEFORE the commit), so it
//     includes commit, fan-out and transport; p50 / p99 / max in ms (1 ms resolution);
//   - events/s delivered (messages received by all clients per second of streaming);
//   - server memory per connection: RSS growth from before connecting to after all clients
//     subscribed (after a forced GC), divided by N;
//   - the write floor of the same run (socket-write-floor.ts): right after the streaming, the
//     server process writes one 120-byte WebSocket frame to each of its N sockets, 5 rounds;
//     floorMs is the median round, and p99OverFloor = p99Ms / floorMs (the target: <= 2);
//   - the CPU its own client processes took while streaming (their CPU time / (wall time x
//     cores)): they share the machine with the server, so a busy client delays receipts.
// Options:
//   --clients N      clients (default 10000)
//   --procs P        client processes (default ceil(N / 2500))
//   --rate R         orders per second streamed (default 2: what 10,000 clients on a 2-vCPU VM sustain)
//   --duration S     seconds of streaming (default 10)
//   --mode raw|socketio|sdk  client kind (default raw: Socket.IO protocol over bare WebSocket, cheap
//                    per message; socketio: socket.io-client, heavier; sdk: the client SDK's PmSocket
//                    + subscribe, a live local book per client, heaviest; see realtime-clients.ts)
//   --coalesce-ms MS REALTIME_COALESCE_MS of the server (default 0)
//   --gateways G     serve the clients from G socket-gateway processes (INSTANCE_ROLE=gateway)
//                    instead of the writer: starts a redis-server (/usr/bin/redis-server, loopback,
//                    no persistence); events reach the gateways over Redis pub/sub (default 0)
//   --json           print only {"clients","p50Ms","p99Ms","maxMs","eventsPerSec","bytesPerConnection",
//                    "floorMs","p99OverFloor","orders","messagesPerClient","clientCpuShare","serverCpuShare"}
// Everything is bounded: the whole run aborts after 5 minutes.
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis, type TestRedis } from '../test/helpers/redis.ts';
import { FLOOR_WRITE_BYTES } from './socket-write-floor.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}
const json = process.argv.includes('--json');
const clients = Number(arg('clients', '10000'));
const procs = Number(arg('procs', String(Math.max(1, Math.ceil(clients / 2500)))));
const rate = Number(arg('rate', '2'));
const durationSec = Number(arg('duration', '10'));
const mode = arg('mode', 'raw') as 'raw' | 'socketio' | 'sdk';
const coalesceMs = arg('coalesce-ms', '0');
const gatewayCount = Number(arg('gateways', '0'));
const log = (s: string): void => {
  if (!json) process.stderr.write(`${s}\n`);
};

const children: ChildProcess[] = [];
const abort = setTimeout(() => {
  process.stderr.write('benchmark timed out after 5 minutes\n');
  for (const c of children) c.kill('SIGKILL');
  process.exit(2);
}, 300_000);
abort.unref();

/** Next IPC message of `type` from a child. */
function next<T = any>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: { type: string }): void => {
      if (m.type === type) {
        child.off('message', onMsg);
        child.off('exit', onExit);
        resolve(m as T);
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`child exited (${code}) while waiting for ${type}`));
    child.on('message', onMsg);
    child.once('exit', onExit);
  });
}

let redis: TestRedis | null = null;

/** Total memory of the processes serving sockets. */
async function memoryOf(servers: ChildProcess[]): Promise<{ rss: number; heapUsed: number; sockets: number }> {
  const all = await Promise.all(
    servers.map((c) => {
      const p = next<{ rss: number; heapUsed: number; sockets: number }>(c, 'memory');
      c.send({ type: 'memory' });
      return p;
    }),
  );
  return all.reduce((a, m) => ({ rss: a.rss + m.rss, heapUsed: a.heapUsed + m.heapUsed, sockets: a.sockets + m.sockets }), { rss: 0, heapUsed: 0, sockets: 0 });
}

async function main(): Promise<void> {
  if (gatewayCount > 0) redis = await startRedis();
  const server = fork(path.join(here, 'realtime-server.ts'), [], {
    execArgv: ['--expose-gc', '--import', 'tsx', ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    env: { ...process.env, BENCH_COALESCE_MS: coalesceMs, ...(redis === null ? {} : { BENCH_REDIS_URL: redis.url }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(server);
  const ready = await next<{ url: string; marketId: string; databaseUrl: string }>(server, 'ready');
  const gateways: ChildProcess[] = [];
  const urls: string[] = [];
  for (let i = 0; i < gatewayCount; i++) {
    const g = fork(path.join(here, 'realtime-gateway.ts'), [], { execArgv: ['--expose-gc', '--import', 'tsx'], env: { ...process.env, BENCH_COALESCE_MS: coalesceMs }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(g);
    gateways.push(g);
    await next(g, 'up');
    const p = next<{ url: string }>(g, 'ready');
    g.send({ type: 'start', databaseUrl: ready.databaseUrl, redisUrl: redis!.url });
    urls.push((await p).url);
  }
  if (urls.length === 0) urls.push(ready.url);
  const socketServers = gateways.length > 0 ? gateways : [server];
  log(`writer up at ${ready.url}${gateways.length > 0 ? `; ${gateways.length} gateways at ${urls.join(', ')}` : ''}; connecting ${clients} ${mode} clients from ${procs} processes`);
  const mem0 = await memoryOf(socketServers);

  const workers: ChildProcess[] = [];
  for (let i = 0; i < procs; i++) {
    const w = fork(path.join(here, 'realtime-clients.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(w);
    workers.push(w);
  }
  await Promise.all(workers.map((w) => next(w, 'up')));
  const t0 = Date.now();
  const per = workers.map((_, i) => Math.floor(clients / procs) + (i < clients % procs ? 1 : 0));
  const connected = await Promise.all(
    workers.map((w, i) => {
      const p = next<{ n: number; errors: number }>(w, 'connected');
      w.send({ type: 'start', url: urls[i % urls.length], marketId: ready.marketId, count: per[i], mode, concurrency: 200 });
      return p;
    }),
  );
  const n = connected.reduce((s, c) => s + c.n, 0);
  log(`${n} clients connected and subscribed in ${((Date.now() - t0) / 1000).toFixed(1)} s (${connected.reduce((s, c) => s + c.errors, 0)} errors)`);
  const mem1 = await memoryOf(socketServers);

  await Promise.all(workers.map((w) => (w.send({ type: 'reset' }), next(w, 'reset'))));
  const window0 = performance.now();
  log(`streaming ${rate} orders/s for ${durationSec} s`);
  server.send({ type: 'stream', rate, durationMs: durationSec * 1000 });
  const streamed = await next<{ orders: number; trades: number; ms: number; cpuMs: number; commitP50Ms: number; commitP99Ms: number; batches: number; publishedAt: [number, number][] }>(server, 'streamed');
  await new Promise((r) => setTimeout(r, 1500)); // deliveries in flight
  const reports = await Promise.all(
    workers.map((w) => {
      const p = next<{ buckets: [number, number][]; receipts: [number, [number, number][]][]; deliveries: number; gaps: number; firstMs: number; lastMs: number; errors: number; cpuMs: number }>(w, 'report');
      w.send({ type: 'report' });
      return p;
    }),
  );
  const windowMs = performance.now() - window0;
  // The write floor, same run, same sockets (each socket-serving process in parallel: the slowest counts).
  const floors = await Promise.all(
    socketServers.map((c) => {
      const p = next<{ sockets: number; roundsMs: number[]; medianMs: number }>(c, 'floor');
      c.send({ type: 'floor' });
      return p;
    }),
  );
  const floorMs = Math.max(...floors.map((f) => f.medianMs));
  const cores = os.availableParallelism();
  const clientCpuMs = reports.reduce((a, r) => a + r.cpuMs, 0);

  const hist = new Map<number, number>();
  let deliveries = 0;
  let gaps = 0;
  let first = Number.MAX_SAFE_INTEGER;
  let last = 0;
  for (const r of reports) {
    for (const [ms, c] of r.buckets) hist.set(ms, (hist.get(ms) ?? 0) + c);
    deliveries += r.deliveries;
    gaps += r.gaps;
    if (r.firstMs > 0) first = Math.min(first, r.firstMs);
    last = Math.max(last, r.lastMs);
  }
  const percentile = (h: Map<number, number>, total: number, p: number): number => {
    const sorted = [...h.entries()].sort((a, b) => a[0] - b[0]);
    const target = Math.ceil(total * p);
    let acc = 0;
    for (const [ms, c] of sorted) {
      acc += c;
      if (acc >= target) return ms;
    }
    return sorted.at(-1)?.[0] ?? 0;
  };
  const sorted = [...hist.entries()].sort((a, b) => a[0] - b[0]);
  const pct = (p: number): number => percentile(hist, deliveries, p);
  // Fan-out only: receipt - the time the message's batch was published (after its commit).
  const published = new Map(streamed.publishedAt);
  const fan = new Map<number, number>();
  let fanN = 0;
  for (const r of reports) {
    for (const [seq, h] of r.receipts) {
      const pub = published.get(seq);
      if (pub === undefined) continue;
      for (const [ms, c] of h) {
        const d = Math.max(0, ms - pub);
        fan.set(d, (fan.get(d) ?? 0) + c);
        fanN += c;
      }
    }
  }
  // Per message (by its last seq): publish -> first receipt, and first -> last receipt (the spread of one broadcast).
  const span = new Map<number, [number, number]>();
  for (const r of reports) {
    for (const [seq, h] of r.receipts) {
      for (const [ms] of h) {
        const x = span.get(seq);
        if (x === undefined) span.set(seq, [ms, ms]);
        else span.set(seq, [Math.min(x[0], ms), Math.max(x[1], ms)]);
      }
    }
  }
  const starts: number[] = [];
  const spreads: number[] = [];
  for (const [seq, [a, b]] of span) {
    const pub = published.get(seq);
    if (pub !== undefined) starts.push(Math.max(0, a - pub));
    spreads.push(b - a);
  }
  const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const result = {
    clients: n,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    maxMs: sorted.at(-1)?.[0] ?? 0,
    eventsPerSec: Math.round(deliveries / Math.max(0.001, (last - first) / 1000)),
    bytesPerConnection: Math.round((mem1.rss - mem0.rss) / Math.max(1, n)),
    floorMs: Number(floorMs.toFixed(1)),
    p99OverFloor: floorMs > 0 ? Number((pct(0.99) / floorMs).toFixed(2)) : null,
    orders: streamed.orders,
    messagesPerClient: n > 0 ? Number((deliveries / n).toFixed(1)) : 0,
    clientCpuShare: Number((clientCpuMs / (windowMs * cores)).toFixed(3)),
    serverCpuShare: Number((streamed.cpuMs / (streamed.ms * cores)).toFixed(3)),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const perClient = n > 0 ? deliveries / n : 0;
    process.stdout.write(
      [
        '',
        `realtime benchmark: ${n} ${mode} clients on one market${gateways.length > 0 ? ` via ${gateways.length} gateways (Redis)` : ''}, ${streamed.orders} orders (${streamed.trades} fills) over ${(streamed.ms / 1000).toFixed(1)} s`,
        `  delivery latency (engine event -> client receipt): p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms`,
        `  fan-out only (publish after commit -> client receipt): p50 ${percentile(fan, fanN, 0.5)} ms, p99 ${percentile(fan, fanN, 0.99)} ms, max ${percentile(fan, fanN, 1)} ms`,
        `  per message (${span.size}): publish -> first receipt p50 ${mid(starts)} ms, max ${Math.max(0, ...starts)} ms; first -> last receipt (one broadcast) p50 ${mid(spreads)} ms, max ${Math.max(0, ...spreads)} ms`,
        `  the writer's execute + commit per batch (${streamed.batches} batches): p50 ${streamed.commitP50Ms.toFixed(1)} ms, p99 ${streamed.commitP99Ms.toFixed(1)} ms`,
        `  delivered: ${deliveries} messages (${perClient.toFixed(1)} per client), ${result.eventsPerSec} messages/s; sequence gaps: ${gaps}`,
        `  write floor (one ${FLOOR_WRITE_BYTES}-byte write to each of ${floors.reduce((a, f) => a + f.sockets, 0)} sockets by the ${gateways.length > 0 ? 'gateways' : 'server'}, same run): median ${floorMs.toFixed(1)} ms (rounds ${floors.map((f) => f.roundsMs.map((x) => x.toFixed(0)).join('/')).join(', ')}); delivery p99 / floor = ${result.p99OverFloor}`,
        `  CPU while streaming (share of ${cores} cores): client processes ${(result.clientCpuShare * 100).toFixed(0)}% (${(clientCpuMs / 1000).toFixed(1)} CPU-s over ${(windowMs / 1000).toFixed(1)} s), ${gateways.length > 0 ? 'writer' : 'server'} ${(result.serverCpuShare * 100).toFixed(0)}%`,
        `  ${gateways.length > 0 ? 'gateways' : 'server'} memory: RSS ${(mem0.rss / 2 ** 20).toFixed(0)} -> ${(mem1.rss / 2 ** 20).toFixed(0)} MiB with ${mem1.sockets} sockets = ${result.bytesPerConnection} bytes/connection (heap ${Math.round((mem1.heapUsed - mem0.heapUsed) / Math.max(1, n))} bytes/connection)`,
        '',
      ].join('\n'),
    );
  }
  for (const w of workers) w.send({ type: 'close' });
  for (const g of gateways) g.send({ type: 'stop' });
  await Promise.all(gateways.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  server.send({ type: 'stop' });
  await Promise.all([...workers, server].map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  await redis?.stop();
  clearTimeout(abort);
  if (gaps > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  for (const c of children) c.kill('SIGKILL');
  void (redis?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
});

// Broadcast paths against the write floor, on the same sockets (a script, not a test):
//   node --import tsx bench/realtime-broadcast.ts [--clients 5000] [--rounds 7]
//
// A bare Socket.IO server (no exchange) with N raw WebSocket clients (realtime-clients.ts, in
// child processes) in one room. For each path, `rounds` broadcasts of one realistic
// market_frame; per broadcast it reports the server's CPU time (process.cpuUsage over the
// synchronous send and the write callbacks that follow) and the wall time of the synchronous
// part, median over the rounds, next to the write floor (one 120-byte write per socket,
// socket-write-floor.ts) measured the same way. CPU time is what fan-out costs the server
// whatever else the machine runs; the ratio to the floor is the per-socket overhead.
// Paths:
//   emit         io.local.to(room).emit('market_frame', frame): what Fanout does (the adapter
//                encodes the packet and its WebSocket frame once per broadcast);
//   emit-2rooms  the same to [room, an empty room] (Fanout's m:{id} + m:{id}:YES broadcast);
//   floor        one pre-built WebSocket frame written straight to each TCP socket.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server } from 'socket.io';
import { ROOMS } from '@prediction-markets/shared';
import { noopWebSocketFrame } from './socket-write-floor.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
};
const clients = Number(arg('clients', '5000'));
const rounds = Number(arg('rounds', '7'));
const procs = Math.max(1, Math.ceil(clients / 2500));
const MARKET = '00000000-0000-4000-8000-00000000b0b0';
const room = ROOMS.market(MARKET);

const http = createServer();
const io = new Server(http, { path: '/ws' });
io.on('connection', (socket) => {
  socket.on('subscribe:market', async (_p: unknown, ack: (r: unknown) => void) => {
    await socket.join(room);
    ack({ ok: true, seq: 0 });
  });
});
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

const next = <T>(c: ChildProcess, type: string): Promise<T> =>
  new Promise((resolve) => {
    const on = (m: { type: string }): void => {
      if (m.type === type) {
        c.off('message', on);
        resolve(m as T);
      }
    };
    c.on('message', on);
  });
const workers: ChildProcess[] = [];
for (let i = 0; i < procs; i++) workers.push(fork(path.join(here, 'realtime-clients.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
await Promise.all(workers.map((w) => next(w, 'up')));
await Promise.all(
  workers.map((w, i) => {
    const p = next(w, 'connected');
    w.send({ type: 'start', url, marketId: MARKET, count: Math.floor(clients / procs) + (i < clients % procs ? 1 : 0), mode: 'raw', concurrency: 200 });
    return p;
  }),
);
const n = io.of('/').adapter.rooms.get(room)?.size ?? 0;
process.stderr.write(`${n} clients in the room\n`);

/** A frame as the exchange sends it for one order that trades: 3 levels, 1 trade. */
let seq = 1;
const frame = (): unknown => ({
  marketId: MARKET,
  fromSeq: seq,
  seq: (seq += 4) - 1,
  tsMs: Date.now(),
  outcome: 'YES',
  levels: [
    { side: 'BID', price: 47, quantity: 12, orders: 3 },
    { side: 'ASK', price: 52, quantity: 0, orders: 0 },
    { side: 'ASK', price: 53, quantity: 7, orders: 2 },
  ],
  trades: [{ seq: seq - 2, tsMs: Date.now(), id: seq, kind: 'MINT', yesPrice: 52, noPrice: 48, quantity: 2, takerSide: 'BUY', takerOutcome: 'YES' }],
  updates: [],
});

const tcpSockets = (): { write(b: Buffer): unknown }[] =>
  [...io.of('/').sockets.values()].flatMap((s) => {
    const t = (s.conn.transport as unknown as { socket?: { _socket?: { write(b: Buffer): unknown } } }).socket?._socket;
    return t === undefined ? [] : [t];
  });
const floorFrame = noopWebSocketFrame();
const paths: Record<string, () => void> = {
  emit: () => void io.local.to(room).emit('market_frame', frame()),
  'emit-2rooms': () => void io.local.to([room, ROOMS.marketOutcome(MARKET, 'YES')]).emit('market_frame', frame()),
  floor: () => {
    for (const s of tcpSockets()) s.write(floorFrame);
  },
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const results: Record<string, { cpuMs: number; syncMs: number }> = {};
for (const [name, run] of Object.entries(paths)) {
  const cpu: number[] = [];
  const sync: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await new Promise((res) => setTimeout(res, 300));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    sync.push(performance.now() - t0);
    await new Promise((res) => setTimeout(res, 200)); // write callbacks run meanwhile; idle otherwise
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  results[name] = { cpuMs: median(cpu), syncMs: median(sync) };
}
const floor = results.floor!;
process.stdout.write(`broadcast to ${n} sockets, median of ${rounds} (server CPU ms incl. write callbacks / wall ms of the synchronous part):\n`);
for (const [name, r] of Object.entries(results)) {
  process.stdout.write(`  ${name.padEnd(12)} CPU ${r.cpuMs.toFixed(1).padStart(7)} ms (${(r.cpuMs / floor.cpuMs).toFixed(2)}x floor)   sync ${r.syncMs.toFixed(1).padStart(7)} ms (${(r.syncMs / floor.syncMs).toFixed(2)}x floor)\n`);
}
for (const w of workers) w.send({ type: 'close' });
io.close();
setTimeout(() => process.exit(0), 300);

// The floor under socket fan-out on this machine: the time to write one small buffer (120
// bytes) once to each of N connected loopback sockets, in one synchronous loop, repeated a few
// times. Socket.IO's broadcast does at least this per subscriber, so this is the least any
// broadcast to N sockets can take here.
//
// Two uses of the same method (`timeWrites`):
//  - this script: one process opens N loopback TCP connections to itself and times the writes;
//      node --import tsx bench/socket-write-floor.ts [N=2000]
//    Loopback only; bounded: N <= 9000 (two descriptors per connection in one process).
//  - bench/realtime.ts (`socketIoWriteFloor`): the server process writes one WebSocket frame
//    (an Engine.IO no-op packet, ignored by clients) to each of ITS OWN Socket.IO connections,
//    the very sockets the benchmark delivered to, in the same run, right after the streaming.
import net from 'node:net';
import { pathToFileURL } from 'node:url';

/** Size of the buffer written per socket, bytes (about one small realtime message). */
export const FLOOR_WRITE_BYTES = 120;

/** Rounds of writes per measurement, each after a pause that lets the kernel drain. */
export const FLOOR_ROUNDS = 5;

/** A writable byte stream (net.Socket). */
export interface Writable {
  write(data: Buffer): unknown;
}

/**
 * Time `rounds` rounds of ONE write of `payload` to each socket (a synchronous loop of
 * socket.write calls: on loopback each is one write syscall). Returns each round's ms and the
 * median round, ms.
 */
export async function timeWrites(sockets: readonly Writable[], payload: Buffer, rounds = FLOOR_ROUNDS, pauseMs = 300): Promise<{ roundsMs: number[]; medianMs: number }> {
  const roundsMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const t0 = process.hrtime.bigint();
    for (const s of sockets) s.write(payload);
    roundsMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  const sorted = [...roundsMs].sort((a, b) => a - b);
  return { roundsMs, medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0 };
}

/**
 * One unmasked WebSocket text frame of `FLOOR_WRITE_BYTES` bytes in all, carrying an Engine.IO
 * no-op packet ("6" + padding): clients (socket.io-client, the benchmark's raw clients) ignore it.
 */
export function noopWebSocketFrame(): Buffer {
  const payload = Buffer.from(`6${'x'.repeat(FLOOR_WRITE_BYTES - 3)}`, 'latin1'); // 2 header bytes + payload
  return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
}

/** The subset of a Socket.IO server this needs: the TCP socket under each WebSocket connection. */
interface SocketIoLike {
  of(nsp: string): { sockets: Map<string, { conn: { transport: { name: string; socket?: { _socket?: net.Socket } } } }> };
}

/**
 * The write floor of a Socket.IO server's own connections: one `noopWebSocketFrame` per
 * WebSocket connection (written to the TCP socket between frames, so the stream stays valid),
 * `FLOOR_ROUNDS` rounds. Call while nothing else is being sent.
 */
export async function socketIoWriteFloor(io: SocketIoLike): Promise<{ sockets: number; roundsMs: number[]; medianMs: number }> {
  const sockets: net.Socket[] = [];
  for (const s of io.of('/').sockets.values()) {
    const tcp = s.conn.transport.name === 'websocket' ? s.conn.transport.socket?._socket : undefined;
    if (tcp !== undefined && tcp.writable) sockets.push(tcp);
  }
  return { sockets: sockets.length, ...(await timeWrites(sockets, noopWebSocketFrame())) };
}

async function main(): Promise<void> {
  const N = Math.min(9000, Number(process.argv[2] ?? 2000));
  const serverSide: net.Socket[] = [];
  const server = net.createServer((s) => serverSide.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const clients: net.Socket[] = [];
  for (let i = 0; i < N; i++) {
    const c = net.connect(port, '127.0.0.1');
    c.on('data', () => undefined);
    clients.push(c);
    if (i % 500 === 499) await new Promise((r) => setTimeout(r, 20));
  }
  const deadline = Date.now() + 30_000;
  while (serverSide.length < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const { roundsMs, medianMs } = await timeWrites(serverSide, Buffer.alloc(FLOOR_WRITE_BYTES, 97));
  for (const ms of roundsMs) process.stdout.write(`write to ${serverSide.length} sockets: ${ms.toFixed(1)} ms (${((ms * 1000) / serverSide.length).toFixed(2)} us per write)\n`);
  process.stdout.write(`median: ${medianMs.toFixed(1)} ms\n`);
  for (const c of clients) c.destroy();
  server.close();
  process.exit(0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

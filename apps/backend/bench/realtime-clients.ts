// Child process of bench/realtime.ts: COUNT socket clients subscribed to one market, measuring
// delivery latency (receipt time - the message's `tsMs`, the engine time of the event) into a
// 1 ms histogram and checking sequence contiguity. Two client kinds:
//  - raw (default): Socket.IO v4 over a bare WebSocket (the `ws` package socket.io-client uses),
//    speaking the wire protocol directly and reading only fromSeq/seq/tsMs of each message. Cheap
//    per message, so thousands of clients on a 2-core machine measure the SERVER, not the client.
//  - socketio: real socket.io-client instances (full parsing; heavier per message).
//  - sdk: the client SDK, as a bot or the web UI listens: `PmClient.connect()` (a PmSocket,
//    anonymous) + `subscribe(marketId)`, a live local book per client (snapshot, contiguous
//    frames, resync on a gap); latency is taken at the book's `frame` event, a gap is a
//    `resync` with reason 'gap'. Measured (200 clients, 20 orders/s for 4 s, 15,800 messages,
//    `--clients 200 --procs 1 --rate 20 --duration 4 [--mode sdk]`): the client process took
//    0.7 CPU-s with `sdk` against 0.3 CPU-s with `raw`, about 44 vs 19 us per message and client.
//    At 10,000 listeners that is most of a core of the machine's two, which the server needs:
//    the default stays `raw`, since this benchmark measures the server's fan-out, not listeners.
// IPC: <- start {url, marketId, count, mode, concurrency} -> connected {n}; <- reset; <- report -> report {...,
// cpuMs: this process's CPU time since the reset}; <- close.
import { createRequire } from 'node:module';
import { io as ioClient, type Socket } from 'socket.io-client';
import { PmClient } from '@prediction-markets/client';

type WsCtor = new (url: string, opts?: Record<string, unknown>) => {
  on(ev: string, fn: (...a: any[]) => void): void;
  send(data: string): void;
  close(): void;
  terminate(): void;
};
// `ws` is socket.io-client's own transport dependency (through engine.io-client): load that copy.
const requireHere = createRequire(import.meta.url);
const eio = createRequire(requireHere.resolve('socket.io-client')).resolve('engine.io-client');
const WebSocket = createRequire(eio)('ws') as WsCtor;

const HIST_MAX = 60_000;
let hist = new Uint32Array(HIST_MAX + 1);
let deliveries = 0;
let gaps = 0;
let firstMs = 0;
let lastMs = 0;
let errors = 0;
let cpu0 = process.cpuUsage();
const closers: (() => void)[] = [];
const SEQ_RE = /"fromSeq":(\d+),"seq":(\d+),"tsMs":(\d+)/;

/** Receipt times per message (its last seq): seq -> (receipt ms -> count), to split off the commit part. */
let bySeq = new Map<number, Map<number, number>>();

/** One message received by one client: latency and contiguity. */
function onPublic(state: { last: number }, fromSeq: number, seq: number, tsMs: number): void {
  const now = Date.now();
  const lat = Math.max(0, Math.min(HIST_MAX, now - tsMs));
  hist[lat]!++;
  let h = bySeq.get(seq);
  if (h === undefined) bySeq.set(seq, (h = new Map()));
  h.set(now, (h.get(now) ?? 0) + 1);
  deliveries++;
  if (firstMs === 0) firstMs = now;
  lastMs = now;
  if (state.last < 0) return; // before the snapshot: the snapshot decides
  if (seq <= state.last) return;
  if (fromSeq > state.last + 1) gaps++;
  state.last = seq;
}

function rawClient(url: string, marketId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/?EIO=4&transport=websocket`, { perMessageDeflate: false });
    const state = { last: -1 };
    let done = false;
    ws.on('message', (data: Buffer) => {
      const s = data.toString('latin1');
      const c = s.charCodeAt(0);
      if (c === 50 /* 2: ping */) {
        ws.send('3');
      } else if (c === 52 /* 4: message */) {
        const t = s.charCodeAt(1);
        if (t === 50 /* 2: event */) {
          const m = SEQ_RE.exec(s);
          if (m !== null) onPublic(state, Number(m[1]), Number(m[2]), Number(m[3]));
        } else if (t === 51 /* 3: ack */) {
          const ack = JSON.parse(s.slice(s.indexOf('['))) as [{ ok: boolean; seq: number }];
          if (!ack[0].ok) {
            errors++;
            reject(new Error(`subscribe refused: ${s.slice(0, 200)}`));
            return;
          }
          state.last = ack[0].seq;
          done = true;
          resolve();
        } else if (t === 48 /* 0: namespace connected */) {
          ws.send(`421${JSON.stringify(['subscribe:market', { marketId }])}`);
        } else if (t === 52 /* 4: connect error */) {
          errors++;
          reject(new Error(s));
        }
      } else if (c === 48 /* 0: engine open */) {
        ws.send('40');
      }
    });
    ws.on('error', (err: Error) => {
      errors++;
      if (!done) reject(err);
    });
    closers.push(() => ws.terminate());
  });
}

function sioClient(url: string, marketId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s: Socket = ioClient(url, { path: '/ws', transports: ['websocket'], forceNew: true, reconnection: false });
    const state = { last: -1 };
    const on = (m: { fromSeq: number; seq: number; tsMs: number }): void => onPublic(state, m.fromSeq, m.seq, m.tsMs);
    s.on('market_frame', on);
    s.on('connect_error', (err) => {
      errors++;
      reject(err);
    });
    s.on('connect', () => {
      s.emit('subscribe:market', { marketId }, (ack: { ok: boolean; seq: number }) => {
        if (!ack.ok) {
          errors++;
          reject(new Error('subscribe refused'));
          return;
        }
        state.last = ack.seq;
        resolve();
      });
    });
    closers.push(() => s.disconnect());
  });
}

async function sdkClient(url: string, marketId: string): Promise<void> {
  const pm = new PmClient({ baseUrl: url, autoRefresh: false });
  const sock = await pm.connect({ reconnectDelayMs: 1000 });
  if (!sock.ok) {
    errors++;
    throw new Error(`connect: ${sock.error.code} ${sock.error.message}`);
  }
  closers.push(() => {
    sock.data.close();
    pm.close();
  });
  const book = await sock.data.subscribe(marketId);
  if (!book.ok) {
    errors++;
    throw new Error(`subscribe refused: ${book.error.code} ${book.error.message}`);
  }
  const state = { last: book.data.seq };
  book.data.on('frame', (f) => onPublic(state, f.fromSeq, f.seq, f.tsMs));
  book.data.on('resync', ({ reason }) => {
    if (reason === 'gap') gaps++;
  });
}

process.on('message', (m: { type: string; url: string; marketId: string; count: number; mode: 'raw' | 'socketio' | 'sdk'; concurrency: number }) => {
  void (async () => {
    if (m.type === 'start') {
      const make = m.mode === 'socketio' ? sioClient : m.mode === 'sdk' ? sdkClient : rawClient;
      let started = 0;
      let ok = 0;
      await Promise.all(
        Array.from({ length: Math.min(m.concurrency, m.count) }, async () => {
          while (started < m.count) {
            started++;
            await make(m.url, m.marketId).then(
              () => ok++,
              () => undefined,
            );
          }
        }),
      );
      process.send?.({ type: 'connected', n: ok, errors });
    } else if (m.type === 'reset') {
      hist = new Uint32Array(HIST_MAX + 1);
      bySeq = new Map();
      deliveries = 0;
      gaps = 0;
      firstMs = 0;
      lastMs = 0;
      cpu0 = process.cpuUsage();
      process.send?.({ type: 'reset' });
    } else if (m.type === 'report') {
      const buckets: [number, number][] = [];
      hist.forEach((n, ms) => {
        if (n > 0) buckets.push([ms, n]);
      });
      const cpu = process.cpuUsage(cpu0);
      const receipts = [...bySeq.entries()].map(([seq, h]) => [seq, [...h.entries()]]);
      process.send?.({ type: 'report', buckets, receipts, deliveries, gaps, firstMs, lastMs, errors, cpuMs: (cpu.user + cpu.system) / 1000 });
    } else if (m.type === 'close') {
      for (const c of closers) c();
      setTimeout(() => process.exit(0), 100);
    }
  })();
});
process.send?.({ type: 'up' });

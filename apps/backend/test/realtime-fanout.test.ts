// The fan-out alone (no database): a real Socket.IO server and socket.io-client clients in the
// three market rooms. A frame reaches every socket of the market once, as one message, and is
// encoded once per view (YES rooms together, NO room), not per socket or per room; frames
// queued in the same turn merge; the NO room gets the mirrored levels.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { ROOMS, schemas } from '@prediction-markets/shared';
import { createMetrics } from '../src/metrics.ts';
import { Fanout } from '../src/realtime/fanout.ts';
import type { BusMessage } from '../src/realtime/messages.ts';
import { waitFor } from './helpers/socket.ts';

const MARKET = '00000000-0000-4000-8000-0000000000f1';
const ROOM_OF = { all: ROOMS.market(MARKET), YES: ROOMS.marketOutcome(MARKET, 'YES'), NO: ROOMS.marketOutcome(MARKET, 'NO') } as const;
type View = keyof typeof ROOM_OF;

let http: HttpServer;
let io: Server;
let fanout: Fanout;
/** Packets the namespace's adapter encoded (one per broadcast). */
const encoded: { data: unknown[] }[] = [];
const clients: { view: View; s: Socket; got: schemas.MarketFrame[] }[] = [];

beforeAll(async () => {
  http = createServer();
  io = new Server(http, { path: '/ws' });
  io.on('connection', (socket) => void socket.join(ROOM_OF[socket.handshake.query.view as View]));
  const encoder = (io.of('/').adapter as unknown as { encoder: { encode(p: { data: unknown[] }): unknown } }).encoder;
  const encode = encoder.encode.bind(encoder);
  encoder.encode = (p) => {
    encoded.push(p);
    return encode(p);
  };
  fanout = new Fanout(io, createMetrics(), 0);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  for (const view of ['all', 'all', 'YES', 'YES', 'NO'] as const) {
    const s = ioClient(url, { path: '/ws', transports: ['websocket'], forceNew: true, reconnection: false, query: { view } });
    const c = { view, s, got: [] as schemas.MarketFrame[] };
    s.on('market_frame', (f: schemas.MarketFrame) => c.got.push(f));
    clients.push(c);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('connect_error', reject);
    });
  }
  await waitFor(() => io.of('/').adapter.rooms.get(ROOM_OF.NO)?.size === 1 && io.of('/').adapter.rooms.get(ROOM_OF.YES)?.size === 2, 'clients joined');
});

afterAll(async () => {
  for (const c of clients) c.s.disconnect();
  fanout.close();
  await new Promise<void>((resolve) => io.close(() => resolve()));
});

const frame = (fromSeq: number, seq: number, parts: Partial<schemas.MarketFrame>): BusMessage => ({
  k: 'frame',
  msg: { marketId: MARKET, fromSeq, seq, tsMs: 1_000 + seq, outcome: 'YES', levels: [], trades: [], updates: [], ...parts },
});
const trade = (seq: number, id: number): schemas.FrameTrade => ({ seq, tsMs: 1_000 + seq, id, kind: 'MINT', yesPrice: 40, noPrice: 60, quantity: 2, takerSide: 'BUY', takerOutcome: 'NO' });

describe('fan-out of market frames', () => {
  it('one message per socket, encoded once per view', async () => {
    encoded.length = 0;
    fanout.deliver([frame(1, 3, { levels: [{ side: 'BID', price: 40, quantity: 0, orders: 0 }, { side: 'ASK', price: 55, quantity: 3, orders: 1 }], trades: [trade(2, 7)] })]);
    await waitFor(() => clients.every((c) => c.got.length === 1), 'every socket got the frame');
    expect(encoded.filter((p) => p.data[0] === 'market_frame')).toHaveLength(2);
    for (const c of clients) {
      const f = c.got[0]!;
      expect(schemas.MarketFrame.safeParse(f).success).toBe(true);
      expect(f).toMatchObject({ fromSeq: 1, seq: 3, trades: [trade(2, 7)] });
      expect(f.outcome).toBe(c.view === 'NO' ? 'NO' : 'YES');
      expect(f.levels).toEqual(
        c.view === 'NO'
          ? [
              { side: 'ASK', price: 60, quantity: 0, orders: 0 },
              { side: 'BID', price: 45, quantity: 3, orders: 1 },
            ]
          : [
              { side: 'BID', price: 40, quantity: 0, orders: 0 },
              { side: 'ASK', price: 55, quantity: 3, orders: 1 },
            ],
      );
    }
  });

  it('merges contiguous frames queued in the same turn into one message', async () => {
    encoded.length = 0;
    for (const c of clients) c.got.length = 0;
    fanout.deliver([frame(4, 4, { levels: [{ side: 'BID', price: 41, quantity: 1, orders: 1 }] })]);
    fanout.deliver([frame(5, 6, { trades: [trade(5, 8)], levels: [{ side: 'BID', price: 41, quantity: 2, orders: 2 }] })]);
    fanout.deliver([frame(7, 7, { updates: [{ seq: 7, tsMs: 1_007, reason: 'STATUS', status: 'HALTED', previousStatus: 'OPEN', outcome: null, lastPrice: 40, volume: 2, settlement: null }] })]);
    await waitFor(() => clients.every((c) => c.got.length === 1), 'every socket got the merged frame');
    expect(encoded.filter((p) => p.data[0] === 'market_frame')).toHaveLength(2);
    for (const c of clients) {
      expect(c.got[0]).toMatchObject({ fromSeq: 4, seq: 7, trades: [{ id: 8 }], updates: [{ seq: 7, status: 'HALTED' }] });
      expect(c.got[0]!.levels).toHaveLength(1); // level 41 once, at its last value
      expect(c.got[0]!.levels[0]!.quantity).toBe(2);
    }
  });
});

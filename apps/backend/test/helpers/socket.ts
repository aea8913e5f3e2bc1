// Socket.IO test clients (real socket.io-client over WebSocket) and small waiting helpers.
import { io, type Socket } from 'socket.io-client';
import { MarketFeed, schemas } from '@prediction-markets/shared';

export type ClientSocket = Socket<schemas.ServerToClientEvents, schemas.ClientToServerEvents>;

export interface ConnectOptions {
  token?: string;
  /** Raw Cookie header (e.g. `pm_access=<token>`). */
  cookie?: string;
}

/** A client that has not connected yet (call `connected(s)`). */
export function client(url: string, o: ConnectOptions = {}): ClientSocket {
  return io(url, {
    path: schemas.SOCKET_PATH,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    autoConnect: false,
    ...(o.token === undefined ? {} : { auth: { token: o.token } }),
    ...(o.cookie === undefined ? {} : { extraHeaders: { cookie: o.cookie } }),
  });
}

/** Connect; resolves when connected, rejects with the connect_error (its `data` carries the code). */
export function connected(s: ClientSocket): Promise<ClientSocket> {
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => reject(err));
    s.connect();
  });
}

/** Connect a client and wait for it. */
export async function connect(url: string, o: ConnectOptions = {}): Promise<ClientSocket> {
  return connected(client(url, o));
}

/** Send an event and wait for its ack (fails after 20 s: a missing ack is a bug). */
export function request<E extends keyof schemas.ClientToServerEvents>(s: ClientSocket, event: E, payload?: unknown): Promise<any> {
  return (s.timeout(20_000) as any).emitWithAck(event, payload);
}

/** Poll `cond` until true; throws `what` after `timeoutMs` (a guard against hangs, not a timing assertion). */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A round trip on the socket: every message the server wrote to it before the pong has been received. */
export async function drain(s: ClientSocket): Promise<void> {
  await request(s, 'ping', {});
}

/** Every server event a socket receives, in order. */
export function record(s: ClientSocket): { event: string; msg: any }[] {
  const log: { event: string; msg: any }[] = [];
  s.onAny((event: string, msg: unknown) => log.push({ event, msg }));
  return log;
}

/** A MarketFeed wired to a socket's public messages (`market_frame`), plus the raw frames in arrival order. */
export function feedOf(s: ClientSocket): { feed: MarketFeed; raw: { event: string; msg: any }[] } {
  const feed = new MarketFeed();
  const raw: { event: string; msg: any }[] = [];
  s.on('market_frame', (m) => {
    raw.push({ event: 'market_frame', msg: m });
    feed.push(m);
  });
  return { feed, raw };
}

/** Subscribe a feed's socket and install the snapshot; throws on an error ack. */
export async function subscribe(s: ClientSocket, feed: MarketFeed, payload: schemas.SubscribeMarketPayload): Promise<schemas.MarketSnapshot> {
  const ack = await request(s, 'subscribe:market', payload);
  if (!ack.ok) throw new Error(`subscribe failed: ${JSON.stringify(ack.error)}`);
  const snap = schemas.MarketSnapshot.parse(ack);
  feed.reset(snap);
  return snap;
}

/**
 * @prediction-markets/client: a typed SDK for the exchange, for Node 20 bots and browsers.
 *
 *   const pm = new PmClient({ baseUrl: 'http://localhost:8080' });
 *   unwrap(await pm.login({ email, password }));
 *   const sock = unwrap(await pm.connect({ cancelOnDisconnectMs: 5000 }));
 *   const book = unwrap(await sock.subscribe('my-market'));
 *   const ack = await sock.place({ marketSlug: 'my-market', side: 'BUY', outcome: 'YES', price: 40, quantity: 10 });
 *
 * Every call resolves to `Result<T>` (`{ ok: true, data }` or `{ ok: false, error }`, error a
 * union by stable code); `unwrap()` throws `PmApiError` instead. See README.md.
 */
export { PmClient, newClientOrderId, jwtExpiryMs, type PmClientOptions, type FetchLike, type FetchLikeInit, type FetchLikeResponse, type SessionInfo, type ClientEvents, type RateLimitPolicy, type RequestOptions } from './client.ts';
export { PmSocket, type ConnectOptions, type SocketEvents, type FillEvent, type OrderInput } from './socket.ts';
export { MarketBook, type BookLevel, type BookFeedState, type MarketBookEvents } from './market-book.ts';
export { PmApiError, unwrap, retryAfterSec, CLIENT_ERRORS, type PmError, type Result, type ErrorCode, type ClientErrorCode, type ErrorDetailsByCode } from './errors.ts';
export { Emitter, type Listener } from './emitter.ts';

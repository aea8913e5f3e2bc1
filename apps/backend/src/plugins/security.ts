/**
 * The HTTP edge: request ids, load shedding during shutdown, security headers, CORS.
 *
 * - Request id: Fastify's `reqId` (logged on every request log line) is the incoming
 *   `x-request-id` when well-formed, else a UUID (see ../logger.ts `requestId`); it is echoed
 *   in the `x-request-id` response header on every response, errors included.
 * - Shutdown: once `app.close()` starts, new requests get 503 SHUTTING_DOWN with
 *   `Connection: close` (in the catalogue's error shape), while requests already running
 *   finish and close their connection; see runtime.ts `close()` for the whole order.
 * - @fastify/helmet: its default headers (CSP, HSTS, X-Content-Type-Options, frame and
 *   referrer policies, ...). /docs sets its own CSP (swagger-ui `staticCSP`).
 * - @fastify/cors: only origins listed in CORS_ORIGIN (comma-separated, exact
 *   `scheme://host[:port]`) get `Access-Control-Allow-Origin` and credentials; any other
 *   origin gets no allow headers, so browsers refuse the response. Empty: no CORS at all
 *   (same-origin only). `*` is not accepted: credentials (cookies) need exact origins.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import { ApiError } from '@prediction-markets/shared';
import type { Env } from '../env.ts';
import { REQUEST_ID_HEADER } from '../logger.ts';

/** Parse CORS_ORIGIN: comma-separated origins, trimmed, without trailing slashes; empty entries dropped. */
export function parseCorsOrigins(value: string): string[] {
  return value
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter((o) => o !== '' && o !== '*');
}

/** The headers @fastify/helmet (defaults, global) puts on a response. */
async function staticHelmetHeaders(): Promise<Record<string, string>> {
  const probe = Fastify();
  await probe.register(helmet, { global: true });
  probe.get('/', async () => 'ok');
  const res = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  const skip = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (!skip.has(k) && v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

export async function registerSecurity(app: FastifyInstance, env: Pick<Env, 'CORS_ORIGIN'>): Promise<void> {
  let closing = false;
  // Connections with no request in progress when shutdown begins are closed at once: a
  // keep-alive connection between requests, and a socket a browser opened ahead of time
  // (preconnect) that has sent nothing yet. Node's server.close() waits for every connection,
  // and `closeIdleConnections` (Fastify's default) does not count the latter as idle: it held
  // the close until the headers timeout (60 s). Requests in progress finish first (onSend below).
  const requestsInProgress = new Map<Socket, number>();
  app.server.on('connection', (socket: Socket) => {
    requestsInProgress.set(socket, 0);
    socket.once('close', () => requestsInProgress.delete(socket));
  });
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    requestsInProgress.set(socket, (requestsInProgress.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const n = requestsInProgress.get(socket);
      if (n !== undefined) requestsInProgress.set(socket, n - 1);
    });
  });
  app.addHook('preClose', async () => {
    closing = true;
    for (const [socket, n] of requestsInProgress) if (n === 0) socket.destroy();
  });
  // @fastify/helmet 13 rebuilds helmet's middleware (re-parsing the CSP directives) on EVERY
  // request: about 6 % of the server's CPU per order. Its headers are the same for every
  // response here (no per-route helmet options, no CSP nonces), so they are computed once,
  // from a throwaway instance with the plugin, and set on each request.
  const helmetHeaders = await staticHelmetHeaders();
  // Callback-style hooks (no promise per request), like the other per-request plugins.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header(REQUEST_ID_HEADER, req.id);
    if (closing) {
      reply.header('connection', 'close');
      done(new ApiError('SHUTTING_DOWN', 'the server is shutting down; retry on another instance'));
      return;
    }
    reply.headers(helmetHeaders);
    done();
  });
  // Requests that were running when shutdown began close their keep-alive connection after
  // answering: server.close() waits for every connection, and an idle keep-alive one would
  // otherwise hold it until the keep-alive timeout (72 s).
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  const allowed = new Set(parseCorsOrigins(env.CORS_ORIGIN));
  if (allowed.size > 0) {
    await app.register(cors, {
      origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', REQUEST_ID_HEADER],
      exposedHeaders: ['retry-after', REQUEST_ID_HEADER],
      maxAge: 600,
    });
  }
}

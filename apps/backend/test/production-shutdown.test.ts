// Graceful shutdown under load: clients stream orders over real HTTP while the runtime's
// close() runs. Every order whose POST was acknowledged (201) must be in the database
// afterwards, the books and ledger must reconcile, requests arriving during shutdown must be
// refused cleanly (503 SHUTTING_DOWN or connection refused), and a restart must rebuild the
// same state. Shutdown is triggered after a number of acknowledgements, not after a delay.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestExchange, type TestExchange, type TestUser } from './helpers/server.ts';
import { NO_RATE_LIMITS, ok } from './helpers/kit.ts';

const CLIENTS = 6;
/** Acknowledged orders after which close() starts. */
const CLOSE_AFTER_ACKS = 60;
/** Upper bound of orders per client (the loops end at the first refusal anyway). */
const MAX_ORDERS_PER_CLIENT = 400;

interface Ack {
  orderId: number;
  clientOrderId: string;
}

describe('production: graceful shutdown', () => {
  let t: TestExchange | null = null;
  afterAll(async () => {
    await t?.close();
  });

  it('loses no acknowledged order when closed during a stream of orders', async () => {
    t = await startTestExchange(NO_RATE_LIMITS, { listen: true });
    const tx = t;
    const base = tx.rt.url!;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const market = await tx.createOpenMarket();
    const users: TestUser[] = [];
    for (let i = 0; i < CLIENTS; i++) users.push(await tx.registerUser());

    const acks: Ack[] = [];
    const refusals: string[] = [];
    let closeStarted: Promise<void> | null = null;
    let acksAtClose = -1;
    const startClose = () => {
      if (closeStarted !== null) return;
      acksAtClose = acks.length;
      closeStarted = tx.rt.close();
    };

    const client = async (i: number) => {
      const user = users[i]!;
      for (let n = 0; n < MAX_ORDERS_PER_CLIENT; n++) {
        // alternate sides so that orders both rest and trade (MINT / TRANSFER / MERGE paths)
        const body = {
          side: 'BUY',
          outcome: (i + n) % 2 === 0 ? 'YES' : 'NO',
          price: 45 + ((i * 7 + n) % 10),
          quantity: 1 + (n % 3),
          clientOrderId: `c${i}-${n}-${randomBytes(3).toString('hex')}`,
        };
        let res: Response;
        try {
          res = await fetch(`${base}/api/orders/${market.slug}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        } catch (err) {
          refusals.push(`network: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
          return;
        }
        const json = (await res.json().catch(() => null)) as any;
        if (res.status === 201) {
          acks.push({ orderId: json.order.id, clientOrderId: body.clientOrderId });
          if (acks.length >= CLOSE_AFTER_ACKS) startClose();
          continue;
        }
        if (res.status === 503) {
          expect(json?.error?.code, JSON.stringify(json)).toBe('SHUTTING_DOWN');
          refusals.push('503 SHUTTING_DOWN');
          return;
        }
        throw new Error(`unexpected ${res.status} ${JSON.stringify(json)}`);
      }
    };

    await Promise.all(users.map((_, i) => client(i)));
    expect(closeStarted, 'the stream ended before shutdown started').not.toBeNull();
    await closeStarted;

    expect(acksAtClose).toBeGreaterThanOrEqual(CLOSE_AFTER_ACKS);
    // every client stopped on a refusal, i.e. the stream overlapped the shutdown
    expect(refusals).toHaveLength(CLIENTS);

    // The runtime is closed: read the database directly.
    const db = new pg.Client({ connectionString: tx.db.url });
    await db.connect();
    try {
      const ids = acks.map((a) => a.orderId);
      const found = await db.query<{ id: string; client_order_id: string | null }>('SELECT id::text, client_order_id FROM orders WHERE id = ANY($1::bigint[])', [ids]);
      const byId = new Map(found.rows.map((r) => [Number(r.id), r.client_order_id]));
      const lost = acks.filter((a) => byId.get(a.orderId) !== a.clientOrderId);
      expect(lost, `${lost.length} acknowledged order(s) missing`).toEqual([]);
    } finally {
      await db.end();
    }

    // A new runtime on the same database rebuilds exactly the committed state.
    await tx.restart();
    const admin = await tx.admin();
    const report = ok(await tx.api('GET', '/api/admin/reconcile', { token: admin.token }), 200);
    expect(report.ok, JSON.stringify(report.checks)).toBe(true);
    const mine = ok(await tx.api('GET', '/api/orders/user/orders?limit=100', { token: users[0]!.token }), 200);
    const acked0 = new Set(acks.map((a) => a.orderId));
    expect(mine.orders.some((o: { id: number }) => acked0.has(o.id))).toBe(true);
  });

  it('a connection that has sent nothing (a browser preconnect) and an idle keep-alive one do not hold the close', async () => {
    const t2 = await startTestExchange(NO_RATE_LIMITS, { listen: true });
    const { port } = new URL(t2.rt.url!);
    const open = (): Promise<net.Socket> =>
      new Promise((resolve, reject) => {
        const s = net.connect(Number(port), '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });
    const closedByServer = (s: net.Socket): Promise<void> => new Promise((resolve) => s.once('close', () => resolve()));
    // Connected, nothing sent: Node counts it neither idle nor finished until its headers time out (60 s).
    const silent = await open();
    const silentClosed = closedByServer(silent);
    // One request answered, the connection kept alive.
    const keepAlive = await open();
    const keepAliveClosed = closedByServer(keepAlive);
    const answered = new Promise<string>((resolve) => {
      let text = '';
      keepAlive.on('data', (c: Buffer) => {
        text += c.toString();
        if (text.includes('\r\n\r\n')) resolve(text);
      });
    });
    keepAlive.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
    expect(await answered).toMatch(/^HTTP\/1\.1 200/);

    // The close finishes (within the test's timeout, far below 60 s) and the server closed both.
    await t2.close();
    await silentClosed;
    await keepAliveClosed;
    expect(silent.destroyed && keepAlive.destroyed).toBe(true);
  });
});

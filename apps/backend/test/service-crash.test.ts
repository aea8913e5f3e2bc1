// Crash: the server runs as a child process (`node --import tsx src/server.ts`) on a test
// database; clients stream orders and cancels over HTTP; the process is SIGKILLed mid-stream;
// a new runtime starts on the same database. Every acknowledged (2xx) order is there exactly
// once with its id, every acknowledged cancel is durable, unacknowledged orders are there at
// most once, no order is half-applied (its fills equal its trades), and reconcile is clean.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestExchange, type TestExchange } from './helpers/server.ts';
import { NO_RATE_LIMITS, ok, rng, seededRng } from './helpers/kit.ts';

const BACKEND_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORKERS = 24;
const USERS = 12;

interface Sent {
  user: number;
  clientOrderId: string;
  kind: 'place' | 'cancel';
  /** cancel: the order id */
  orderId?: number;
  status: number | null;
  body?: any;
}

function startServer(databaseUrl: string): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: BACKEND_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'pm-crash-')),
      JWT_SECRET: 'crash-test-secret-that-is-long-enough-0123456789',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      ...NO_RATE_LIMITS,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 90_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = /API\s+(http:\/\/\S+?)\/api\/markets/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, base: m[1]!.replace('localhost', '127.0.0.1'), output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before it was up:\n${out}`));
    });
  });
}

async function call(base: string, method: string, p: string, o: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${p}`, { method, headers, ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }) });
  const text = await res.text();
  return { status: res.status, body: text.length > 0 ? JSON.parse(text) : null };
}

describe('service: crash (SIGKILL) during a stream of orders', () => {
  let db: TestDatabase | null = null;
  let child: ChildProcess | null = null;
  let t: TestExchange | null = null;

  afterAll(async () => {
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (t !== null) await t.close();
    else await db?.drop();
  });

  it('keeps every acknowledged order exactly once and nothing half-applied', async () => {
    const seedRng = seededRng('service-crash');
    db = await createTestDatabase();
    const server = await startServer(db.url);
    child = server.child;
    const base = server.base;
    const exited = new Promise<void>((resolve) => child!.on('exit', () => resolve()));

    // set up over HTTP: a market and traders
    const admin = await call(base, 'POST', '/api/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    expect(admin.status, server.output()).toBe(200);
    const adminToken = admin.body.accessToken as string;
    const slug = `crash-${Date.now()}`;
    expect((await call(base, 'POST', '/api/markets', { token: adminToken, body: { slug, question: 'Crash?', closesAt: new Date(Date.now() + 86_400_000).toISOString() } })).status).toBe(201);
    expect((await call(base, 'PATCH', `/api/markets/${slug}/status`, { token: adminToken, body: { status: 'OPEN' } })).status).toBe(200);
    const users: { id: string; email: string; token: string }[] = [];
    for (let i = 0; i < USERS; i++) {
      const email = `crash-${i}-${Date.now()}@test.local`;
      const res = await call(base, 'POST', '/api/auth/register', { body: { email, password: 'password-123' } });
      expect(res.status).toBe(201);
      users.push({ id: res.body.user.id, email, token: res.body.accessToken });
    }

    // stream orders from many concurrent workers; SIGKILL once enough are acknowledged
    const sent: Sent[] = [];
    let acked = 0;
    let killed = false;
    const kill = (): void => {
      if (killed) return;
      killed = true;
      child!.kill('SIGKILL');
    };
    const killAfter = 250 + seedRng.int(0, 250);
    const worker = async (w: number): Promise<void> => {
      const r = rng(seedRng.int(0, 2 ** 31));
      const open: { id: number; user: number }[] = [];
      for (let k = 0; !killed; k++) {
        if (open.length > 0 && r.chance(0.15)) {
          const { id: orderId, user: owner } = open.splice(r.int(0, open.length - 1), 1)[0]!;
          const s: Sent = { user: owner, clientOrderId: '', kind: 'cancel', orderId, status: null };
          sent.push(s);
          try {
            const res = await call(base, 'DELETE', `/api/orders/${orderId}`, { token: users[owner]!.token });
            s.status = res.status;
            s.body = res.body;
          } catch {
            // connection reset by the kill: unacknowledged
          }
          continue;
        }
        const user = (w + k) % USERS;
        const u = users[user]!;
        const outcome = r.chance(0.5) ? 'YES' : 'NO';
        const clientOrderId = `w${w}-k${k}`;
        const body = { side: 'BUY', outcome, price: r.int(35, 65), quantity: r.int(1, 20), clientOrderId };
        const s: Sent = { user, clientOrderId, kind: 'place', status: null };
        sent.push(s);
        try {
          const res = await call(base, 'POST', `/api/orders/${slug}`, { token: u.token, body });
          s.status = res.status;
          s.body = res.body;
          if (res.status === 201) {
            acked++;
            if (res.body.order.status === 'OPEN' || res.body.order.status === 'PARTIALLY_FILLED') open.push({ id: res.body.order.id, user });
          }
          if (acked >= killAfter) kill();
        } catch {
          // connection reset by the kill: unacknowledged
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await exited;
    expect(child!.signalCode).toBe('SIGKILL');

    // restart on the same database (the rebuild itself refuses an inconsistent database)
    t = await startTestExchange(NO_RATE_LIMITS, {}, db);
    const prisma = t.rt.ctx.prisma;
    const rows = await prisma.order.findMany({ where: { userId: { in: users.map((u) => u.id) } } });
    const byKey = new Map<string, typeof rows>();
    for (const row of rows) {
      const key = `${row.userId}/${row.clientOrderId}`;
      byKey.set(key, [...(byKey.get(key) ?? []), row]);
    }
    let ackedPlaces = 0;
    let unackedPresent = 0;
    let unackedAbsent = 0;
    for (const s of sent.filter((x) => x.kind === 'place')) {
      const found = byKey.get(`${users[s.user]!.id}/${s.clientOrderId}`) ?? [];
      expect(found.length, `${s.clientOrderId}: ${found.length} rows`).toBeLessThanOrEqual(1);
      if (s.status === 201) {
        ackedPlaces++;
        expect(found.map((f) => Number(f.id)), `acknowledged ${s.clientOrderId} missing`).toEqual([s.body.order.id]);
      } else if (s.status === null) {
        if (found.length === 1) unackedPresent++;
        else unackedAbsent++;
      } else {
        // an answered rejection: nothing stored
        expect(s.status, JSON.stringify(s.body)).toBeGreaterThanOrEqual(400);
        expect(s.status).toBeLessThan(500);
        expect(found).toEqual([]);
      }
    }
    expect(rows.length).toBe(ackedPlaces + unackedPresent);
    // every acknowledged cancel is durable
    for (const s of sent.filter((x) => x.kind === 'cancel' && x.status === 200)) {
      const row = rows.find((x) => Number(x.id) === s.orderId);
      expect(row?.status, `cancel of ${s.orderId}`).toBe('CANCELLED');
    }
    // nothing half-applied: every order's filled quantity equals its trades
    const mismatched = await prisma.$queryRawUnsafe<{ id: bigint }[]>(`
      SELECT o.id FROM orders o
      LEFT JOIN (
        SELECT id, sum(q) AS q FROM (
          SELECT maker_order_id AS id, qty AS q FROM trades UNION ALL SELECT taker_order_id, qty FROM trades) x GROUP BY id
      ) t ON t.id = o.id
      WHERE o.filled_qty <> COALESCE(t.q, 0) OR o.remaining_qty < 0 OR o.filled_qty + o.remaining_qty > o.qty`);
    expect(mismatched).toEqual([]);

    const adminUser = await t.admin();
    const report = ok(await t.api('GET', '/api/admin/reconcile', { token: adminUser.token }), 200);
    expect(report.checks.filter((c: { ok: boolean }) => !c.ok), JSON.stringify(report.checks)).toEqual([]);
    // and trading goes on
    const trader = await t.login(users[0]!.email, 'password-123'); // the child had another JWT secret
    const again = await t.api('POST', `/api/orders/${slug}`, { token: trader.token, body: { side: 'BUY', outcome: 'YES', price: 1, quantity: 1 } });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.order.id).toBeGreaterThan(Math.max(0, ...rows.map((x) => Number(x.id))));
    console.log(
      `[service-crash] seed ${seedRng.seed}: ${sent.length} requests, ${ackedPlaces} orders acknowledged, ` +
        `${unackedPresent} unacknowledged but committed, ${unackedAbsent} unacknowledged and absent`,
    );
  }, 180_000);
});

/**
 * The web UI in a real Chromium (Debian's, via playwright-core) against the real backend on
 * an embedded PostgreSQL (e2e/harness.ts), driven by role and label as a screen-reader user
 * would. Scenarios of issue 10: two traders live, cancel from the ladder, amend, market buy
 * with a spend cap, FOK error, bad input, the admin lifecycle with payout and void toasts, a
 * forced feed gap and a server restart under an open page, the phone layout; screenshots of
 * every page (desktop and phone) go to apps/web/screenshots/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DESKTOP, PHONE, launchChromium } from './browser.ts';
import { ADMIN, startE2eServer, startHouseMaker, type E2eServer } from './harness.ts';

const SHOTS = path.resolve(import.meta.dirname, '../screenshots');
const WAIT = { timeout: 15_000 };

let server: E2eServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
let slug: string;
let marketId: string;
let userA: { id: string; email: string; password: string; token: string };
let userB: { id: string; email: string; password: string; token: string };
let pageA: Page;
let pageB: Page;

async function newPage(viewport = DESKTOP): Promise<Page> {
  const ctx = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'Europe/London' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    // CSP violations are errors in the console: the UI must work under the strict policy.
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
  });
  return page;
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor(WAIT);
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

function ticket(page: Page) {
  return page.getByRole('form', { name: 'Trade ticket' });
}

/** Fill the ticket for a limit order (does not submit). */
async function fillLimit(page: Page, o: { side: 'Buy' | 'Sell'; outcome: 'Yes' | 'No'; price: number; qty: number; tif?: string }): Promise<void> {
  const t = ticket(page);
  await t.getByRole('radio', { name: o.side, exact: true }).click();
  await t.getByRole('radio', { name: new RegExp(`^${o.outcome}`) }).click();
  await t.getByRole('radio', { name: 'Limit', exact: true }).click();
  await t.getByLabel('Limit price in cents').fill(String(o.price));
  await t.getByLabel('Quantity in shares').fill(String(o.qty));
  await t.getByLabel('Time in force').selectOption(o.tif ?? 'GTC');
}

async function submitLimit(page: Page, o: { side: 'Buy' | 'Sell'; outcome: 'Yes' | 'No'; price: number; qty: number; tif?: string }): Promise<void> {
  await fillLimit(page, o);
  await ticket(page).getByRole('button', { name: `${o.side} ${o.outcome.toUpperCase()} · ${o.qty} @ ${o.price}¢` }).click();
}

const textOf = (page: Page, role: 'link' | 'row' | 'status', name: string | RegExp) => async () => (await page.getByRole(role, { name }).first().textContent({ timeout: 2000 }).catch(() => null)) ?? '';

/** The ladder as the page shows it: "side price qty" per row, from the row labels. */
async function pageLadder(page: Page, view: 'YES' | 'NO' = 'YES'): Promise<string[]> {
  const rows = page.getByRole('table', { name: `${view} ladder` }).getByRole('row');
  const labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? '').filter((l) => / (Bid|Ask) /.test(l)));
  return labels.map((l) => {
    const m = / (Bid|Ask) (\d+)¢, (\d+) shares/.exec(l)!;
    return `${m[1]} ${m[2]} ${m[3]}`;
  }).sort();
}

/** The REST order book in the same form. */
async function restLadder(view: 'YES' | 'NO' = 'YES'): Promise<string[]> {
  const r = await server.api('GET', `/api/orders/${slug}/orderbook?depth=10`);
  const l = view === 'YES' ? r.body.yes : r.body.no;
  return [...l.bids.map((x: any) => `Bid ${x.price} ${x.quantity}`), ...l.asks.map((x: any) => `Ask ${x.price} ${x.quantity}`)].sort();
}

async function createOpenMarket(s: string, question: string): Promise<string> {
  const admin = await server.login(ADMIN.email, ADMIN.password);
  const c = await server.api('POST', '/api/markets', { token: admin.token, body: { slug: s, question, description: 'Resolves YES if it does.', closesAt: new Date(Date.now() + 3 * 86_400_000).toISOString() } });
  if (c.status !== 201) throw new Error(JSON.stringify(c.body));
  const o = await server.api('PATCH', `/api/markets/${s}/status`, { token: admin.token, body: { status: 'OPEN' } });
  if (o.status !== 200) throw new Error(JSON.stringify(o.body));
  return c.body.id;
}

beforeAll(async () => {
  server = await startE2eServer();
  browser = await launchChromium();
  userA = await server.register('alice');
  userB = await server.register('bob');
  slug = 'e2e-main-market';
  marketId = await createOpenMarket(slug, 'Will the end-to-end test pass?');
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
}, 60_000);

describe('web UI in Chromium against the real backend', () => {
  it('serves the app with client-side routes and keeps the API paths', async () => {
    const deep = await fetch(`${server.url}/markets/${slug}`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toMatch(/text\/html/);
    expect(deep.headers.get('content-security-policy')).toContain("script-src 'self'");
    // Not a browser navigation: the API's 404, not the app shell.
    expect((await fetch(`${server.url}/markets/${slug}`, { headers: { accept: 'application/json' } })).status).toBe(404);
    const api404 = await fetch(`${server.url}/api/no-such-route`, { headers: { accept: 'text/html' } });
    expect(api404.status).toBe(404);
    expect((await api404.json()).error.code).toBe('NOT_FOUND');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const hist = await server.api('GET', `/api/markets/${slug}/history?range=1H`);
    expect(hist.status).toBe(200);
    expect(hist.body.points).toEqual([]);
  });

  it('sign up, start with the grant, sign out', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/markets/${slug}`);
    await ticket(page).getByRole('button', { name: 'Sign in to trade' }).waitFor(WAIT);
    await page.getByRole('link', { name: 'Sign up' }).first().click();
    await page.getByLabel('Email').fill(`carol-${Date.now()}@e2e.local`);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create an account' }).click();
    // The browser's own check (8 characters) keeps it from the server; then a good one.
    expect(await page.getByLabel('Password').evaluate((el) => (el as HTMLInputElement).validity.valid)).toBe(false);
    await page.getByLabel('Password').fill('long-enough-password');
    await page.getByRole('button', { name: 'Create an account' }).click();
    await expect.poll(textOf(page, 'link', 'Available balance'), WAIT).toBe('10,000.00 pts');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor(WAIT);
    // A wrong password shows the API's message.
    await page.goto(`${server.url}/signin`);
    await page.getByLabel('Email').fill(userA.email);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(async () => (await page.getByRole('alert').first().textContent()) ?? '', WAIT).toContain('INVALID_CREDENTIALS');
  });

  it('two traders: A rests a limit order, B sees it live and takes it, both see fill, balance and position', async () => {
    pageA = await newPage();
    pageB = await newPage();
    await signIn(pageA, userA.email, userA.password);
    await signIn(pageB, userB.email, userB.password);
    await pageA.goto(`${server.url}/markets/${slug}`);
    await pageB.goto(`${server.url}/markets/${slug}`);
    await pageA.getByRole('status', { name: 'Feed Live' }).waitFor(WAIT);
    await pageB.getByRole('status', { name: 'Feed Live' }).waitFor(WAIT);
    await expect.poll(textOf(pageA, 'link', 'Available balance'), WAIT).toBe('10,000.00 pts');

    // The preview before submit: 10 shares resting at 40¢ cost 4.00 pts, pay 10.00 if YES.
    await fillLimit(pageA, { side: 'Buy', outcome: 'Yes', price: 40, qty: 10 });
    const preview = pageA.getByRole('region', { name: 'Order preview' });
    await expect.poll(() => preview.textContent(), WAIT).toContain('Rests on book10 sh @ 40¢');
    expect(await preview.textContent()).toContain('Cost4.00 pts');
    expect(await preview.textContent()).toContain('Payout if YES10.00 pts');
    await submitLimit(pageA, { side: 'Buy', outcome: 'Yes', price: 40, qty: 10 });

    // A's own order is marked in its ladder row; B sees the level appear without a reload.
    await pageA.getByRole('row', { name: /^YES Bid 40¢, 10 shares, including your 1 order/ }).waitFor(WAIT);
    await pageB.getByRole('row', { name: /^YES Bid 40¢, 10 shares$/ }).waitFor(WAIT);
    // B's NO ladder shows the same order as an ask at 60¢.
    await pageB.getByRole('radio', { name: 'NO book' }).click();
    await pageB.getByRole('row', { name: /^NO Ask 60¢, 10 shares$/ }).waitFor(WAIT);
    await shot(pageA, 'desktop-market-resting');

    // B takes it: buy NO at 60 (a MINT against A's YES bid).
    await submitLimit(pageB, { side: 'Buy', outcome: 'No', price: 60, qty: 10 });
    await expect.poll(textOf(pageA, 'link', 'Available balance'), WAIT).toBe('9,996.00 pts');
    await expect.poll(textOf(pageB, 'link', 'Available balance'), WAIT).toBe('9,994.00 pts');
    await expect.poll(async () => (await pageA.getByLabel('Position').textContent()) ?? '', WAIT).toContain('10 YES');
    await expect.poll(async () => (await pageB.getByLabel('Position').textContent()) ?? '', WAIT).toContain('10 NO');
    // The level is gone from both books, the trade is in both recent-trade lists.
    await pageA.getByRole('row', { name: /^YES Bid 40¢/ }).waitFor({ state: 'detached', ...WAIT });
    for (const p of [pageA, pageB]) {
      await expect.poll(async () => (await p.getByRole('table', { name: 'Recent trades' }).textContent()) ?? '', WAIT).toMatch(/40¢10Buy NO/);
    }
    // The header's open interest counts the MINT of 10 pairs as soon as the trade is listed (same
    // render: no wait for the market's REST view, which showed 0 here before).
    for (const p of [pageA, pageB]) expect(await p.getByLabel('Open interest', { exact: true }).textContent()).toBe('10');
    // A's order is in its Filled tab.
    await pageA.getByRole('tab', { name: 'Filled' }).click();
    await expect.poll(async () => (await pageA.getByRole('region', { name: 'My orders' }).or(pageA.getByLabel('My orders')).first().textContent()) ?? '', WAIT).toContain('10 / 10');
    await pageA.getByRole('tab', { name: /^Open/ }).click();
    await shot(pageA, 'desktop-market-after-fill');
    await pageB.getByRole('button', { name: 'Switch to dark theme' }).click();
    await shot(pageB, 'desktop-market-dark');
    await pageB.getByRole('button', { name: 'Switch to light theme' }).click();
  });

  it('the portfolio lists the fill (maker A, taker B) in its fills history', async () => {
    const page = await newPage();
    await signIn(page, userA.email, userA.password);
    await page.goto(`${server.url}/portfolio`);
    const fills = page.getByRole('table', { name: 'Fills history' });
    const row = fills.getByRole('row').filter({ hasText: 'Will the end-to-end test pass?' });
    await expect.poll(async () => (await row.first().textContent()) ?? '', WAIT).toMatch(/Buy YES40¢104\.00 ptsmakermint#\d+/);
    await shot(page, 'desktop-portfolio-fills');
    await page.close();
    const pageOfB = await newPage();
    await signIn(pageOfB, userB.email, userB.password);
    await pageOfB.goto(`${server.url}/portfolio`);
    const rowOfB = pageOfB.getByRole('table', { name: 'Fills history' }).getByRole('row').filter({ hasText: 'Will the end-to-end test pass?' });
    await expect.poll(async () => (await rowOfB.first().textContent()) ?? '', WAIT).toMatch(/Buy NO60¢106\.00 ptstakermint#\d+/);
    await pageOfB.close();
  });

  it('cancels an order from its ladder row (placed with a double click: one order)', async () => {
    await fillLimit(pageA, { side: 'Buy', outcome: 'Yes', price: 30, qty: 5 });
    await ticket(pageA).getByRole('button', { name: 'Buy YES · 5 @ 30¢' }).dblclick();
    const row = pageA.getByRole('row', { name: /^YES Bid 30¢, 5 shares, including your 1 order/ });
    await row.waitFor(WAIT);
    await row.getByRole('button', { name: /^Cancel your order \d+ at 30¢$/ }).click();
    await row.waitFor({ state: 'detached', ...WAIT });
    await pageB.getByRole('radio', { name: 'YES book' }).click();
    await pageB.getByRole('row', { name: /^YES Bid 30¢/ }).waitFor({ state: 'detached', ...WAIT });
  });

  it('amends an order in place (price)', async () => {
    await submitLimit(pageA, { side: 'Buy', outcome: 'Yes', price: 20, qty: 5 });
    await pageA.getByRole('row', { name: /^YES Bid 20¢, 5 shares, including your/ }).waitFor(WAIT);
    await pageA.getByRole('button', { name: /^Amend order \d+$/ }).first().click();
    await pageA.getByLabel(/^New price of order \d+$/).fill('25');
    await pageA.getByRole('button', { name: /^Save amendment of order \d+$/ }).click();
    await pageA.getByRole('row', { name: /^YES Bid 25¢, 5 shares, including your/ }).waitFor(WAIT);
    await pageA.getByRole('row', { name: /^YES Bid 20¢/ }).waitFor({ state: 'detached', ...WAIT });
    await pageB.getByRole('row', { name: /^YES Bid 25¢, 5 shares$/ }).waitFor(WAIT);
    // And from the ladder row: the quantity down to 3.
    await pageA.getByRole('row', { name: /^YES Bid 25¢/ }).getByRole('button', { name: /^Amend your order \d+ at 25¢$/ }).click();
    const dialog = pageA.getByRole('dialog');
    await dialog.getByLabel(/^New quantity of order \d+$/).fill('3');
    await dialog.getByRole('button', { name: /^Save amendment/ }).click();
    await pageB.getByRole('row', { name: /^YES Bid 25¢, 3 shares$/ }).waitFor(WAIT);
  });

  it('market buy with a spend cap buys what the cap affords', async () => {
    // A offers 5 YES at 70¢; B spends at most 2.00 pts: 2 shares (1.40), a third would cost 2.10.
    await submitLimit(pageA, { side: 'Sell', outcome: 'Yes', price: 70, qty: 5 });
    await pageB.getByRole('row', { name: /^YES Ask 70¢, 5 shares$/ }).waitFor(WAIT);
    const t = ticket(pageB);
    await t.getByRole('radio', { name: 'Buy', exact: true }).click();
    await t.getByRole('radio', { name: /^Yes/ }).click();
    await t.getByRole('radio', { name: 'Market', exact: true }).click();
    await t.getByLabel('Amount to spend in points').fill('2');
    const preview = pageB.getByRole('region', { name: 'Order preview' });
    await expect.poll(() => preview.textContent(), WAIT).toContain('Fills now2 sh @ avg 70.0¢');
    await t.getByRole('button', { name: 'Buy YES' }).click();
    await pageB.getByText('Bought 2 YES — filled').or(pageB.getByText(/Bought 2 YES/)).first().waitFor(WAIT);
    await pageB.getByRole('row', { name: /^YES Ask 70¢, 3 shares$/ }).waitFor(WAIT);
  });

  it('a FOK that cannot fill shows the API error; bad input never reaches the server', async () => {
    await fillLimit(pageB, { side: 'Buy', outcome: 'Yes', price: 70, qty: 50, tif: 'FOK' });
    await expect.poll(async () => (await pageB.getByRole('region', { name: 'Order preview' }).textContent()) ?? '', WAIT).toContain('Fill-or-kill');
    await ticket(pageB).getByRole('button', { name: 'Buy YES · 50 @ 70¢' }).click();
    const alert = ticket(pageB).getByRole('alert');
    await alert.waitFor(WAIT);
    expect(await alert.textContent()).toContain('FOK_NOT_FILLABLE');
    // Out-of-range price and a non-number quantity: the button says what is wrong and stays disabled.
    await ticket(pageB).getByLabel('Limit price in cents').fill('150');
    const bad = ticket(pageB).getByRole('button', { name: 'Price must be 1–99¢' });
    expect(await bad.isDisabled()).toBe(true);
    await ticket(pageB).getByLabel('Limit price in cents').fill('50');
    await ticket(pageB).getByLabel('Quantity in shares').fill('ten');
    expect(await ticket(pageB).getByRole('button', { name: 'Enter a quantity' }).isDisabled()).toBe(true);
    await ticket(pageB).getByLabel('Quantity in shares').fill('');
  });

  it('keyboard trading: shortcuts change the ticket, "?" lists them, X asks before cancelling all', async () => {
    await pageA.goto(`${server.url}/markets/${slug}`);
    await pageA.getByRole('status', { name: 'Feed Live' }).waitFor(WAIT);
    await pageA.locator('body').click({ position: { x: 5, y: 300 } });
    await pageA.keyboard.press('?');
    const help = pageA.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor(WAIT);
    expect(await help.textContent()).toContain('Cancel all my orders in this market');
    await pageA.keyboard.press('Escape');
    await help.waitFor({ state: 'detached', ...WAIT });
    const t = ticket(pageA);
    await pageA.keyboard.press('s');
    await pageA.keyboard.press('n');
    expect(await t.getByRole('radio', { name: 'Sell', exact: true }).getAttribute('aria-checked')).toBe('true');
    expect(await t.getByRole('radio', { name: /^No/ }).getAttribute('aria-checked')).toBe('true');
    await t.getByLabel('Limit price in cents').fill('40');
    await pageA.locator('body').click({ position: { x: 5, y: 300 } });
    await pageA.keyboard.press(']');
    await pageA.keyboard.press('Shift+BracketRight');
    expect(await t.getByLabel('Limit price in cents').inputValue()).toBe('46');
    await pageA.keyboard.press('b');
    await pageA.keyboard.press('y');
    await pageA.keyboard.press('x');
    const confirm = pageA.getByRole('alertdialog');
    await confirm.waitFor(WAIT);
    await confirm.getByRole('button', { name: 'Cancel', exact: true }).click();
  });

  it('a forced feed gap resyncs and the book equals the REST snapshot', async () => {
    const seq = (await server.api('GET', `/api/markets/${slug}`)).body.seq as number;
    // A message that skips sequence numbers: the client must notice and take a fresh snapshot.
    server.rt.realtime!.io.to(`m:${marketId}`).emit('market_frame', {
      marketId, fromSeq: seq + 5, seq: seq + 5, tsMs: Date.now(), outcome: 'YES', levels: [{ side: 'BID', price: 11, quantity: 999, orders: 1 }], trades: [], updates: [],
    });
    await pageB.getByRole('status', { name: 'Feed Live' }).waitFor(WAIT);
    // The bogus level was never applied (or was dropped by the resync).
    await expect.poll(() => pageLadder(pageB), WAIT).toEqual(await restLadder());
    expect((await pageLadder(pageB)).some((r) => r.startsWith('Bid 11 '))).toBe(false);
  });

  it('a server restart under an open page: offline, then live again with the REST book', async () => {
    await server.rt.close();
    await pageB.getByRole('status', { name: 'Feed Offline' }).first().waitFor(WAIT);
    await server.restart();
    await pageB.getByRole('status', { name: 'Feed Live' }).waitFor({ timeout: 30_000 });
    // Trading after the restart reaches the open page.
    const a = await server.login(userA.email, userA.password);
    const r = await server.api('POST', `/api/orders/${slug}`, { token: a.token, body: { side: 'BUY', outcome: 'YES', price: 15, quantity: 7 } });
    expect(r.status).toBe(201);
    await pageB.getByRole('row', { name: /^YES Bid 15¢, 7 shares$/ }).waitFor(WAIT);
    await expect.poll(() => pageLadder(pageB), WAIT).toEqual(await restLadder());
  });

  it('phone layout: book, ticket and orders as tabs; an order placed from the ticket tab', async () => {
    const phone = await newPage(PHONE);
    await signIn(phone, userB.email, userB.password);
    await phone.goto(`${server.url}/markets/${slug}`);
    await phone.getByRole('status', { name: 'Feed Live' }).waitFor(WAIT);
    await shot(phone, 'phone-market-book');
    await phone.getByRole('tab', { name: 'Ticket' }).click();
    await submitLimit(phone, { side: 'Buy', outcome: 'Yes', price: 12, qty: 3 });
    await shot(phone, 'phone-market-ticket');
    await phone.getByRole('tab', { name: 'Orders' }).click();
    await expect.poll(async () => (await phone.getByLabel('My orders').textContent()) ?? '', WAIT).toContain('12¢');
    await shot(phone, 'phone-market-orders');
    await phone.getByRole('tab', { name: 'Book' }).click();
    await phone.getByRole('row', { name: /^YES Bid 12¢, 3 shares, including your/ }).waitFor(WAIT);
    for (const [p, name] of [['/', 'markets'], ['/portfolio', 'portfolio'], ['/leaderboard', 'leaderboard']] as const) {
      await phone.goto(server.url + p);
      await phone.waitForLoadState('networkidle');
      await shot(phone, `phone-${name}`);
    }
    const sw = await phone.evaluate(() => document.documentElement.scrollWidth);
    expect(sw).toBeLessThanOrEqual(PHONE.width);
  });

  it('the house market maker\'s liquidity is shaded in the ladder', async () => {
    const house = await startHouseMaker(server.rt, server.url);
    try {
      const hslug = 'e2e-house-market';
      await createOpenMarket(hslug, 'Will the house quote this market?');
      const admin = await server.login(ADMIN.email, ADMIN.password);
      const state = await server.api('GET', '/api/house/markets', { token: admin.token });
      expect(state.status).toBe(200);
      const grant = await server.api('POST', '/api/admin/grant', { token: admin.token, body: { userId: state.body.houseUserId, amountCents: 10_000_000, reason: 'e2e house funding' } });
      expect(grant.status).toBeLessThan(300);
      const cfg = await server.api('PUT', `/api/house/markets/${hslug}`, { token: admin.token, body: { enabled: true, b: 100 } });
      expect(cfg.status).toBe(200);
      await pageA.goto(`${server.url}/markets/${hslug}`);
      await pageA.getByRole('row', { name: /from the house maker/ }).first().waitFor({ timeout: 30_000 });
      await pageA.getByText("shaded: the house market maker's shares").waitFor(WAIT);
      await shot(pageA, 'desktop-market-house');
    } finally {
      await house.stop();
    }
  });

  it('admin: the house market maker section enables the house with b and a band, the book shows it, then disables it', async () => {
    const house = await startHouseMaker(server.rt, server.url);
    try {
      const hslug = 'e2e-house-admin';
      await createOpenMarket(hslug, 'Will the admin turn the house on?');
      const admin = await newPage();
      await signIn(admin, ADMIN.email, ADMIN.password);
      await admin.goto(`${server.url}/admin`);
      const section = admin.getByRole('region', { name: 'House market maker' });
      const form = section.getByRole('form', { name: 'House maker settings' });
      await form.getByLabel(/^Market/).selectOption(hslug);
      await form.getByLabel('Enabled (the house quotes this market)').check();
      await form.getByLabel('Liquidity b (shares)').fill('150');
      // Bad settings are caught in the browser before anything is sent.
      await form.getByLabel('Band low pMin (¢)').fill('95');
      await form.getByLabel('Band high pMax (¢)').fill('90');
      await form.getByText('pMax must be above pMin').waitFor(WAIT);
      await form.getByLabel('Band low pMin (¢)').fill('10');
      expect(await form.getByText('pMax must be above pMin').count()).toBe(0);
      await form.getByRole('button', { name: 'Save house settings' }).click();
      const done = form.getByRole('status');
      await done.getByText(`House maker enabled on ${hslug}: b 150 sh, band 10¢–90¢`, { exact: false }).waitFor(WAIT);
      const state = await server.api('GET', `/api/house/markets/${hslug}`);
      expect(state.body).toMatchObject({ enabled: true, b: 150, pMinCents: 10, pMaxCents: 90 });
      // The confirmation states the loss bounds the API published for these settings.
      const points = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')} pts`;
      expect(state.body.lossBoundIfYesCents).toBeGreaterThan(0);
      expect(await done.textContent()).toContain(`worst-case loss ${points(state.body.lossBoundIfYesCents)} if YES wins, ${points(state.body.lossBoundIfNoCents)} if NO wins`);
      const row = section.getByRole('row', { name: new RegExp(hslug) });
      await row.getByText('enabled', { exact: true }).waitFor(WAIT);
      expect(await row.textContent()).toContain('150 sh');
      // The market's book now carries the house's shaded levels.
      const book = await newPage();
      await book.goto(`${server.url}/markets/${hslug}`);
      await book.getByRole('row', { name: /from the house maker/ }).first().waitFor({ timeout: 30_000 });
      // The published state follows: the house's resting shares appear in its row.
      await expect.poll(async () => {
        await section.getByRole('button', { name: 'Refresh' }).click();
        return (await server.api('GET', `/api/house/markets/${hslug}`)).body.restingBidShares > 0 && !/ 0 \/ 0 sh/.test((await row.textContent()) ?? '');
      }, { timeout: 15_000 }).toBe(true);
      await shot(admin, 'desktop-admin-house');
      // The section fits a phone's width (the table scrolls inside its panel).
      await admin.setViewportSize(PHONE);
      await section.scrollIntoViewIfNeeded();
      await shot(admin, 'phone-admin-house');
      expect(await admin.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await admin.setViewportSize(DESKTOP);
      // Disable it: the form keeps b and the band, only the switch changes.
      await form.getByLabel('Enabled (the house quotes this market)').uncheck();
      await form.getByRole('button', { name: 'Save house settings' }).click();
      await done.getByText(`House maker disabled on ${hslug}: b 150 sh, band 10¢–90¢`, { exact: false }).waitFor(WAIT);
      await row.getByText('disabled', { exact: true }).waitFor(WAIT);
      expect((await server.api('GET', `/api/house/markets/${hslug}`)).body).toMatchObject({ enabled: false, b: 150, pMinCents: 10, pMaxCents: 90 });
    } finally {
      await house.stop();
    }
  });

  it('an expired session returns to sign-in, and back to the page after signing in', async () => {
    const page = await newPage();
    await signIn(page, userB.email, userB.password);
    await page.goto(`${server.url}/markets/${slug}`);
    await page.getByRole('status', { name: 'Feed Live' }).waitFor(WAIT);
    // The session is gone (cookies dropped, as when the refresh token expires). The next
    // private request finds out: the trader's click on Portfolio, or, when it gets there first
    // (the Portfolio link then leaves the header), the SDK's renewal shortly before the access
    // token's expiry (30 s in this harness): on a slow machine that raced the click.
    // Either way the app sends them to sign-in and, after it, back to where they were going.
    await page.context().clearCookies();
    await page.getByRole('link', { name: 'Portfolio' }).click({ timeout: 5_000 }).catch(() => undefined);
    await page.waitForURL(/\/signin\?next=/, WAIT);
    const next = new URL(page.url()).searchParams.get('next');
    expect([`/portfolio`, `/markets/${slug}`]).toContain(next);
    await page.getByLabel('Email').fill(userB.email);
    await page.getByLabel('Password').fill(userB.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}${next}`, WAIT);
    if (next === '/portfolio') await page.getByLabel('Available points').waitFor(WAIT);
    else await page.getByRole('status', { name: 'Feed Live' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Sign out' }).waitFor(WAIT);
  });

  it('admin: create, open, halt, resume, close, resolve YES with the payout toast; void refunds', async () => {
    const admin = await newPage();
    await signIn(admin, ADMIN.email, ADMIN.password);
    await admin.goto(`${server.url}/admin`);
    const form = admin.getByRole('form', { name: 'Create a market' });
    await form.getByLabel('Slug').fill('e2e-admin-market');
    await form.getByLabel(/^Question/).fill('Will the admin flow work?');
    await form.getByLabel('Description (the rules)').fill('YES if every step succeeds.');
    // The designated resolver, found by the start of their email (GET /api/admin/users).
    const carol = await server.register('carol');
    const resolverBox = form.getByRole('combobox', { name: 'Designated resolver (optional)' });
    await resolverBox.fill(carol.email.slice(0, 9));
    await form.getByRole('listbox', { name: /matching users$/ }).getByRole('option', { name: carol.email }).click();
    expect(await resolverBox.inputValue()).toBe(carol.email);
    await form.getByRole('button', { name: 'Create market' }).click();
    const act = (label: string) => admin.getByRole('button', { name: `${label} market e2e-admin-market` });
    const confirm = async (label: string) => {
      await act(label).click();
      await admin.getByRole('alertdialog').getByRole('button', { name: `Confirm ${label}` }).click();
    };
    await act('Open').waitFor(WAIT);
    expect((await server.api('GET', '/api/markets/e2e-admin-market')).body.resolverId).toBe(carol.id);
    // Grant points to B, picked by keyboard from the lookup.
    const grant = admin.getByRole('form', { name: 'Grant points' });
    const userBox = grant.getByRole('combobox', { name: 'User' });
    await userBox.fill(userB.email.slice(0, 7));
    await grant.getByRole('option', { name: userB.email }).waitFor(WAIT);
    await shot(admin, 'desktop-admin-user-lookup');
    await userBox.press('ArrowDown');
    await userBox.press('ArrowUp');
    await userBox.press('Enter');
    expect(await userBox.inputValue()).toBe(userB.email);
    await grant.getByLabel('Points').fill('1');
    await grant.getByRole('button', { name: 'Grant points' }).click();
    await admin.getByText(`Granted to ${userB.email}.`, { exact: false }).waitFor(WAIT);
    await shot(admin, 'desktop-admin');
    await confirm('Open');
    // A holder: A buys YES 10 @ 50 against B's NO 10 @ 50 (API: the UI trading is covered above).
    const a = await server.login(userA.email, userA.password);
    const b = await server.login(userB.email, userB.password);
    expect((await server.api('POST', '/api/orders/e2e-admin-market', { token: a.token, body: { side: 'BUY', outcome: 'YES', price: 50, quantity: 10 } })).status).toBe(201);
    expect((await server.api('POST', '/api/orders/e2e-admin-market', { token: b.token, body: { side: 'BUY', outcome: 'NO', price: 50, quantity: 10 } })).status).toBe(201);
    await confirm('Halt');
    await confirm('Resume');
    await confirm('Close');
    // A watches the market page while the admin resolves YES.
    await pageA.goto(`${server.url}/markets/e2e-admin-market`);
    await pageA.getByRole('status', { name: 'Feed Live' }).waitFor(WAIT);
    await act('Resolve YES').click();
    const dialog = admin.getByRole('alertdialog');
    expect(await dialog.textContent()).toContain('10.00 pts paid to YES holders');
    await dialog.getByRole('button', { name: 'Confirm Resolve YES' }).click();
    await pageA.getByText('Market resolved: you were paid 10.00 pts').waitFor(WAIT);
    await pageA.getByLabel('Resolution record').waitFor(WAIT);
    await shot(pageA, 'desktop-market-resolved');
    // Void the main market: B (holding NO) is refunded; the toast says how much.
    await admin.goto(`${server.url}/admin`);
    await admin.getByRole('button', { name: `Void market ${slug}` }).click();
    await admin.getByRole('alertdialog').getByRole('button', { name: 'Confirm Void' }).click();
    await pageB.getByText(/Market voided: you were paid \d/).first().waitFor(WAIT);
    await pageB.goto(`${server.url}/portfolio`);
    await pageB.getByLabel('Notifications').getByText('Market voided').first().waitFor(WAIT);
  });

  it('screenshots of every page on the desktop', async () => {
    for (const [p, name] of [['/', 'markets'], ['/portfolio', 'portfolio'], ['/leaderboard', 'leaderboard'], ['/signin', 'signin'], [`/markets/${slug}`, 'market-voided']] as const) {
      await pageA.goto(server.url + p);
      await pageA.waitForLoadState('networkidle');
      await shot(pageA, `desktop-${name}`);
    }
    // Signed in since the first test, far beyond the 30 s access-token lifetime: renewed silently.
    await pageA.goto(`${server.url}/portfolio`);
    await expect.poll(async () => (await pageA.getByLabel('Available points').textContent()) ?? '', WAIT).toMatch(/^[\d,]+\.\d\d pts$/);
    // Price history of the main market, bucketed in SQL: trades at 40¢ (10), 70¢ (2), each range bounded.
    for (const range of ['1H', '6H', '1D', '1W', 'ALL']) {
      const h = await server.api('GET', `/api/markets/${slug}/history?range=${range}`);
      expect(h.status, range).toBe(200);
      expect(h.body.points.length, range).toBeGreaterThan(0);
      expect(h.body.points.length, range).toBeLessThanOrEqual(200);
      expect(h.body.points.reduce((a: number, p: { volume: number }) => a + p.volume, 0), range).toBe(12);
      for (const p of h.body.points) expect(p.tsMs % h.body.bucketMs, range).toBe(0);
    }
    expect((await server.api('GET', `/api/markets/${slug}/history?range=2H`)).status).toBe(400);
    const stats = await server.api('GET', '/api/market-stats');
    expect(stats.body.stats.find((x: { marketId: string }) => x.marketId === marketId)).toMatchObject({ volume24h: 12, price24hAgo: null, firstPrice24h: 40 });
    const lb = await server.api('GET', '/api/leaderboard?by=volume');
    expect(lb.body.entries.length).toBeGreaterThanOrEqual(2);
    expect(pageErrors).toEqual([]);
  });
});

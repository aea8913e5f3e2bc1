import { describe, expect, it } from 'vitest';
import { schemas } from '../src/index.ts';

describe('order schemas', () => {
  it('accepts a limit order and fills defaults', () => {
    const b = schemas.PlaceOrderBody.parse({ side: 'BUY', outcome: 'NO', price: 40, quantity: 5 });
    expect(b).toMatchObject({ type: 'LIMIT', postOnly: false, stp: 'CANCEL_TAKER' });
  });

  it.each([
    [{ side: 'BUY', outcome: 'YES', price: 0, quantity: 1 }],
    [{ side: 'BUY', outcome: 'YES', price: 100, quantity: 1 }],
    [{ side: 'BUY', outcome: 'YES', price: 50.5, quantity: 1 }],
    [{ side: 'BUY', outcome: 'YES', price: 50, quantity: 0 }],
    [{ side: 'BUY', outcome: 'YES', price: 50, quantity: 1.5 }],
    [{ side: 'HOLD', outcome: 'YES', price: 50, quantity: 1 }],
    [{ side: 'BUY', outcome: 'MAYBE', price: 50, quantity: 1 }],
    [{ side: 'BUY', outcome: 'YES', price: 50, quantity: 1, qty: 1 }],
    [{ side: 'BUY', outcome: 'YES', price: 50, quantity: 1, clientOrderId: '' }],
    [{ side: 'BUY', outcome: 'YES', price: 50, quantity: 1, expiresAt: 'tomorrow' }],
  ])('rejects %j', (body) => {
    expect(schemas.PlaceOrderBody.safeParse(body).success).toBe(false);
  });

  it('requires an outcome exactly for RESOLVED', () => {
    expect(schemas.SetMarketStatusBody.safeParse({ status: 'RESOLVED', outcome: 'YES' }).success).toBe(true);
    expect(schemas.SetMarketStatusBody.safeParse({ status: 'RESOLVED' }).success).toBe(false);
    expect(schemas.SetMarketStatusBody.safeParse({ status: 'HALTED', outcome: 'NO' }).success).toBe(false);
  });

  it('limits batches to 20 orders and questions to 140 characters', () => {
    const o = { marketSlug: 'abc', side: 'BUY', outcome: 'YES', price: 10, quantity: 1 };
    expect(schemas.BatchOrdersBody.safeParse({ orders: Array(20).fill(o) }).success).toBe(true);
    expect(schemas.BatchOrdersBody.safeParse({ orders: Array(21).fill(o) }).success).toBe(false);
    const m = { slug: 'my-market', closesAt: new Date().toISOString() };
    expect(schemas.CreateMarketBody.safeParse({ ...m, question: 'q'.repeat(140) }).success).toBe(true);
    expect(schemas.CreateMarketBody.safeParse({ ...m, question: 'q'.repeat(141) }).success).toBe(false);
  });
});

describe('socket path', () => {
  it('the zod-free SOCKET_PATH (constants, for browser bundles) equals schemas.SOCKET_PATH', async () => {
    const { SOCKET_PATH } = await import('../src/constants.ts');
    expect(SOCKET_PATH).toBe(schemas.SOCKET_PATH);
  });
});

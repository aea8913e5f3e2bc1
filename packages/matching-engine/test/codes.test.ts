/**
 * The rejection-code catalogue (src/codes.ts), in the manner of fastify's error-code test:
 * codes are unique, inside the range of their group, named in SCREAMING_SNAKE_CASE, each one
 * documented by a doc comment in the source, `rejectCodeName` round-trips, and every code is
 * produced by the engine for at least one command.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventCollector, MatchingEngine, RejectCode, rejectCodeName, type Command, type CommandResult, type RejectCodeName } from '../src/index.ts';

const SOURCE = readFileSync(new URL('../src/codes.ts', import.meta.url), 'utf8');

/** The groups the catalogue documents (codes.ts header and issue 2): name -> [min, max]. */
const GROUPS: Record<string, [number, number]> = {
  validation: [1000, 1999],
  risk: [2000, 2999],
  order: [3000, 3999],
  market: [4000, 4999],
};

interface ParsedEntry {
  name: string;
  code: number;
  doc: string;
  group: string | null;
  line: number;
}

/**
 * Parse the `RejectCode` object literal of codes.ts: each `NAME: 1234,` entry with the doc
 * comment right above it (empty if none) and the `// 1000-1999 group` section it sits in.
 * Also returns the numbers mentioned by plain `//` comments other than section headers
 * (retired codes, which must never be reused).
 */
function parseCatalogue(source: string): { entries: ParsedEntry[]; retired: number[] } {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => /export const RejectCode\s*=\s*\{/.test(l));
  if (start < 0) throw new Error('RejectCode object not found');
  const entries: ParsedEntry[] = [];
  const retired: number[] = [];
  let group: string | null = null;
  let doc: string[] | null = null;
  let pendingDoc = '';
  for (let i = start + 1; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line.startsWith('}')) break;
    if (doc !== null) {
      // inside a multi-line doc comment
      doc.push(line.replace(/\*\/$/, '').replace(/^\*\s?/, ''));
      if (line.endsWith('*/')) {
        pendingDoc = doc.join(' ').trim();
        doc = null;
      }
      continue;
    }
    if (line.startsWith('/**')) {
      const body = line.slice(3);
      if (body.endsWith('*/')) pendingDoc = body.slice(0, -2).trim();
      else doc = [body.trim()];
      continue;
    }
    const section = /^\/\/\s*(\d{4})-(\d{4})\s+(\w+)/.exec(line);
    if (section !== null) {
      group = section[3] ?? null;
      const range = group === null ? undefined : GROUPS[group];
      if (range === undefined || range[0] !== Number(section[1]) || range[1] !== Number(section[2])) {
        throw new Error(`section header ${line} does not match the documented groups`);
      }
      pendingDoc = '';
      continue;
    }
    if (line.startsWith('//')) {
      for (const m of line.matchAll(/\b(\d{4})\b/g)) retired.push(Number(m[1]));
      continue;
    }
    const entry = /^([A-Za-z0-9_]+)\s*:\s*(-?\d+)\s*,?$/.exec(line);
    if (entry !== null) {
      entries.push({ name: entry[1] ?? '', code: Number(entry[2]), doc: pendingDoc, group, line: i + 1 });
      pendingDoc = '';
      continue;
    }
    if (line !== '') throw new Error(`unexpected line ${i + 1} in RejectCode: ${line}`);
    pendingDoc = '';
  }
  return { entries, retired };
}

describe('the rejection-code catalogue', () => {
  const { entries, retired } = parseCatalogue(SOURCE);
  const names = Object.keys(RejectCode) as RejectCodeName[];

  it('the parsed source and the runtime object list the same codes', () => {
    expect(entries.length).toBeGreaterThan(0);
    expect(Object.fromEntries(entries.map((e) => [e.name, e.code]))).toEqual({ ...RejectCode });
  });

  it('codes are unique', () => {
    const codes = names.map((n) => RejectCode[n]);
    const dupes = codes.filter((c, i) => codes.indexOf(c) !== i);
    expect(dupes).toEqual([]);
  });

  it('retired codes mentioned in comments are not reused', () => {
    const live = new Set<number>(names.map((n) => RejectCode[n]));
    expect(retired.filter((c) => live.has(c))).toEqual([]);
  });

  it.each(entries.map((e) => [e.name, e] as const))('%s is inside the range of its group', (_name, e) => {
    expect(e.group, `${e.name} (line ${e.line}) is not under a "// NNNN-NNNN group" section`).not.toBeNull();
    const [min, max] = GROUPS[e.group ?? ''] ?? [0, -1];
    expect(Number.isInteger(e.code) && e.code >= min && e.code <= max, `${e.name} = ${e.code} outside ${e.group} ${min}-${max}`).toBe(true);
  });

  it.each(names)('%s is named in SCREAMING_SNAKE_CASE', (name) => {
    expect(name).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
  });

  it.each(entries.map((e) => [e.name, e] as const))('%s has a doc comment', (_name, e) => {
    expect(e.doc.length, `${e.name} (codes.ts line ${e.line}) needs a /** ... */ comment saying when it is returned`).toBeGreaterThanOrEqual(10);
  });

  it('rejectCodeName round-trips every code and throws on an unknown one', () => {
    for (const name of names) expect(rejectCodeName(RejectCode[name])).toBe(name);
    expect(() => rejectCodeName(9999)).toThrow();
    expect(() => rejectCodeName(0)).toThrow();
  });

  it('the parser catches a missing doc comment, a code outside its range and a bad section', () => {
    const bad = `export const RejectCode = {
  // 1000-1999 validation
  /** Documented. */
  GOOD_ONE: 1001,
  UNDOCUMENTED: 1002,
  /** In the wrong range. */
  WRONG_RANGE: 2001,
} as const;`;
    const parsed = parseCatalogue(bad);
    expect(parsed.entries.map((e) => [e.name, e.doc.length > 0])).toEqual([
      ['GOOD_ONE', true],
      ['UNDOCUMENTED', false],
      ['WRONG_RANGE', true],
    ]);
    const wrong = parsed.entries.find((e) => e.name === 'WRONG_RANGE')!;
    const [min, max] = GROUPS[wrong.group ?? '']!;
    expect(wrong.code >= min && wrong.code <= max).toBe(false);
    expect(() => parseCatalogue('export const RejectCode = {\n  // 1000-2999 validation\n} as const;')).toThrow();
  });
});

// ---------------------------------------------------------------------------------------
// Every code is produced by the engine.

const T = 1_000;

/**
 * A small world: users a, b, c (10_000 cents each; accounts capped at 1_000_000), market `m`
 * OPEN (a holds 2 YES, b 2 NO; b's BUY NO 5 @ 45 rests as a YES ask at 55; c is at its limit of
 * 2 open orders), `t5` OPEN with tick 5, `d` in DRAFT, `h` HALTED.
 */
function world(): { engine: MatchingEngine; sink: EventCollector; bOrderId: number } {
  const sink = new EventCollector();
  const engine = new MatchingEngine({ maxOpenOrdersPerUserPerMarket: 2, maxAccountCents: 1_000_000 }, sink);
  const ok = (cmd: Command): CommandResult => {
    const r = engine.execute(cmd);
    if (!r.ok) throw new Error(`setup ${cmd.type} failed: ${r.codeName}`);
    return r;
  };
  for (const userId of ['a', 'b', 'c']) ok({ type: 'GRANT', tsMs: T, userId, amountCents: 10_000 });
  for (const [marketId, tickCents] of [['m', 1], ['t5', 5], ['d', 1], ['h', 1]] as const) ok({ type: 'CREATE_MARKET', tsMs: T, marketId, tickCents });
  for (const marketId of ['m', 't5', 'h']) ok({ type: 'SET_MARKET_STATUS', tsMs: T, marketId, status: 'OPEN' });
  ok({ type: 'SET_MARKET_STATUS', tsMs: T, marketId: 'h', status: 'HALTED' });
  const limit = (userId: string, side: 'BUY' | 'SELL', outcome: 'YES' | 'NO', priceCents: number, qty: number): CommandResult =>
    ok({ type: 'PLACE', tsMs: T, userId, marketId: 'm', side, outcome, orderType: 'LIMIT', priceCents, qty });
  limit('a', 'BUY', 'YES', 50, 2);
  limit('b', 'BUY', 'NO', 50, 2); // mints 2 pairs
  const bOrder = limit('b', 'BUY', 'NO', 45, 5);
  limit('c', 'BUY', 'YES', 10, 1);
  limit('c', 'BUY', 'YES', 11, 1);
  sink.take();
  return { engine, sink, bOrderId: (bOrder as { orderId: number }).orderId };
}

const order = (over: Partial<Extract<Command, { type: 'PLACE' }>>): Command => ({
  type: 'PLACE',
  tsMs: T,
  userId: 'a',
  marketId: 'm',
  side: 'BUY',
  outcome: 'YES',
  orderType: 'LIMIT',
  priceCents: 40,
  qty: 1,
  ...over,
});

/** One command per code that the engine must reject with exactly that code. */
const TRIGGERS: Record<RejectCodeName, (w: { bOrderId: number }) => Command> = {
  INVALID_PRICE: () => order({ priceCents: 100 }),
  PRICE_NOT_ON_TICK: () => order({ marketId: 't5', priceCents: 42 }),
  INVALID_QUANTITY: () => order({ qty: 0 }),
  QUANTITY_TOO_LARGE: () => order({ qty: 2_000_000 }),
  INVALID_ORDER_TYPE: () => order({ orderType: 'MARKET', priceCents: null, timeInForce: 'GTC' }),
  INVALID_EXPIRY: () => order({ timeInForce: 'GTD', expiresAtMs: T }),
  INVALID_MAX_COST: () => order({ maxCostCents: 100 }),
  INVALID_CLIENT_ORDER_ID: () => order({ clientOrderId: '' }),
  INVALID_AMOUNT: () => ({ type: 'GRANT', tsMs: T, userId: 'a', amountCents: 0 }),
  INVALID_ID: () => ({ type: 'CREATE_MARKET', tsMs: T, marketId: '' }),
  INVALID_TICK: () => ({ type: 'CREATE_MARKET', tsMs: T, marketId: 'x', tickCents: 3 }),
  INVALID_FIELD: () => order({ side: 'HOLD' as 'BUY' }),
  INSUFFICIENT_BALANCE: () => order({ priceCents: 99, qty: 1_000 }),
  INSUFFICIENT_SHARES: () => order({ side: 'SELL', qty: 3 }),
  TOO_MANY_OPEN_ORDERS: () => order({ userId: 'c' }),
  UNKNOWN_ACCOUNT: () => order({ userId: 'nobody' }),
  BALANCE_LIMIT: () => ({ type: 'GRANT', tsMs: T, userId: 'a', amountCents: 1_000_000 }),
  UNKNOWN_ORDER: (w) => ({ type: 'CANCEL', tsMs: T, userId: 'a', orderId: w.bOrderId }),
  POST_ONLY_WOULD_TAKE: () => order({ priceCents: 55, postOnly: true }),
  FOK_NOT_FILLABLE: () => order({ priceCents: 55, qty: 6, timeInForce: 'FOK' }),
  AMEND_NO_CHANGE: (w) => ({ type: 'AMEND', tsMs: T, userId: 'b', orderId: w.bOrderId, priceCents: 45 }),
  UNKNOWN_MARKET: () => order({ marketId: 'nope' }),
  MARKET_NOT_OPEN: () => order({ marketId: 'd' }),
  MARKET_HALTED: () => order({ marketId: 'h' }),
  INVALID_TRANSITION: () => ({ type: 'SET_MARKET_STATUS', tsMs: T, marketId: 'd', status: 'RESOLVED', outcome: 'YES' }),
  MARKET_EXISTS: () => ({ type: 'CREATE_MARKET', tsMs: T, marketId: 'm' }),
  INVALID_OUTCOME: () => ({ type: 'SET_MARKET_STATUS', tsMs: T, marketId: 'm', status: 'CLOSED', outcome: 'NO' }),
};

describe('every code is produced by the engine', () => {
  it('the trigger list names every code', () => {
    expect(Object.keys(TRIGGERS).sort()).toEqual(Object.keys(RejectCode).sort());
  });

  it.each(Object.keys(TRIGGERS) as RejectCodeName[])('%s', (name) => {
    const w = world();
    const before = w.engine.stateHash();
    const cmd = TRIGGERS[name](w);
    const r = w.engine.execute(cmd);
    expect(r).toMatchObject({ ok: false, code: RejectCode[name], codeName: name });
    expect(r.ok === false && r.message.length > 0).toBe(true);
    expect(w.sink.take()).toEqual([
      expect.objectContaining({ type: 'COMMAND_REJECTED', command: cmd.type, code: RejectCode[name], codeName: name, tsMs: T }),
    ]);
    expect(w.engine.stateHash()).toBe(before);
  });
});

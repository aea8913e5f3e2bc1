/**
 * The LMSR arithmetic of the house market maker: pure functions, no IO.
 *
 * Source: Hanson, "Logarithmic market scoring rules for modular combinatorial information
 * aggregation" (2003); docs/DESIGN.md, "The LMSR house market maker". For a binary market with
 * liquidity `b` (shares), the cost function is C(qY, qN) = b ln(e^(qY/b) + e^(qN/b)) and the
 * YES price p = e^(qY/b) / (e^(qY/b) + e^(qN/b)); only q = qY - qN matters, and
 * q = b logit(p). Here C(q) = b ln(1 + e^(q/b)) (qN = 0), in shares of a 100-cent payout:
 * multiply by 100 for cents.
 *
 * The house's state is one integer, `soldShares` s: the net YES it has sold since it started
 * quoting at `p0` (negative: it bought YES). Its LMSR position is q = b logit(p0) + s and its
 * current price p* = sigmoid(q / b). It never recentres: p* moves only through s.
 *
 * The ladder (integer shares, integer-cent ticks, inside the band [pMin, pMax]):
 * - asks at each tick t above p*: the cumulative quantity through t is
 *   floor(b logit(t) - b logit(p0)) - s, i.e. the floor of b times the logit distance from p*
 *   (s is an integer, so the floor of the fixed part minus s is that floor exactly); the level
 *   at t holds the increase over the tick below. Each slice is sold at t, at or above the
 *   LMSR's marginal price anywhere in the slice (the slice ends at a q no higher than
 *   b logit(t)), so the house never receives less than the LMSR's cost C(q + n) - C(q);
 * - bids at each tick t below p*: the cumulative quantity down through t is
 *   s - ceil(b logit(t) - b logit(p0)), bought at t, at or below the marginal price.
 * Rounding only ever shrinks levels, so it cannot enlarge the loss. Because only the
 * near-side levels depend on s, a fill changes the ladder only around the new price.
 *
 * Loss bounds (the house follows its own q and quotes only inside the band): if YES wins,
 * at most 100 b ln(pMax / p0) cents; if NO wins, at most 100 b ln((1 - pMin) / (1 - p0)). Proof
 * sketch: with cash K = C(q) - C(q0) (the LMSR's, which the ladder never undercuts), the
 * P&L is K - 100 s if YES wins, = 100 b ln(p0 / p), and K if NO wins, = 100 b ln((1 - p0) / (1 - p)).
 * Resting the whole ask side as BUY NO escrows sum (100 - t) n, which approaches exactly the
 * YES bound, and the bid side likewise the NO bound.
 */

/** The settings of one market's house maker. Prices in integer cents of YES. */
export interface LmsrParams {
  /** Liquidity, shares (> 0): the shares that move the price from 50 to about 73 cents. */
  b: number;
  /** The YES price the house started quoting from (cents, inside the band). */
  p0Cents: number;
  /** The band the ladder stays in (cents, 1 <= pMin <= p0 <= pMax <= 99, pMin < pMax). */
  pMinCents: number;
  pMaxCents: number;
  /** The market's tick (cents); quotes sit on multiples of it. */
  tickCents: number;
}

/** One ladder level in YES terms: price in YES cents, shares. */
export interface LadderLevel {
  priceCents: number;
  qty: number;
}

export interface Ladder {
  /** The LMSR price now (a fraction in (0, 1)). */
  pStar: number;
  /** Asks ascending (best first). */
  asks: LadderLevel[];
  /** Bids descending (best first). */
  bids: LadderLevel[];
}

/** Why settings are refused (the API maps these to HOUSE_* error codes). */
export type ParamsProblem = { code: 'HOUSE_INVALID_LIQUIDITY'; message: string } | { code: 'HOUSE_INVALID_BAND'; message: string };

/** Largest b accepted (shares): keeps escrow and float arithmetic in range. */
export const MAX_LIQUIDITY_B = 1_000_000;

/** Check settings; null when valid. */
export function checkParams(p: LmsrParams): ParamsProblem | null {
  if (!Number.isFinite(p.b) || p.b <= 0 || p.b > MAX_LIQUIDITY_B) {
    return { code: 'HOUSE_INVALID_LIQUIDITY', message: `b must be a positive number of shares up to ${MAX_LIQUIDITY_B} (got ${p.b})` };
  }
  const ints = [p.p0Cents, p.pMinCents, p.pMaxCents, p.tickCents];
  if (!ints.every(Number.isInteger)) return { code: 'HOUSE_INVALID_BAND', message: 'prices and the tick must be integer cents' };
  if (p.pMinCents < 1 || p.pMaxCents > 99 || p.pMinCents >= p.pMaxCents) {
    return { code: 'HOUSE_INVALID_BAND', message: `the band must lie inside 1..99 cents with pMin < pMax (got ${p.pMinCents}..${p.pMaxCents})` };
  }
  if (p.p0Cents < p.pMinCents || p.p0Cents > p.pMaxCents) {
    return { code: 'HOUSE_INVALID_BAND', message: `the band ${p.pMinCents}..${p.pMaxCents} must contain p0 = ${p.p0Cents}` };
  }
  if (p.tickCents < 1 || 100 % p.tickCents !== 0) return { code: 'HOUSE_INVALID_BAND', message: `tick ${p.tickCents} does not divide 100` };
  return null;
}

/** ln(p / (1 - p)). */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/** 1 / (1 + e^-x). */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** C(q) = b ln(1 + e^(q/b)), in shares of a 100-cent payout (overflow-safe). */
export function lmsrCost(q: number, b: number): number {
  const x = q / b;
  return b * (Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
}

/** The LMSR position q of a house that has sold `soldShares` net YES since quoting from p0. */
export function lmsrPosition(p: LmsrParams, soldShares: number): number {
  return p.b * logit(p.p0Cents / 100) + soldShares;
}

/** The LMSR YES price (fraction) after `soldShares`. */
export function lmsrPrice(p: LmsrParams, soldShares: number): number {
  return sigmoid(lmsrPosition(p, soldShares) / p.b);
}

/** What the LMSR charges, in cents (real), to move from `fromSold` to `toSold` (negative: it pays). */
export function lmsrCostDiffCents(p: LmsrParams, fromSold: number, toSold: number): number {
  return 100 * (lmsrCost(lmsrPosition(p, toSold), p.b) - lmsrCost(lmsrPosition(p, fromSold), p.b));
}

/** Ticks of the band, ascending. */
export function bandTicks(p: LmsrParams): number[] {
  const out: number[] = [];
  const first = Math.ceil(p.pMinCents / p.tickCents) * p.tickCents;
  for (let t = first; t <= p.pMaxCents; t += p.tickCents) if (t >= 1 && t <= 99) out.push(t);
  return out;
}

/** b logit(t) - b logit(p0), the LMSR shares between p0 and tick t (a float, fixed per tick). */
function sharesFromP0(p: LmsrParams, tickCents: number): number {
  return p.b * (logit(tickCents / 100) - logit(p.p0Cents / 100));
}

/**
 * The ladder after the house has sold `soldShares` (integer) net YES. Levels with zero
 * shares are left out.
 */
export function buildLadder(p: LmsrParams, soldShares: number): Ladder {
  if (!Number.isInteger(soldShares)) throw new Error(`soldShares must be an integer (got ${soldShares})`);
  const ticks = bandTicks(p);
  const asks: LadderLevel[] = [];
  let prevCum = 0;
  for (const t of ticks) {
    const cum = Math.max(0, Math.floor(sharesFromP0(p, t)) - soldShares);
    if (cum > prevCum) asks.push({ priceCents: t, qty: cum - prevCum });
    prevCum = Math.max(prevCum, cum);
  }
  const bids: LadderLevel[] = [];
  prevCum = 0;
  for (let i = ticks.length - 1; i >= 0; i--) {
    const t = ticks[i]!;
    const cum = Math.max(0, soldShares - Math.ceil(sharesFromP0(p, t)));
    if (cum > prevCum) bids.push({ priceCents: t, qty: cum - prevCum });
    prevCum = Math.max(prevCum, cum);
  }
  return { pStar: lmsrPrice(p, soldShares), asks, bids };
}

/** The published worst-case losses in cents (rounded up: they are bounds), if YES wins and if NO wins. */
export function lossBoundsCents(p: LmsrParams): { ifYes: number; ifNo: number } {
  return {
    ifYes: Math.ceil(100 * p.b * Math.log(p.pMaxCents / p.p0Cents) - 1e-9),
    ifNo: Math.ceil(100 * p.b * Math.log((100 - p.pMinCents) / (100 - p.p0Cents)) - 1e-9),
  };
}

/**
 * Cash needed to rest the whole ladder from p0 with no shares held (asks as BUY NO at
 * 100 - t, bids as BUY YES at t): at most the sum of the two loss bounds.
 */
export function fullLadderEscrowCents(p: LmsrParams): number {
  const l = buildLadder(p, 0);
  let cents = 0;
  for (const a of l.asks) cents += (100 - a.priceCents) * a.qty;
  for (const x of l.bids) cents += x.priceCents * x.qty;
  return cents;
}

/**
 * The house's results in cents from its YES-equivalent cash flow `cashCents` (sum of YES
 * prices of YES it sold minus of YES it bought; a BUY NO at q counts as selling YES at 100 - q)
 * and `soldShares`: the P&L if YES wins and if NO wins.
 */
export function pnlCents(cashCents: number, soldShares: number): { ifYes: number; ifNo: number } {
  return { ifYes: cashCents - 100 * soldShares, ifNo: cashCents };
}

/**
 * The trade ticket's preview: what an order would do against the live book now, computed with
 * integer arithmetic from the ladder of the order's own outcome. It mirrors the engine's rules
 * (DESIGN.md "Unified book", "Escrow"; packages/matching-engine): a taker fills at the resting
 * (maker) prices, best first, up to its limit; a market buy spends at most maxCost and stops at
 * the first share it cannot afford (it never skips a level); IOC drops the rest, FOK fills all
 * now or nothing, post-only is rejected when it would take; buys escrow price x quantity
 * (market buys maxCost), sells escrow shares, and nobody may sell shares they do not hold.
 * The engine decides; this is what the trader sees before submitting.
 */

/** One level of a ladder, best first: price in the ladder's outcome cents, shares resting. */
export interface PreviewLevel {
  price: number;
  quantity: number;
}

export type PreviewSide = 'BUY' | 'SELL';
export type PreviewTif = 'GTC' | 'GTD' | 'IOC' | 'FOK';

export interface PreviewInput {
  side: PreviewSide;
  type: 'LIMIT' | 'MARKET';
  /** Limit price in the order's outcome cents (limit orders). */
  priceCents: number | null;
  /** Shares (limit orders and market sells). */
  qtyShares: number | null;
  /** Market buys: most cents to spend. */
  maxCostCents: number | null;
  tif: PreviewTif;
  postOnly: boolean;
  /** Asks of the order's outcome ladder, lowest first (what a buy takes). */
  asks: readonly PreviewLevel[];
  /** Bids of the order's outcome ladder, highest first (what a sell takes). */
  bids: readonly PreviewLevel[];
  /** The trader's available cents. */
  availableCents: number;
  /** The trader's unlocked shares of this outcome. */
  sharesAvailable: number;
}

/** Why the order would be refused (the engine's code where there is one). */
export type PreviewProblem = 'FOK_NOT_FILLABLE' | 'POST_ONLY_WOULD_CROSS' | 'INSUFFICIENT_BALANCE' | 'INSUFFICIENT_SHARES' | 'NO_LIQUIDITY';

export interface Preview {
  /** Shares that trade now. */
  filledShares: number;
  /** Shares left resting on the book (GTC/GTD limit orders). */
  restingShares: number;
  /** Shares dropped unfilled (IOC, market orders). */
  droppedShares: number;
  /** Cents paid (buy) or received (sell) for the shares filled now. */
  fillCents: number;
  /** Average fill price in tenths of a cent (rounded to nearest), null without a fill. */
  avgPriceTenths: number | null;
  /** Escrow the order needs at placement: price x qty (limit buy), maxCost (market buy), 0 for sells. */
  escrowCents: number;
  /** Buys: cents the order costs if everything it holds fills (fills now + resting at the limit). Sells: 0. */
  costCents: number;
  /** Sells: cents received if everything fills (fills now + resting at the limit). Buys: 0. */
  proceedsCents: number;
  /** Buys: 100 cents per share bought (fills now + resting). Sells: 0. */
  payoutIfRightCents: number;
  /** Buys: payout if right minus cost. */
  profitIfRightCents: number;
  /** Buys: profit / cost in basis points (integer, toward zero); null when cost is 0. */
  returnBps: number | null;
  /** Available cents after placement and the fills now (resting escrow counted as spent). */
  balanceAfterCents: number;
  problem: PreviewProblem | null;
}

/** The preview of an order (see the module comment). Inputs must be complete: check `missingInput` first. */
export function computePreview(inp: PreviewInput): Preview {
  const isBuy = inp.side === 'BUY';
  const levels = isBuy ? inp.asks : inp.bids;
  const isMarket = inp.type === 'MARKET';
  const limit = isMarket ? null : inp.priceCents;
  // A market buy's quantity is its budget's business: at most one share per cent.
  const qty = isMarket && isBuy ? Math.floor((inp.maxCostCents ?? 0) / 1) : (inp.qtyShares ?? 0);
  let budget = isMarket && isBuy ? (inp.maxCostCents ?? 0) : Number.POSITIVE_INFINITY;
  let rem = qty;
  let fillCents = 0;
  let filled = 0;
  for (const lv of levels) {
    if (rem === 0) break;
    if (limit !== null && (isBuy ? lv.price > limit : lv.price < limit)) break;
    let q = Math.min(rem, lv.quantity);
    if (isMarket && isBuy) {
      const afford = Math.floor(budget / lv.price);
      if (afford < q) q = afford;
      if (q === 0) break;
      budget -= q * lv.price;
    }
    rem -= q;
    filled += q;
    fillCents += q * lv.price;
    // The budget ran out inside this level: stop (the engine never skips to a cheaper maker).
    if (isMarket && isBuy && q < Math.min(rem + q, lv.quantity)) break;
  }
  let problem: PreviewProblem | null = null;
  if (inp.postOnly && !isMarket && filled > 0) problem = 'POST_ONLY_WOULD_CROSS';
  if (inp.tif === 'FOK' && !(isMarket && isBuy) && filled < qty) problem = 'FOK_NOT_FILLABLE';
  const rests = !isMarket && (inp.tif === 'GTC' || inp.tif === 'GTD');
  const escrowCents = isBuy ? (isMarket ? (inp.maxCostCents ?? 0) : (limit ?? 0) * qty) : 0;
  if (isBuy && escrowCents > inp.availableCents) problem ??= 'INSUFFICIENT_BALANCE';
  if (!isBuy && qty > inp.sharesAvailable) problem ??= 'INSUFFICIENT_SHARES';
  if (isMarket && levels.length === 0) problem ??= 'NO_LIQUIDITY';
  if (problem === 'POST_ONLY_WOULD_CROSS' || problem === 'FOK_NOT_FILLABLE') {
    // Refused whole: nothing fills, nothing rests.
    filled = 0;
    fillCents = 0;
    rem = qty;
  }
  const restingShares = problem === null && rests ? rem : 0;
  const droppedShares = qty - filled - restingShares;
  const restingCents = restingShares * (limit ?? 0);
  const costCents = isBuy ? fillCents + restingCents : 0;
  const proceedsCents = isBuy ? 0 : fillCents + restingCents;
  const payoutIfRightCents = isBuy ? (filled + restingShares) * 100 : 0;
  const profitIfRightCents = isBuy ? payoutIfRightCents - costCents : 0;
  const returnBps = isBuy && costCents > 0 ? Math.trunc((profitIfRightCents * 10000) / costCents) : null;
  const avgPriceTenths = filled > 0 ? Math.floor((fillCents * 20 + filled) / (filled * 2)) : null;
  const balanceAfterCents = isBuy ? inp.availableCents - costCents : inp.availableCents + fillCents;
  return {
    filledShares: filled,
    restingShares,
    droppedShares,
    fillCents,
    avgPriceTenths,
    escrowCents,
    costCents,
    proceedsCents,
    payoutIfRightCents,
    profitIfRightCents,
    returnBps,
    balanceAfterCents,
    problem,
  };
}

/** What the ticket still needs before it can be submitted, as the submit button says it; null when complete. */
export function missingInput(t: {
  signedIn: boolean;
  type: 'LIMIT' | 'MARKET';
  side: PreviewSide;
  priceCents: number | null;
  qtyShares: number | null;
  maxCostCents: number | null;
  tif: PreviewTif;
  expiresAtMs: number | null;
  nowMs: number;
  tradable: boolean;
}): string | null {
  if (!t.signedIn) return 'Sign in to trade';
  if (!t.tradable) return 'Market is not open';
  if (t.type === 'LIMIT' && t.priceCents === null) return 'Enter a price';
  if (t.type === 'LIMIT' && (t.priceCents! < 1 || t.priceCents! > 99)) return 'Price must be 1–99¢';
  if (t.type === 'MARKET' && t.side === 'BUY') {
    if (t.maxCostCents === null || t.maxCostCents <= 0) return 'Enter an amount';
  } else if (t.qtyShares === null || t.qtyShares <= 0) return 'Enter a quantity';
  if (t.type === 'LIMIT' && t.tif === 'GTD') {
    if (t.expiresAtMs === null) return 'Pick an expiry';
    if (t.expiresAtMs <= t.nowMs) return 'Expiry must be in the future';
  }
  return null;
}

/** The words shown for a preview problem. */
export const PROBLEM_TEXT: Record<PreviewProblem, string> = {
  FOK_NOT_FILLABLE: 'Fill-or-kill: the book cannot fill it all now',
  POST_ONLY_WOULD_CROSS: 'Post-only: this price would take liquidity',
  INSUFFICIENT_BALANCE: 'Not enough available points',
  INSUFFICIENT_SHARES: 'Not enough shares to sell',
  NO_LIQUIDITY: 'No liquidity on that side of the book',
};

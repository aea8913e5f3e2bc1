/**
 * One market's order book in YES price ticks 1..99 (docs/DESIGN.md, "One book per market").
 *
 * Each side has 99 price levels indexed directly by price; each level is a FIFO queue of
 * order slots (an intrusive doubly linked list through OrderStore.prev/next) with its total
 * quantity and order count. A 128-bit occupancy mask per side gives the best price in O(1)
 * with clz32 when the best level empties. Insert at a level's tail, removal of any order by
 * slot, and each fill are O(1); nothing scans a level to find an order.
 */
import { NIL, O_REMAINING, O_PREV, O_NEXT, type OrderStore } from './order-store.ts';

export const BID = 0;
export const ASK = 1;
/** Levels per side: index = price (0 and 100 unused sentinels). */
const WIDTH = 101;

export class Book {
  /** Level arrays are indexed by side * WIDTH + price. */
  readonly head = new Int32Array(2 * WIDTH).fill(NIL);
  readonly tail = new Int32Array(2 * WIDTH).fill(NIL);
  readonly qty = new Float64Array(2 * WIDTH);
  readonly count = new Int32Array(2 * WIDTH);
  /** Occupancy bits: words 0-3 bids, 4-7 asks; bit p set = level p non-empty. */
  private readonly bits = new Uint32Array(8);
  /** Best bid price, 0 if none. */
  bestBid = 0;
  /** Best ask price, 100 if none. */
  bestAsk = 100;

  static level(side: number, price: number): number {
    return side * WIDTH + price;
  }

  /** Append slot `s` (its side and price already set) at the tail of its level. */
  append(store: OrderStore, s: number, side: number, price: number): void {
    const l = side * WIDTH + price;
    const t = this.tail[l]!;
    store.i32[16 * s + O_PREV] = t;
    store.i32[16 * s + O_NEXT] = NIL;
    if (t === NIL) {
      this.head[l] = s;
      this.bits[side * 4 + (price >>> 5)]! |= 1 << (price & 31);
      if (side === BID) {
        if (price > this.bestBid) this.bestBid = price;
      } else if (price < this.bestAsk) this.bestAsk = price;
    } else {
      store.i32[16 * t + O_NEXT] = s;
    }
    this.tail[l] = s;
    this.qty[l] = this.qty[l]! + store.i32[16 * s + O_REMAINING]!;
    this.count[l] = this.count[l]! + 1;
  }

  /** Unlink slot `s` from its level; subtracts its remaining quantity from the level. */
  remove(store: OrderStore, s: number, side: number, price: number): void {
    const l = side * WIDTH + price;
    const p = store.i32[16 * s + O_PREV]!;
    const n = store.i32[16 * s + O_NEXT]!;
    if (p === NIL) this.head[l] = n;
    else store.i32[16 * p + O_NEXT] = n;
    if (n === NIL) this.tail[l] = p;
    else store.i32[16 * n + O_PREV] = p;
    this.qty[l] = this.qty[l]! - store.i32[16 * s + O_REMAINING]!;
    const n2 = this.count[l]! - 1;
    this.count[l] = n2;
    if (n2 === 0) {
      this.bits[side * 4 + (price >>> 5)]! &= ~(1 << (price & 31));
      if (side === BID) {
        if (price === this.bestBid) this.bestBid = this.highest(0);
      } else if (price === this.bestAsk) this.bestAsk = this.lowest(4);
    }
  }

  /** Highest set bit of the side starting at word `w0`, or 0. */
  private highest(w0: number): number {
    for (let w = 3; w >= 0; w--) {
      const x = this.bits[w0 + w]!;
      if (x !== 0) return w * 32 + 31 - Math.clz32(x);
    }
    return 0;
  }

  /** Lowest set bit of the side starting at word `w0`, or 100. */
  private lowest(w0: number): number {
    for (let w = 0; w < 4; w++) {
      const x = this.bits[w0 + w]!;
      if (x !== 0) return w * 32 + 31 - Math.clz32(x & -x);
    }
    return 100;
  }

  /** Non-empty prices of a side, best first. */
  prices(side: number): number[] {
    const out: number[] = [];
    if (side === BID) {
      for (let p = this.bestBid; p >= 1; p--) if (this.count[p]! > 0) out.push(p);
    } else {
      for (let p = this.bestAsk; p <= 99; p++) if (this.count[WIDTH + p]! > 0) out.push(p);
    }
    return out;
  }

  /** Recompute best prices from the level counts (for invariant checks). */
  scanBest(): { bestBid: number; bestAsk: number } {
    let bestBid = 0;
    let bestAsk = 100;
    for (let p = 1; p <= 99; p++) {
      if (this.count[p]! > 0) bestBid = p;
      if (bestAsk === 100 && this.count[WIDTH + p]! > 0) bestAsk = p;
    }
    return { bestBid, bestAsk };
  }
}

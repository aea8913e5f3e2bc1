/**
 * The GTD expiry queue: an indexed binary min-heap of resting GTD orders ordered by
 * (expiry time, order id), the order in which they expire.
 *
 * An order is in the heap exactly while it rests: `push` when it comes to rest, `remove`
 * when it leaves the book for any reason (cancel, fill, amend re-entry, market close,
 * expiry). Each entry's index is kept in the `O_HEAP_POS` field of its slot's record, so removal is
 * O(log n) with no search, and no dead entries accumulate: a million place-and-cancel
 * cycles sharing one expiry leave the heap empty (issue 12, hole 10: the lazy deletion
 * used before kept them until their expiry, when one command then popped them all).
 */
import { NIL, O_HEAP_POS, type OrderStore } from './order-store.ts';

export class ExpiryHeap {
  private times: number[] = [];
  private ids: number[] = [];
  private slots: number[] = [];

  /** The store's records are read through `store` on every use: the store replaces its arrays when it grows. */
  constructor(private readonly store: OrderStore) {}

  /** Entries (resting GTD orders). */
  get size(): number {
    return this.times.length;
  }

  /** Expiry time of the earliest entry, or +Infinity when empty. */
  peekTime(): number {
    return this.times.length === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  /** Slot of the earliest entry (call only when not empty). */
  peekSlot(): number {
    return this.slots[0]!;
  }

  /** Add slot `s` (order `id`, expiring at `timeMs`); the slot must not be in the heap. */
  push(timeMs: number, id: number, s: number): void {
    const i = this.times.length;
    this.times.push(timeMs);
    this.ids.push(id);
    this.slots.push(s);
    this.up(i, timeMs, id, s);
  }

  /** Remove slot `s` if it is in the heap. */
  remove(s: number): void {
    const rec = this.store.i32;
    const i = rec[16 * s + O_HEAP_POS]!;
    if (i === NIL) return;
    rec[16 * s + O_HEAP_POS] = NIL;
    const lastT = this.times.pop()!;
    const lastI = this.ids.pop()!;
    const lastS = this.slots.pop()!;
    if (i === this.times.length) return;
    // Put the last entry in the hole, then restore heap order in whichever direction it needs.
    const parent = (i - 1) >> 1;
    if (i > 0 && less(lastT, lastI, this.times[parent]!, this.ids[parent]!)) this.up(i, lastT, lastI, lastS);
    else this.down(i, lastT, lastI, lastS);
  }

  /** Drop every entry (their slots' heapPos are reset). */
  clear(): void {
    const rec = this.store.i32;
    for (const s of this.slots) rec[16 * s + O_HEAP_POS] = NIL;
    this.times = [];
    this.ids = [];
    this.slots = [];
  }

  private set(i: number, t: number, id: number, s: number): void {
    this.times[i] = t;
    this.ids[i] = id;
    this.slots[i] = s;
    this.store.i32[16 * s + O_HEAP_POS] = i;
  }

  private up(i: number, t: number, id: number, s: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = this.times[parent]!;
      const pi = this.ids[parent]!;
      if (!less(t, id, pt, pi)) break;
      this.set(i, pt, pi, this.slots[parent]!);
      i = parent;
    }
    this.set(i, t, id, s);
  }

  private down(i: number, t: number, id: number, s: number): void {
    const n = this.times.length;
    const times = this.times;
    const ids = this.ids;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && less(times[r]!, ids[r]!, times[l]!, ids[l]!) ? r : l;
      if (!less(times[c]!, ids[c]!, t, id)) break;
      this.set(i, times[c]!, ids[c]!, this.slots[c]!);
      i = c;
    }
    this.set(i, t, id, s);
  }
}

/** (t1, id1) before (t2, id2): by time, then order id. */
function less(t1: number, id1: number, t2: number, id2: number): boolean {
  return t1 < t2 || (t1 === t2 && id1 < id2);
}

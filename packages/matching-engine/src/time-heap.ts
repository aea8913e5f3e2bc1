/**
 * A binary min-heap of (timeMs, key) pairs ordered by time, then key. Used for market close
 * times (key = market index; one entry per market ever, so nothing accumulates). Entries
 * are deleted lazily: the owner checks on pop that the entry still applies. GTD expiries use
 * the indexed ExpiryHeap (expiry-heap.ts) instead.
 */
export class TimeHeap {
  private times: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.times.length;
  }

  push(timeMs: number, key: number): void {
    const times = this.times;
    const keys = this.keys;
    let i = times.length;
    times.push(timeMs);
    keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      const pk = keys[parent]!;
      if (pt < timeMs || (pt === timeMs && pk <= key)) break;
      times[i] = pt;
      keys[i] = pk;
      i = parent;
    }
    times[i] = timeMs;
    keys[i] = key;
  }

  /** Time of the earliest entry, or +Infinity when empty. */
  peekTime(): number {
    return this.times.length === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  /** Key of the earliest entry (call only when not empty). */
  peekKey(): number {
    return this.keys[0]!;
  }

  pop(): void {
    const times = this.times;
    const keys = this.keys;
    const lastT = times.pop()!;
    const lastK = keys.pop()!;
    const n = times.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && (times[r]! < times[l]! || (times[r] === times[l] && keys[r]! < keys[l]!))) c = r;
      const ct = times[c]!;
      const ck = keys[c]!;
      if (lastT < ct || (lastT === ct && lastK <= ck)) break;
      times[i] = ct;
      keys[i] = ck;
      i = c;
    }
    times[i] = lastT;
    keys[i] = lastK;
  }

  clear(): void {
    this.times = [];
    this.keys = [];
  }
}

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IdIndex } from '../src/id-index.ts';

const SEED = Number(process.env.FC_SEED ?? 7);

describe('IdIndex (order id -> slot)', () => {
  it('behaves like a Map under any sequence of set/delete/get, through growth and collisions', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), id: fc.integer({ min: 1, max: 300 }), slot: fc.integer({ min: 0, max: 1e6 }) }),
      fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 1, max: 300 }) }),
      fc.record({ kind: fc.constant('big' as const), id: fc.integer({ min: 2 ** 32, max: Number.MAX_SAFE_INTEGER }), slot: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const idx = new IdIndex(4);
        const ref = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'delete') {
            idx.delete(o.id);
            ref.delete(o.id);
          } else {
            idx.set(o.id, o.slot);
            ref.set(o.id, o.slot);
          }
          expect(idx.size).toBe(ref.size);
        }
        for (let id = 1; id <= 300; id++) expect(idx.get(id)).toBe(ref.get(id) ?? -1);
        for (const [id, slot] of ref) expect(idx.get(id)).toBe(slot);
        const seen = new Map<number, number>();
        idx.forEach((id, slot) => seen.set(id, slot));
        expect(seen).toEqual(ref);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('answers -1 for ids that are not positive integers, and refuses to store them', () => {
    const idx = new IdIndex();
    idx.set(1, 5);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(idx.get(bad)).toBe(-1);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => idx.set(bad, 1)).toThrow();
    expect(idx.get(1)).toBe(5);
  });

  it('keeps ids on both sides of 2^31 (table and overflow map) apart and countable', () => {
    const idx = new IdIndex(4);
    const ids = [2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 53 - 1, 1, 8];
    ids.forEach((id, i) => idx.set(id, i));
    expect(idx.size).toBe(ids.length);
    ids.forEach((id, i) => expect(idx.get(id)).toBe(i));
    idx.delete(2 ** 31 - 1);
    idx.delete(2 ** 31);
    expect(idx.get(2 ** 31 - 1)).toBe(-1);
    expect(idx.get(2 ** 31)).toBe(-1);
    expect(idx.get(2 ** 31 + 1)).toBe(3);
    expect(idx.size).toBe(ids.length - 2);
    const seen: number[] = [];
    idx.forEach((id) => seen.push(id));
    expect(seen.sort((a, b) => a - b)).toEqual([1, 8, 2 ** 31 - 2, 2 ** 31 + 1, 2 ** 53 - 1]);
  });

  it('keeps sequential ids (the engine pattern) findable after many deletions', () => {
    const idx = new IdIndex(16);
    for (let id = 1; id <= 50_000; id++) idx.set(id, id * 2);
    for (let id = 1; id <= 50_000; id += 3) idx.delete(id);
    for (let id = 1; id <= 50_000; id++) expect(idx.get(id)).toBe((id - 1) % 3 === 0 ? -1 : id * 2);
  });
});

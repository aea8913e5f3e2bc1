import { describe, expect, it } from 'vitest';
import { openInterestNow } from '../src/lib/book.ts';

describe('openInterestNow', () => {
  const trade = (seq: number, kind: 'MINT' | 'MERGE' | 'TRANSFER', quantity: number) => ({ seq, kind, quantity });

  it('adds MINTs and subtracts MERGEs after the REST figure\'s sequence number', () => {
    // REST at seq 5 with 0 pairs; then a MINT of 10 (seq 6), a TRANSFER of 4 (seq 7), a MERGE of 3 (seq 8).
    expect(openInterestNow({ seq: 5, openInterest: 0 }, [trade(8, 'MERGE', 3), trade(7, 'TRANSFER', 4), trade(6, 'MINT', 10)])).toBe(7);
  });

  it('does not count trades the REST figure already includes', () => {
    // REST taken at seq 6 already counts the MINT of 10.
    expect(openInterestNow({ seq: 6, openInterest: 10 }, [trade(6, 'MINT', 10), trade(3, 'MINT', 5)])).toBe(10);
    expect(openInterestNow({ seq: 6, openInterest: 10 }, [])).toBe(10);
  });
});

// Property: against random taker flow (seeded; thousands of sequences; both outcomes; integer
// cents), the house's loss never exceeds its published bound, and its cash flow equals the
// LMSR cost difference up to the rounding, always in the house's favour.
import { describe, expect, it } from 'vitest';
import { seededRng } from '../../backend/test/helpers/kit.ts';
import { buildLadder, lmsrCostDiffCents, lossBoundsCents, pnlCents, type LmsrParams } from '../src/lmsr.ts';

const SEQUENCES = Number(process.env.FC_RUNS ?? 3000);

describe('loss bound (property)', () => {
  it(`holds over ${SEQUENCES} random taker sequences`, () => {
    const rng = seededRng('lmsr-loss-bound');
    let fills = 0;
    let maxFavourPerShare = 0;
    for (let run = 0; run < SEQUENCES; run++) {
      const tick = rng.pick([1, 1, 1, 2, 5]);
      const p0 = rng.int(3, 97);
      const pMin = Math.max(1, p0 - rng.int(0, p0 - 1));
      const pMax = Math.min(99, p0 + rng.int(0, 99 - p0));
      if (pMin >= pMax) continue;
      const b = rng.chance(0.5) ? rng.int(5, 2000) : 5 + rng.next() * 1000;
      const p: LmsrParams = { b, p0Cents: p0, pMinCents: pMin, pMaxCents: pMax, tickCents: tick };
      let sold = 0;
      let cash = 0; // integer cents, YES-equivalent
      let roundingAllowance = 0;
      const steps = rng.int(1, 40);
      for (let step = 0; step < steps; step++) {
        const ladder = buildLadder(p, sold); // the house requotes after every taker order
        const buy = rng.chance(0.5);
        let want = rng.int(1, Math.max(1, Math.round(b * rng.pick([0.05, 0.3, 1, 5]))));
        const limit = rng.chance(0.5) ? null : buy ? rng.int(1, 99) : rng.int(1, 99);
        for (const level of buy ? ladder.asks : ladder.bids) {
          if (want === 0) break;
          if (limit !== null && (buy ? level.priceCents > limit : level.priceCents < limit)) break;
          const n = Math.min(want, level.qty);
          const from = sold;
          if (buy) {
            cash += level.priceCents * n;
            sold += n;
          } else {
            cash -= level.priceCents * n;
            sold -= n;
          }
          want -= n;
          fills++;
          // per fill: the house gains at most the tick plus the floor's one share of price movement (25/b cents) per share
          roundingAllowance += n * (tick + 25 / b);
          const lmsr = lmsrCostDiffCents(p, from, sold);
          const got = buy ? level.priceCents * n : -level.priceCents * n;
          if (n > 0) maxFavourPerShare = Math.max(maxFavourPerShare, (got - lmsr) / n);
        }
        const lmsrCash = lmsrCostDiffCents(p, 0, sold);
        const eps = 1e-7 * Math.max(1, Math.abs(lmsrCash));
        const ctx = () => `seed ${rng.seed} run ${run} step ${step}: ${JSON.stringify(p)} sold ${sold} cash ${cash} lmsr ${lmsrCash}`;
        expect(cash, ctx()).toBeGreaterThanOrEqual(lmsrCash - eps);
        expect(cash - lmsrCash, ctx()).toBeLessThanOrEqual(roundingAllowance + eps);
      }
      const bound = lossBoundsCents(p);
      const pnl = pnlCents(cash, sold);
      expect(pnl.ifYes, `seed ${rng.seed} run ${run} YES wins`).toBeGreaterThanOrEqual(-bound.ifYes);
      expect(pnl.ifNo, `seed ${rng.seed} run ${run} NO wins`).toBeGreaterThanOrEqual(-bound.ifNo);
    }
    expect(fills).toBeGreaterThan(SEQUENCES); // the flow really traded
    expect(maxFavourPerShare).toBeGreaterThan(0);
  });
});

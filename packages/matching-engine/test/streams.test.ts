/**
 * Seeded random command streams: the engine against the naive reference model
 * (test/reference.ts), compared result by result and event by event, with both models'
 * invariant checks (docs/DESIGN.md 1-5) after every command, and full-state, snapshot/restore and
 * state-hash checks every 5,000 commands. The machinery is in test/stream-harness.ts.
 *
 * Rerun seeds:          STREAM_SEED=<seed>[,<seed>...] npx vitest run test/streams.test.ts
 *                       (instead of the default list; a failure prints the exact command line)
 * Other lengths:        STREAM_COMMANDS=<n> (default 100000 per seed; the stream depends on it)
 * Print the tallies:    STREAM_VERBOSE=1
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEEDS, MINIMUMS, runStream } from './stream-harness.ts';

const COMMANDS = Number(process.env.STREAM_COMMANDS ?? 100_000);
const ENV_SEED = process.env.STREAM_SEED;
const SEEDS = ENV_SEED !== undefined && ENV_SEED.trim() !== '' ? ENV_SEED.split(',').map((s) => Number(s.trim())) : DEFAULT_SEEDS;

describe('random command streams: engine vs naive reference, event by event', () => {
  it('is configured sensibly', () => {
    expect(Number.isSafeInteger(COMMANDS) && COMMANDS > 0, `STREAM_COMMANDS=${process.env.STREAM_COMMANDS}`).toBe(true);
    for (const seed of SEEDS) expect(Number.isSafeInteger(seed), `STREAM_SEED=${ENV_SEED}`).toBe(true);
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}: ${COMMANDS} commands`, () => {
      const counts = runStream(seed, COMMANDS);
      if (process.env.STREAM_VERBOSE) console.log(`seed ${seed}`, JSON.stringify(counts, Object.keys(counts).sort(), 1));
      // The stream must not pass vacuously: every interesting thing happened, often enough.
      const scale = Math.min(1, COMMANDS / 100_000);
      const missing: string[] = [];
      for (const [k, min] of Object.entries(MINIMUMS)) {
        const need = Math.max(1, Math.floor(min * scale));
        if ((counts[k] ?? 0) < need) missing.push(`${k}: ${counts[k] ?? 0} < ${need}`);
      }
      expect(missing, `stream seed ${seed} too tame (rerun: STREAM_SEED=${seed} STREAM_COMMANDS=${COMMANDS}); counts ${JSON.stringify(counts)}`).toEqual([]);
    });
  }
});

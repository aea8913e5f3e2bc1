/**
 * Small helpers shared by the api-* and service-* integration tests: a seeded random number
 * generator whose seed is printed when a test fails, error-shape assertions, and the
 * environment overrides that keep rate limits out of the way of load-style tests.
 */
import { expect, onTestFailed } from 'vitest';
import type { ApiResponse } from './server.ts';

/** Rate limits high enough that tests exercise behaviour, not the limiter. */
export const NO_RATE_LIMITS: Record<string, string> = {
  RATE_LIMIT_PUBLIC_POINTS: '1000000',
  RATE_LIMIT_TRADING_POINTS: '1000000',
  RATE_LIMIT_AUTH_POINTS: '1000000',
};

/** mulberry32 (Tommy Ettinger): a tiny deterministic PRNG; u in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded random source for tests. */
export interface Rng {
  seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

export function rng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    seed,
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    chance: (p) => next() < p,
  };
}

/**
 * A seeded RNG for the current test: TEST_SEED from the environment, else a random seed.
 * The seed is printed if the test fails (re-run with TEST_SEED=<seed>).
 */
export function seededRng(label: string): Rng {
  const seed = process.env.TEST_SEED !== undefined ? Number(process.env.TEST_SEED) : Math.floor(Math.random() * 2 ** 31);
  onTestFailed(() => {
    console.error(`[${label}] failed with seed ${seed}: re-run with TEST_SEED=${seed}`);
  });
  return rng(seed);
}

/** Assert an error response: the status and the catalogue code, in the `{ error: { code, message } }` shape. */
export function expectError(res: ApiResponse, status: number, code?: string): void {
  const ctx = `${status} ${code ?? ''} expected, got ${res.status} ${JSON.stringify(res.body)}`;
  expect(res.status, ctx).toBe(status);
  expect(res.body, ctx).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  if (code !== undefined) expect(res.body.error.code, ctx).toBe(code);
}

/** Assert a 2xx and return the body. */
export function ok<T = any>(res: ApiResponse<T>, status?: number): T {
  const ctx = `expected ${status ?? '2xx'}, got ${res.status} ${JSON.stringify(res.body)}`;
  if (status !== undefined) expect(res.status, ctx).toBe(status);
  else expect(res.status >= 200 && res.status < 300, ctx).toBe(true);
  return res.body;
}

/** The `name=value` pairs of a response's Set-Cookie headers. */
export function setCookies(res: ApiResponse): Record<string, { value: string; raw: string }> {
  const h = res.headers['set-cookie'];
  const list = h === undefined ? [] : Array.isArray(h) ? h : [h];
  const out: Record<string, { value: string; raw: string }> = {};
  for (const raw of list) {
    const first = raw.split(';')[0]!;
    const i = first.indexOf('=');
    out[first.slice(0, i)] = { value: decodeURIComponent(first.slice(i + 1)), raw };
  }
  return out;
}

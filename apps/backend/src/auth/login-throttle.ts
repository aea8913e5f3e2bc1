/**
 * Sign-in throttling that an attacker cannot turn into a lockout of the account's owner
 * (OWASP Authentication Cheat Sheet, "Protect against automated attacks": lock out by account
 * AND address, and prefer a growing delay to a hard account lockout; OWASP Blocking Brute
 * Force Attacks). Two counters of FAILED sign-ins, in the rate-limiter store of
 * entrance/limits.ts (`Limits.login`: Redis when REDIS_URL is set, so every process shares
 * them; memory otherwise):
 *
 * - per (account, client address) pair: after LOGIN_PAIR_FAILURES failures within
 *   LOGIN_PAIR_WINDOW_SEC, that address may not try that account again until the window
 *   ends (429 RATE_LIMITED, Retry-After). A successful sign-in clears the pair.
 * - per account, the slower backoff: failures within LOGIN_ACCOUNT_WINDOW_SEC beyond the first
 *   LOGIN_ACCOUNT_FREE_FAILURES put the account in backoff for 1, 2, 4, ... seconds (at most
 *   LOGIN_ACCOUNT_MAX_BACKOFF_SEC) after each failure. During it, addresses that already
 *   failed on the account are refused; an address with no failure on it is still heard, so
 *   the owner signing in from a fresh address is never locked out by someone else's guesses,
 *   while each guessing address gets one guess per backoff period.
 *
 * The per-IP attempt limit of plugins/rate-limit.ts (RATE_LIMIT_AUTH_POINTS, every email)
 * applies besides. Accounts are keyed by a hash of the normalised email (no address in store
 * keys); unknown emails are counted like known ones (no enumeration by timing or status). A
 * store failure lets the attempt through (limits protect; they must not take sign-in down).
 * Called by `login` (auth/commands.ts).
 */
import { createHash } from 'node:crypto';
import { ApiError } from '@prediction-markets/shared';
import type { LoginLimits } from '../entrance/limits.ts';

/** The account part of the keys: sha256 of the trimmed, lower-cased email, 32 hex. */
export function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
}

/**
 * Before the password is checked. Throws RATE_LIMITED (429; `details: { retryAfterSec, scope:
 * 'account' }`, which REST turns into Retry-After) when `address` may not try `email` now.
 */
export async function checkLoginAllowed(l: LoginLimits, email: string, address: string): Promise<void> {
  const account = accountKey(email);
  const [pair, backoff] = await Promise.all([safe(l.pair.get(`${account}:${address}`)), safe(l.backoff.get(account))]);
  const pairFailures = pair?.consumedPoints ?? 0;
  let waitMs = 0;
  if (pair !== null && pairFailures >= l.pairFailures) waitMs = pair.msBeforeNext;
  else if (pairFailures > 0 && backoff !== null && backoff.consumedPoints > 1) waitMs = backoff.msBeforeNext;
  if (waitMs <= 0) return;
  const retryAfterSec = Math.max(1, Math.ceil(waitMs / 1000));
  throw new ApiError('RATE_LIMITED', `too many failed sign-ins for this account from this address; retry after ${retryAfterSec} s`, {
    retryAfterSec,
    scope: 'account',
  });
}

/** A wrong email or password from `address`: counts for the pair and the account (and may start a backoff). */
export async function loginFailed(l: LoginLimits, email: string, address: string): Promise<void> {
  const account = accountKey(email);
  const [, total] = await Promise.all([safe(l.pair.penalty(`${account}:${address}`, 1)), safe(l.account.penalty(account, 1))]);
  const beyond = (total?.consumedPoints ?? 0) - l.freeAccountFailures;
  if (beyond > 0) await safe(l.backoff.block(account, Math.min(l.maxBackoffSec, 2 ** Math.min(beyond - 1, 30))));
}

/** A successful sign-in from `address`: its failures on the account are forgotten. */
export async function loginSucceeded(l: LoginLimits, email: string, address: string): Promise<void> {
  await safe(l.pair.delete(`${accountKey(email)}:${address}`));
}

async function safe<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch {
    return null;
  }
}

/**
 * The admin's house-maker settings form (components/HouseMakerPanel.tsx): the checks made in
 * the browser before PUT /api/house/markets/:slug. They mirror the API's rules
 * (apps/house-maker's checkParams: b a positive number of shares up to 1,000,000; a band of
 * whole cents inside 1..99 with pMin < pMax that contains p0); the API stays the judge
 * (HOUSE_INVALID_LIQUIDITY, HOUSE_INVALID_BAND, HOUSE_POSITION_OPEN).
 */
import { formatInt } from './format.ts';

/** The largest b the API accepts, shares (apps/house-maker's MAX_LIQUIDITY_B). */
export const MAX_B_SHARES = 1_000_000;

/** The form as typed: market slug, the switch, b in shares, the band in YES cents (text). */
export interface HouseDraft {
  slug: string;
  enabled: boolean;
  b: string;
  pMin: string;
  pMax: string;
}

/**
 * Problems with a draft, one message per field (an empty object when it may be sent).
 * `p0Cents` is the configured start price when the market has one (else the API picks it).
 */
export function validateHouseDraft(d: HouseDraft, p0Cents: number | null): Partial<Record<keyof HouseDraft, string>> {
  const out: Partial<Record<keyof HouseDraft, string>> = {};
  if (d.slug === '') out.slug = 'Choose a market';
  const b = Number(d.b);
  if (d.b.trim() === '' || !Number.isFinite(b) || b <= 0 || b > MAX_B_SHARES) out.b = `b must be a positive number of shares up to ${formatInt(MAX_B_SHARES)}`;
  const lo = Number(d.pMin);
  const hi = Number(d.pMax);
  const loOk = /^\d+$/.test(d.pMin.trim()) && lo >= 1 && lo <= 99;
  const hiOk = /^\d+$/.test(d.pMax.trim()) && hi >= 1 && hi <= 99;
  if (!loOk) out.pMin = 'pMin must be a whole number of cents from 1 to 99';
  if (!hiOk) out.pMax = 'pMax must be a whole number of cents from 1 to 99';
  if (loOk && hiOk) {
    if (lo >= hi) out.pMax = 'pMax must be above pMin';
    else if (p0Cents !== null && (p0Cents < lo || p0Cents > hi)) out.pMax = `The band must contain the start price p0 = ${p0Cents}¢`;
  }
  return out;
}

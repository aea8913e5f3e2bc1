/**
 * Display of money, prices and times. Integer arithmetic only: money arrives as integer
 * cents and is shown as points with two decimals (100 cents = 1 point); prices as integer
 * cents of the outcome named ("63¢"); averages as tenths of a cent. Times use the user's locale.
 */

const groupFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** Group an integer with the locale's separators (1,234,567). */
export function formatInt(n: number): string {
  return groupFormat.format(n);
}

/** Cents as points with the unit: 123456 -> "1,234.56 pts", -5 -> "-0.05 pts". */
export function formatPoints(cents: number, opts: { sign?: boolean; unit?: boolean } = {}): string {
  const neg = cents < 0;
  const abs = Math.abs(Math.trunc(cents));
  const whole = Math.floor(abs / 100);
  const frac = abs % 100;
  const sign = neg ? '−' : opts.sign === true && abs > 0 ? '+' : '';
  return `${sign}${formatInt(whole)}.${frac < 10 ? '0' : ''}${frac}${opts.unit === false ? '' : ' pts'}`;
}

/** A price in cents: 63 -> "63¢"; null -> "—". */
export function formatPrice(cents: number | null | undefined): string {
  return cents === null || cents === undefined ? '—' : `${cents}¢`;
}

/** A price in tenths of a cent: 625 -> "62.5¢". */
export function formatTenthsPrice(tenths: number | null): string {
  if (tenths === null) return '—';
  return `${Math.floor(tenths / 10)}.${tenths % 10}¢`;
}

/** Basis points as a percentage with one decimal: 2550 -> "25.5%" (integer arithmetic, rounded toward zero). */
export function formatBps(bps: number | null, opts: { sign?: boolean } = {}): string {
  if (bps === null) return '—';
  const neg = bps < 0;
  const tenths = Math.trunc(Math.abs(bps) / 10);
  const sign = neg ? '−' : opts.sign === true && tenths > 0 ? '+' : '';
  return `${sign}${formatInt(Math.floor(tenths / 10))}.${tenths % 10}%`;
}

/** A change in cents with its sign: +3¢, −2¢, 0¢. */
export function formatChange(cents: number | null): string {
  if (cents === null) return '—';
  if (cents === 0) return '0¢';
  return `${cents > 0 ? '+' : '−'}${Math.abs(cents)}¢`;
}

/** A share count: "1,200 sh". */
export function formatShares(n: number): string {
  return `${formatInt(n)} sh`;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** An instant in the user's locale and time zone (date and time). */
export function formatDateTime(t: string | number | Date | null): string {
  if (t === null) return '—';
  return dateTimeFormat.format(new Date(t));
}

/** The time of day of an instant, in the user's locale. */
export function formatTime(t: string | number | Date): string {
  return timeFormat.format(new Date(t));
}

/** Time left until `t` in words: "3d 4h", "2h 5m", "45s", or "closed" when past. */
export function formatTimeLeft(t: string | null, nowMs: number): string {
  if (t === null) return '—';
  let s = Math.floor((new Date(t).getTime() - nowMs) / 1000);
  if (s <= 0) return 'closed';
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}

/** Parse a points amount typed by the user ("12", "12.5", "12.34") into integer cents; null when not a valid non-negative amount. */
export function parsePointsToCents(text: string): number | null {
  const t = text.trim().replace(/,/g, '');
  const m = /^(\d{1,12})(?:\.(\d{0,2}))?$/.exec(t);
  if (m === null) return null;
  const whole = Number(m[1]);
  const fracText = (m[2] ?? '').padEnd(2, '0');
  return whole * 100 + Number(fracText);
}

/** Parse a positive whole number (shares, cents); null when not one. */
export function parsePositiveInt(text: string): number | null {
  const t = text.trim().replace(/,/g, '');
  if (!/^\d{1,10}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 ? n : null;
}

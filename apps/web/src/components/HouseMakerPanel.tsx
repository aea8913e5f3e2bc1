/**
 * Admin console: the LMSR house market maker per market. Shows what the exchange publishes
 * (GET /api/house/markets: enabled, b, p0, band, LMSR price, inventory, resting shares, cash,
 * P&L and the loss bounds if YES / if NO) and sets it (PUT /api/house/markets/:slug: enable or
 * disable, b and the band; audited by the backend). Money is integer cents shown as points,
 * prices as YES cents, b and inventory in shares. The rules checked here before submit mirror
 * the API's (b > 0 up to 1,000,000 shares, a band inside 1..99 with pMin < pMax containing p0);
 * the API stays the judge and its errors (HOUSE_INVALID_LIQUIDITY, HOUSE_INVALID_BAND,
 * HOUSE_POSITION_OPEN, UNKNOWN_MARKET) are shown with their code.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import type { schemas } from '@prediction-markets/shared';
import { useMarkets } from '../api/queries.ts';
import { client, describeError, unwrapResult } from '../api/client.ts';
import { qk } from '../api/keys.ts';
import { validateHouseDraft, type HouseDraft as Draft } from '../lib/house.ts';
import { formatDateTime, formatInt, formatPoints, formatPrice, formatShares } from '../lib/format.ts';

const bFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/** b in shares with the unit: 150 -> "150 sh". */
function formatB(b: number): string {
  return `${bFormat.format(b)} sh`;
}

/** The LMSR price (fractional YES cents) to one decimal: 50.04 -> "50.0¢". */
function formatLmsrPrice(cents: number): string {
  return `${cents.toFixed(1)}¢`;
}

/** The loss bounds of a published state, as a sentence. */
function lossBoundText(h: schemas.HouseMarketDto): string {
  return `worst-case loss ${formatPoints(h.lossBoundIfYesCents)} if YES wins, ${formatPoints(h.lossBoundIfNoCents)} if NO wins`;
}

function HouseForm({ houses }: { houses: schemas.HouseMarketDto[] }) {
  const queryClient = useQueryClient();
  const markets = useMarkets();
  const [draft, setDraft] = useState<Draft>({ slug: '', enabled: true, b: '100', pMin: '1', pMax: '99' });
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const current = houses.find((h) => h.slug === draft.slug) ?? null;
  const problems = validateHouseDraft(draft, current?.p0Cents ?? null);
  const invalid = Object.keys(problems).length > 0;
  const show = (k: keyof Draft) => (touched || k !== 'slug') && problems[k] !== undefined;
  const set = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setDone(null);
    setError(null);
  };
  /** Choosing a configured market fills the form with its settings. */
  const choose = (slug: string) => {
    const h = houses.find((x) => x.slug === slug);
    set(h === undefined ? { slug } : { slug, enabled: h.enabled, b: String(h.b), pMin: String(h.pMinCents), pMax: String(h.pMaxCents) });
  };
  const submit = async () => {
    setTouched(true);
    if (invalid) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const h = unwrapResult(await client.configureHouse(draft.slug, { enabled: draft.enabled, b: Number(draft.b), pMinCents: Number(draft.pMin), pMaxCents: Number(draft.pMax) }));
      const text = `House maker ${h.enabled ? 'enabled' : 'disabled'} on ${h.slug}: b ${formatB(h.b)}, band ${formatPrice(h.pMinCents)}–${formatPrice(h.pMaxCents)} from p0 ${formatPrice(h.p0Cents)}; ${lossBoundText(h)}.`;
      setDone(text);
      toast.success(`House maker ${h.enabled ? 'enabled' : 'disabled'} on ${h.slug}`);
      void queryClient.invalidateQueries({ queryKey: qk.houseMarkets });
      void queryClient.invalidateQueries({ queryKey: ['admin'] });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const field = (k: keyof Draft) => (show(k) ? { 'aria-invalid': true, 'aria-describedby': `house-${k}-error` } : {});
  const message = (k: keyof Draft) => (show(k) ? <span id={`house-${k}-error`} className="error" style={{ fontSize: 12 }}>{problems[k]}</span> : null);
  return (
    <form className="form" aria-label="House maker settings" noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <div className="form-grid">
        <label>
          Market
          <select value={draft.slug} onChange={(e) => choose(e.target.value)} {...field('slug')}>
            <option value="">Choose…</option>
            {(markets.data?.markets ?? []).map((m) => <option key={m.id} value={m.slug}>{m.slug}</option>)}
          </select>
          {message('slug')}
        </label>
        <label>
          Liquidity b (shares)
          <input value={draft.b} inputMode="decimal" onChange={(e) => set({ b: e.target.value })} {...field('b')} />
          {message('b')}
        </label>
        <label>
          Band low pMin (¢)
          <input value={draft.pMin} inputMode="numeric" onChange={(e) => set({ pMin: e.target.value })} {...field('pMin')} />
          {message('pMin')}
        </label>
        <label>
          Band high pMax (¢)
          <input value={draft.pMax} inputMode="numeric" onChange={(e) => set({ pMax: e.target.value })} {...field('pMax')} />
          {message('pMax')}
        </label>
      </div>
      <label className="inline">
        <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
        Enabled (the house quotes this market)
      </label>
      <p className="muted" style={{ margin: 0, fontSize: 12 }}>
        {current === null
          ? 'Not configured yet: the house starts from the market’s mid price (else its last price, else 50¢). Enabling funds the house account by an audited grant.'
          : `Configured: p0 ${formatPrice(current.p0Cents)}, ${lossBoundText(current)}. b and the band can change only while the house holds no shares here.`}
      </p>
      {error !== null ? <div className="error" role="alert">{error}</div> : null}
      {done !== null ? <div className="pos" role="status">{done}</div> : null}
      <div>
        <button type="submit" className="primary" disabled={busy || (touched && invalid)}>Save house settings</button>
      </div>
    </form>
  );
}

/** The "House market maker" section of the admin console. */
export function HouseMakerPanel() {
  const house = useQuery({ queryKey: qk.houseMarkets, queryFn: async () => unwrapResult(await client.getHouseMarkets()), refetchInterval: 5_000 });
  const houses = house.data?.markets ?? [];
  return (
    <section className="panel" aria-label="House market maker">
      <div className="panel-head">
        <h2>House market maker</h2>
        <button type="button" className="small" onClick={() => void house.refetch()}>Refresh</button>
      </div>
      {house.isError ? <p className="error" role="alert">{describeError(house.error)}</p> : null}
      <div className="table-wrap">
        <table aria-label="House maker by market">
          <thead>
            <tr>
              <th>Market</th>
              <th>State</th>
              <th className="n">b</th>
              <th className="n">p0</th>
              <th className="n">Band</th>
              <th className="n">LMSR price</th>
              <th className="n">Inventory (net YES sold)</th>
              <th className="n">Resting bid / ask</th>
              <th className="n">Cash</th>
              <th className="n">P&amp;L if YES / if NO</th>
              <th className="n">Loss bound if YES / if NO</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {houses.length === 0 ? (
              <tr><td colSpan={12} className="muted">{house.isPending ? 'Loading…' : 'The house maker is not configured on any market.'}</td></tr>
            ) : houses.map((h) => (
              <tr key={h.marketId}>
                <td style={{ whiteSpace: 'nowrap' }}><Link to={`/markets/${h.slug}`}>{h.slug}</Link></td>
                <td><span className={`badge ${h.enabled ? 'OPEN' : ''}`}>{h.enabled ? 'enabled' : 'disabled'}</span></td>
                <td className="n">{formatB(h.b)}</td>
                <td className="n">{formatPrice(h.p0Cents)}</td>
                <td className="n">{formatPrice(h.pMinCents)}–{formatPrice(h.pMaxCents)}</td>
                <td className="n">{formatLmsrPrice(h.priceCents)}</td>
                <td className="n">{formatShares(h.inventoryShares)}</td>
                <td className="n">{formatInt(h.restingBidShares)} / {formatInt(h.restingAskShares)} sh</td>
                <td className="n">{formatPoints(h.cashCents, { sign: true })}</td>
                <td className="n"><span className={h.pnlIfYesCents < 0 ? 'neg' : 'pos'}>{formatPoints(h.pnlIfYesCents, { sign: true })}</span> / <span className={h.pnlIfNoCents < 0 ? 'neg' : 'pos'}>{formatPoints(h.pnlIfNoCents, { sign: true })}</span></td>
                <td className="n">{formatPoints(h.lossBoundIfYesCents)} / {formatPoints(h.lossBoundIfNoCents)}</td>
                <td className="muted" style={{ whiteSpace: 'nowrap' }}>{formatDateTime(h.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3 style={{ fontSize: 14, margin: '14px 0 8px' }}>Enable, disable or set b and the band</h3>
      <HouseForm houses={houses} />
    </section>
  );
}

/**
 * The YES price chart (TradingView lightweight-charts, loaded lazily): ranges 1H, 6H, 1D, 1W,
 * ALL from GET /api/markets/:slug/history, axis fixed to 0..100 cents, updated live from trades
 * (each trade moves the last bucket). Times in the user's locale and time zone.
 */
import { useEffect, useRef, useState } from 'react';
import { createChart, LineSeries, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import type { schemas } from '@prediction-markets/shared';
import { usePriceHistory } from '../api/queries.ts';
import { THEME_EVENT } from '../lib/theme.ts';

const RANGES: schemas.PriceHistoryRange[] = ['1H', '6H', '1D', '1W', 'ALL'];
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Chart points from a history answer: a start point, one per bucket, and the last price carried to now. */
export function chartPoints(h: schemas.PriceHistoryResponse): { time: UTCTimestamp; value: number }[] {
  const out: { time: UTCTimestamp; value: number }[] = [];
  const push = (ms: number, v: number) => {
    const t = Math.floor(ms / 1000) as UTCTimestamp;
    const last = out[out.length - 1];
    if (last !== undefined && last.time >= t) last.value = v;
    else out.push({ time: t, value: v });
  };
  if (h.startPrice !== null) push(h.fromMs, h.startPrice);
  for (const p of h.points) push(p.tsMs, p.yesPrice);
  const last = out[out.length - 1];
  if (last !== undefined) push(h.toMs, last.value);
  return out;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export default function PriceChart({ slug, lastTrade }: { slug: string; lastTrade: { yesPrice: number; tsMs: number } | null }) {
  const [range, setRange] = useState<schemas.PriceHistoryRange>('1D');
  const history = usePriceHistory(slug, range);
  const { refetch } = history;
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<'Line'> | null>(null);

  useEffect(() => {
    if (box.current === null) return;
    const c = createChart(box.current, {
      autoSize: true,
      layout: { background: { color: 'transparent' }, textColor: cssVar('--muted'), attributionLogo: false },
      grid: { vertLines: { visible: false }, horzLines: { color: cssVar('--border') } },
      rightPriceScale: { borderVisible: false, scaleMargins: { top: 0.04, bottom: 0.04 } },
      timeScale: { borderVisible: false, timeVisible: true, tickMarkFormatter: (t: number) => (range === '1W' || range === 'ALL' ? dayFmt : timeFmt).format(new Date(t * 1000)) },
      localization: { timeFormatter: (t: number) => fullFmt.format(new Date(t * 1000)), priceFormatter: (p: number) => `${Math.round(p)}¢` },
      handleScroll: false,
      handleScale: false,
    });
    const s = c.addSeries(LineSeries, {
      color: cssVar('--accent'),
      lineWidth: 2,
      lineType: 1,
      priceLineVisible: true,
      autoscaleInfoProvider: () => ({ priceRange: { minValue: 0, maxValue: 100 } }),
    });
    chart.current = c;
    series.current = s;
    const onTheme = () => {
      c.applyOptions({ layout: { textColor: cssVar('--muted') }, grid: { horzLines: { color: cssVar('--border') } } });
      s.applyOptions({ color: cssVar('--accent') });
    };
    window.addEventListener(THEME_EVENT, onTheme);
    return () => {
      window.removeEventListener(THEME_EVENT, onTheme);
      c.remove();
      chart.current = null;
      series.current = null;
    };
  }, [range]);

  useEffect(() => {
    if (history.data === undefined || series.current === null) return;
    series.current.setData(chartPoints(history.data));
    chart.current?.timeScale().fitContent();
  }, [history.data]);

  useEffect(() => {
    if (lastTrade === null || series.current === null) return;
    const t = Math.floor(lastTrade.tsMs / 1000) as UTCTimestamp;
    const data = series.current.data();
    const last = data[data.length - 1];
    if (last !== undefined && (last.time as number) > t) return;
    series.current.update({ time: t, value: lastTrade.yesPrice });
    // A first trade is a single point, which draws no line: take the history again (bucketed, carried to now).
    if (data.length < 2) void refetch();
  }, [lastTrade, refetch]);

  const empty = history.data !== undefined && history.data.points.length === 0 && history.data.startPrice === null && lastTrade === null;
  return (
    <section aria-label="YES price chart">
      <div className="panel-head">
        <h2>YES price</h2>
        <div className="seg" role="radiogroup" aria-label="Chart range">
          {RANGES.map((r) => (
            <button key={r} type="button" role="radio" aria-checked={range === r} onClick={() => setRange(r)}>
              {r}
            </button>
          ))}
        </div>
      </div>
      <div className="chart-box" ref={box}>
        {empty ? <div className="empty" style={{ position: 'absolute', inset: 0, paddingTop: 90 }}>No trades in this range yet</div> : null}
      </div>
    </section>
  );
}

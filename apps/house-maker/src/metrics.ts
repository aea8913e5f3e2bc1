/**
 * Prometheus metrics of the house maker (prom-client, its own registry so that it can run
 * inside the backend's process without clashing with the backend's metrics).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MakerMetrics {
  registry: Registry;
  /** Resting house orders per market and book side. */
  liveQuotes: Gauge<'market' | 'book'>;
  /** Resting house shares per market and book side. */
  liveQuoteShares: Gauge<'market' | 'book'>;
  /** Net YES the house has sold (LMSR inventory), shares. */
  inventory: Gauge<'market'>;
  /** YES-equivalent cash flow, cents. */
  cashCents: Gauge<'market'>;
  /** P&L if the market resolved now, cents, per outcome. */
  pnlCents: Gauge<'market' | 'outcome'>;
  /** Time from a fill's execution (its tsMs) to the acknowledgement of the last command of the requote it caused, seconds. */
  requoteLatency: Histogram<'market'>;
  /** Commands sent by kind (place, amend, cancel, batch, cancel_all). */
  commands: Counter<'kind'>;
  /** Requotes by cause. */
  requotes: Counter<'market' | 'cause'>;
  /** 1 once the kill switch has fired. */
  killed: Gauge;
}

export function createMakerMetrics(): MakerMetrics {
  const registry = new Registry();
  const r = [registry];
  return {
    registry,
    liveQuotes: new Gauge({ name: 'house_live_quotes', help: 'Resting house orders', labelNames: ['market', 'book'], registers: r }),
    liveQuoteShares: new Gauge({ name: 'house_live_quote_shares', help: 'Resting house shares', labelNames: ['market', 'book'], registers: r }),
    inventory: new Gauge({ name: 'house_inventory_shares', help: 'Net YES sold by the house (LMSR q minus q0)', labelNames: ['market'], registers: r }),
    cashCents: new Gauge({ name: 'house_cash_cents', help: 'YES-equivalent cash flow of the house, cents', labelNames: ['market'], registers: r }),
    pnlCents: new Gauge({ name: 'house_pnl_cents', help: 'House P&L if the market resolved now, by outcome, cents', labelNames: ['market', 'outcome'], registers: r }),
    requoteLatency: new Histogram({
      name: 'house_requote_latency_seconds',
      help: 'From a fill to the acknowledged new ladder',
      labelNames: ['market'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: r,
    }),
    commands: new Counter({ name: 'house_commands_total', help: 'Commands sent by the house maker', labelNames: ['kind'], registers: r }),
    requotes: new Counter({ name: 'house_requotes_total', help: 'Requotes by cause', labelNames: ['market', 'cause'], registers: r }),
    killed: new Gauge({ name: 'house_kill_switch', help: '1 when the kill switch stopped the maker', registers: r }),
  };
}

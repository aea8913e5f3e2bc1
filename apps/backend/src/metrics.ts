/**
 * Prometheus metrics (prom-client), one registry per runtime. Labels are low-cardinality:
 * route patterns (never raw URLs), status codes, kinds.
 */
import type { EngineStats } from '@prediction-markets/matching-engine';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  httpRequestsTotal: Counter<'method' | 'route' | 'status'>;
  websocketConnections: Gauge;
  websocketMessagesTotal: Counter<'direction' | 'event'>;
  ordersPlacedTotal: Counter<'type' | 'outcome' | 'side'>;
  tradesExecutedTotal: Counter<'kind'>;
  orderMatchingDuration: Histogram;
  databaseQueryDuration: Histogram<'operation'>;
  engineQueueDepth: Gauge;
  commandsPerTransaction: Histogram;
  batchFailuresTotal: Counter;
  queueRejectionsTotal: Counter;
  /** The engine's memory-holding structures (`MatchingEngine.stats()`), read on each scrape. */
  engineOpenOrders: Gauge;
  engineExpiryHeapEntries: Gauge;
  engineClientOrderIds: Gauge;
  /**
   * Where the engine gauges read from on a scrape: the running engine's `stats()`, or null
   * while there is none (starting, rebuilding). Unset: the gauges keep their last values.
   */
  setEngineStatsSource(source: () => EngineStats | null): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const r = [registry];
  let engineStats: (() => EngineStats | null) | null = null;
  /** A gauge of one `EngineStats` field, set from the engine when scraped. */
  const engineGauge = (name: string, help: string, field: keyof EngineStats): Gauge =>
    new Gauge({
      name,
      help,
      registers: r,
      collect() {
        const stats = engineStats?.() ?? null;
        if (stats !== null) this.set(stats[field]);
      },
    });
  return {
    setEngineStatsSource(source) {
      engineStats = source;
    },
    engineOpenOrders: engineGauge('engine_open_orders', 'Orders resting in the engine', 'openOrders'),
    engineExpiryHeapEntries: engineGauge('engine_expiry_heap_entries', "Entries of the engine's GTD expiry heap (the resting GTD orders)", 'expiryHeapEntries'),
    engineClientOrderIds: engineGauge(
      'engine_client_order_ids',
      'Client order ids the engine remembers (open orders and final ones inside the retention window)',
      'clientOrderIds',
    ),
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: r,
    }),
    httpRequestsTotal: new Counter({ name: 'http_requests_total', help: 'HTTP requests by route pattern and status', labelNames: ['method', 'route', 'status'], registers: r }),
    websocketConnections: new Gauge({ name: 'websocket_connections_total', help: 'Socket.IO connections currently open', registers: r }),
    websocketMessagesTotal: new Counter({ name: 'websocket_messages_total', help: 'Socket.IO messages by direction and event', labelNames: ['direction', 'event'], registers: r }),
    ordersPlacedTotal: new Counter({ name: 'orders_placed_total', help: 'Orders accepted by the engine', labelNames: ['type', 'outcome', 'side'], registers: r }),
    tradesExecutedTotal: new Counter({ name: 'trades_executed_total', help: 'Trades by kind (TRANSFER, MINT, MERGE)', labelNames: ['kind'], registers: r }),
    orderMatchingDuration: new Histogram({
      name: 'order_matching_duration_seconds',
      help: 'Engine time to execute one batch of commands',
      buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05],
      registers: r,
    }),
    databaseQueryDuration: new Histogram({
      name: 'database_query_duration_seconds',
      help: 'Database time by operation (batch commit, reads)',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: r,
    }),
    engineQueueDepth: new Gauge({ name: 'engine_queue_depth', help: 'Commands waiting for the single writer', registers: r }),
    commandsPerTransaction: new Histogram({
      name: 'engine_commands_per_transaction',
      help: 'Commands committed per database transaction (group commit)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: r,
    }),
    batchFailuresTotal: new Counter({ name: 'engine_batch_failures_total', help: 'Batches whose commit failed (engine restored from the database)', registers: r }),
    queueRejectionsTotal: new Counter({ name: 'engine_queue_rejections_total', help: "Commands refused with QUEUE_FULL because the writer's queue was full", registers: r }),
  };
}

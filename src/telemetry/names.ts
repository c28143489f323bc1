// Every metric and label name the monitor exports, in one place: instruments, rules and dashboards import them from here.

/** Prometheus metric type of a metric, as it appears in `# TYPE`. */
export type PrometheusType = 'counter' | 'gauge' | 'histogram';

/** What a metric is: its final Prometheus name, type, labels, unit and meaning. */
export interface MetricInfo {
  /** The name exactly as scraped from `/metrics` (counters carry `_total`). */
  readonly name: string;
  readonly type: PrometheusType;
  /** Labels besides the bot identity labels (`bot`, and `strategy` / `exchange` when set). */
  readonly labels: readonly string[];
  /** Unit of the value, in words (the base unit is also in the name where one applies). */
  readonly unit: string;
  readonly help: string;
}

/** Label names. */
export const Label = {
  SYMBOL: 'symbol',
  SIDE: 'side',
  LOOP: 'loop',
  STATUS: 'status',
  ERROR_TYPE: 'error_type',
  SEVERITY: 'severity',
  NAME: 'name',
  UNIT: 'unit',
  EVENT_TYPE: 'event_type',
  KIND: 'kind',
  SINK: 'sink',
  /** On `poseidon_label_overflow_total`: which label hit its cap (`symbol`, `loop` or `name`). */
  LABEL: 'label',
  VERSION: 'version',
  /** Bot identity, on every series (from POSEIDON_BOT_NAME, POSEIDON_STRATEGY, POSEIDON_EXCHANGE). */
  BOT: 'bot',
  STRATEGY: 'strategy',
  EXCHANGE: 'exchange',
} as const;

/** Values of the `status` label of loop executions. */
export const LoopStatus = { SUCCESS: 'success', FAILURE: 'failure' } as const;

/** The label value that stands for every symbol, loop or metric name beyond its cap. */
export const OTHER_LABEL_VALUE = '__other__';

/** Bucket upper bounds of `poseidon_trade_execution_seconds`: 1 ms … 10 s. */
export const EXECUTION_SECONDS_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Bucket upper bounds of `poseidon_trade_slippage_bps` (favourable slippage is recorded as 0). */
export const SLIPPAGE_BPS_BUCKETS: readonly number[] = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500];
/** Bucket upper bounds of `poseidon_loop_duration_seconds`: 10 ms … 5 min. */
export const LOOP_SECONDS_BUCKETS: readonly number[] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

const m = (name: string, type: PrometheusType, labels: readonly string[], unit: string, help: string): MetricInfo =>
  Object.freeze({ name, type, labels: Object.freeze([...labels]), unit, help });

const { SYMBOL, SIDE, LOOP, STATUS, ERROR_TYPE, SEVERITY, NAME, UNIT, EVENT_TYPE, KIND, SINK, LABEL, VERSION } = Label;

/** The monitor's own metrics (OpenTelemetry instruments), by key. */
export const METRICS = Object.freeze({
  trades: m('poseidon_trades_total', 'counter', [SYMBOL, SIDE], 'trades', 'Trades executed'),
  tradeVolume: m('poseidon_trade_volume_total', 'counter', [SYMBOL, SIDE], 'quote currency', 'Notional value traded (quantity × price)'),
  tradeFees: m('poseidon_trade_fees_total', 'counter', [SYMBOL], 'quote currency', 'Fees paid on trades'),
  tradeExecution: m('poseidon_trade_execution_seconds', 'histogram', [SYMBOL], 'seconds', 'Time from order to fill'),
  tradeSlippage: m(
    'poseidon_trade_slippage_bps',
    'histogram',
    [SYMBOL, SIDE],
    'basis points',
    'Adverse slippage of trades; favourable (negative) slippage is recorded as 0',
  ),
  realizedPnl: m(
    'poseidon_realized_pnl',
    'gauge',
    [SYMBOL],
    'quote currency',
    'Realized profit and loss since the monitor started (a running sum that goes down on losses)',
  ),
  accountBalance: m('poseidon_account_balance', 'gauge', [], 'quote currency', 'Account balance last given to updateAccountBalance'),
  unrealizedPnl: m(
    'poseidon_unrealized_pnl',
    'gauge',
    [SYMBOL],
    'quote currency',
    'Unrealized profit and loss of the open position at its last market price (0 when flat or not yet priced)',
  ),
  equity: m('poseidon_equity', 'gauge', [], 'quote currency', 'Account balance plus the unrealized P&L of every open position'),
  growthRatio: m(
    'poseidon_growth_ratio',
    'gauge',
    [],
    'ratio',
    'Account growth over the last full UTC hour ((closing − opening) / opening)',
  ),
  lastTrade: m(
    'poseidon_last_trade_timestamp_seconds',
    'gauge',
    [],
    'seconds since the Unix epoch',
    'Time of the last trade (absent before the first)',
  ),
  loopExecutions: m('poseidon_loop_executions_total', 'counter', [LOOP, STATUS], 'runs', 'Trading-loop runs finished, by outcome'),
  loopDuration: m('poseidon_loop_duration_seconds', 'histogram', [LOOP], 'seconds', 'Duration of trading-loop runs'),
  loopLastSuccess: m(
    'poseidon_loop_last_success_timestamp_seconds',
    'gauge',
    [LOOP],
    'seconds since the Unix epoch',
    'End time of the last successful run of the loop',
  ),
  loopsActive: m('poseidon_loops_active', 'gauge', [LOOP], 'runs', 'Runs of the loop in progress'),
  liquiditySpread: m(
    'poseidon_liquidity_spread_ratio',
    'gauge',
    [SYMBOL],
    'ratio',
    'Relative bid/ask spread of the last liquidity snapshot',
  ),
  liquidityBidSize: m('poseidon_liquidity_bid_size', 'gauge', [SYMBOL], 'base currency', 'Size at the best bid of the last snapshot'),
  liquidityAskSize: m('poseidon_liquidity_ask_size', 'gauge', [SYMBOL], 'base currency', 'Size at the best ask of the last snapshot'),
  liquidityDepth: m('poseidon_liquidity_market_depth', 'gauge', [SYMBOL], 'quote currency', 'Order-book depth of the last snapshot'),
  liquidityVolatility: m('poseidon_liquidity_volatility_24h_ratio', 'gauge', [SYMBOL], 'ratio', '24 h volatility of the last snapshot'),
  liquidityVolume: m('poseidon_liquidity_volume_24h', 'gauge', [SYMBOL], 'quote currency', '24 h traded volume of the last snapshot'),
  errors: m('poseidon_errors_total', 'counter', [ERROR_TYPE, SEVERITY], 'errors', 'Errors reported with logError'),
  performance: m(
    'poseidon_performance_metric',
    'gauge',
    [NAME, UNIT],
    'as given in the unit label',
    'Last value of each metric given to logPerformanceMetric',
  ),
  events: m('poseidon_events_total', 'counter', [EVENT_TYPE], 'events', 'Events recorded, by type'),
  callbackFailures: m('poseidon_callback_failures_total', 'counter', [KIND], 'failures', 'User callbacks that threw or rejected'),
  sinkFailures: m(
    'poseidon_sink_failures_total',
    'counter',
    [SINK],
    'failures',
    'Failures inside the monitor (store, telemetry, OTLP export, HTTP)',
  ),
  labelOverflow: m(
    'poseidon_label_overflow_total',
    'counter',
    [LABEL],
    'measurements',
    'Measurements recorded under __other__ because their label hit its cap',
  ),
  buildInfo: m('poseidon_build_info', 'gauge', [VERSION], '1', 'Always 1; the version of poseidon-monitor in the label'),
  dbSize: m('poseidon_db_size_bytes', 'gauge', [], 'bytes', 'Size of the history database on disk, WAL included'),
  storeWriteFailures: m('poseidon_store_write_failures_total', 'counter', [], 'flushes', 'History flushes that failed (each is retried)'),
  storeDroppedRows: m('poseidon_store_dropped_rows_total', 'counter', [], 'rows', 'History rows dropped because the write buffer was full'),
  storeRowsWritten: m('poseidon_store_rows_written_total', 'counter', [], 'rows', 'History rows written to storage'),
  storeBufferedRows: m('poseidon_store_buffered_rows', 'gauge', [], 'rows', 'History rows waiting in the write buffer'),
  storeFlushDuration: m('poseidon_store_flush_duration_seconds', 'gauge', [], 'seconds', 'Duration of the last successful history flush'),
  systemCpu: m(
    'poseidon_system_cpu_utilization_ratio',
    'gauge',
    [],
    'ratio',
    'Share of host CPU time busy over the last system metrics interval (system_cpu_percent ÷ 100)',
  ),
  systemMemoryUsed: m(
    'poseidon_system_memory_used_bytes',
    'gauge',
    [],
    'bytes',
    'Host memory in use (total − free) at the last system sample',
  ),
  systemMemoryUtilization: m(
    'poseidon_system_memory_utilization_ratio',
    'gauge',
    [],
    'ratio',
    'Share of host memory in use at the last system sample (system_memory_percent ÷ 100)',
  ),
  systemNetworkReceive: m(
    'poseidon_system_network_receive_bytes_total',
    'counter',
    [],
    'bytes',
    'Bytes received over every host interface but loopback, as the kernel counted them at the last system sample',
  ),
  systemNetworkTransmit: m(
    'poseidon_system_network_transmit_bytes_total',
    'counter',
    [],
    'bytes',
    'Bytes sent over every host interface but loopback, as the kernel counted them at the last system sample',
  ),
  systemProcesses: m('poseidon_system_processes', 'gauge', [], 'processes', 'Processes running on the host at the last system sample'),
  notificationsSent: m(
    'poseidon_notifications_sent_total',
    'counter',
    [],
    'notifications',
    'Webhook notifications delivered (one per notification and webhook)',
  ),
  notificationsFailed: m(
    'poseidon_notifications_failed_total',
    'counter',
    [],
    'notifications',
    'Webhook notifications given up after every attempt failed',
  ),
  notificationsDropped: m(
    'poseidon_notifications_dropped_total',
    'counter',
    [],
    'notifications',
    'Webhook notifications never sent: queue full, rate limit or shutdown',
  ),
} as const);

/** Key of a metric in {@link METRICS}. */
export type MetricKey = keyof typeof METRICS;

/** Prefix of the runtime metrics (prom-client default metrics) so they share the product prefix. */
export const RUNTIME_PREFIX = 'poseidon_';

/**
 * The main runtime metrics, as scraped (prom-client's default metrics with {@link RUNTIME_PREFIX}).
 * The full set also has per-type handle counts, heap spaces, event-loop lag percentiles and more.
 */
export const RUNTIME_METRICS = Object.freeze({
  cpuSeconds: 'poseidon_process_cpu_seconds_total',
  residentMemory: 'poseidon_process_resident_memory_bytes',
  openFds: 'poseidon_process_open_fds',
  startTime: 'poseidon_process_start_time_seconds',
  heapUsed: 'poseidon_nodejs_heap_size_used_bytes',
  heapTotal: 'poseidon_nodejs_heap_size_total_bytes',
  eventLoopLag: 'poseidon_nodejs_eventloop_lag_seconds',
  eventLoopLagP99: 'poseidon_nodejs_eventloop_lag_p99_seconds',
  activeHandles: 'poseidon_nodejs_active_handles',
  gcDuration: 'poseidon_nodejs_gc_duration_seconds',
} as const);

/**
 * prom-client default metrics left out of the exposition: gauges whose names end in `_total`,
 * which `promtool check metrics` rejects (the per-type gauges without `_total` stay).
 */
export const DROPPED_RUNTIME_METRICS: readonly string[] = [
  'poseidon_nodejs_active_handles_total',
  'poseidon_nodejs_active_requests_total',
  'poseidon_nodejs_active_resources_total',
];

/** UCUM units (what OTLP carries) of the {@link MetricInfo.unit} words; a count of things is an annotation like `{trade}`. */
const UCUM: Readonly<Record<string, string>> = {
  seconds: 's',
  'seconds since the Unix epoch': 's',
  bytes: 'By',
  ratio: '1',
  '1': '1',
  'basis points': '{bp}',
  processes: '{process}',
  'as given in the unit label': '{value}',
};

/** A metric's unit as OTLP sends it (UCUM). */
export function otlpUnit(info: MetricInfo): string {
  return UCUM[info.unit] ?? `{${info.unit.replace(/s$/, '').replace(/ /g, '_')}}`;
}

// MonitoringSystem: the facade a bot calls. Validates input, builds one frozen event, derives what follows from it, and publishes them.

import type { Logger as PinoLogger } from 'pino';
import type { ApiHandlers } from './analytics/ApiHandlers.js';
import type { DashboardData } from './analytics/DashboardData.js';
import type {
  DashboardSummary,
  HourlyReport,
  PerformanceDashboard,
  RealTimeMetrics,
  TradingDashboard,
} from './analytics/dashboardTypes.js';
import type { Position } from './analytics/PnlLedger.js';
import { MonitoringConfig, type MonitoringConfigOptions } from './config/MonitoringConfig.js';
import { ValidationError } from './errors.js';
import {
  buildError,
  buildLiquidity,
  buildLoopExecution,
  buildPerformance,
  buildProfitLoss,
  buildSystemEvent,
  buildTrade,
  type ErrorOptions,
  type LiquidityInput,
  type LoopEndOptions,
  newId,
  parseLoopEnd,
  type TradeInput,
} from './events/build.js';
import type { EventSink } from './events/EventSink.js';
import type { RecentEvents, RecentEventsQuery } from './events/RecentEvents.js';
import type { ErrorEvent, LiquidityEvent, LoopExecutionEvent, MonitorEvent, PerformanceEvent, TradeEvent } from './events/types.js';
import { Diagnostics } from './internal/Diagnostics.js';
import { copyAdditionalData, optionalObject, requireAmount, requireName, requirePositive } from './internal/validate.js';
import type { MonitoringLogger } from './logging/MonitoringLogger.js';
import { buildMonitor, type MonitorParts } from './monitor/buildMonitor.js';
import { type Callback, CallbackList } from './monitor/CallbackList.js';
import type { LoopRun } from './monitor/LoopRuns.js';
import type { SystemHealth } from './monitor/MonitorHealth.js';
import { MonitorState, type UnrealizedPnl } from './monitor/MonitorState.js';
import { resumeFromHistory } from './monitor/resumeFromHistory.js';
import { type LoopStartOptions, trackLoop } from './monitor/trackLoop.js';
import type { WebhookNotifier } from './notify/WebhookNotifier.js';
import type { DatabaseStats, HistoryStore } from './store/HistoryStore.js';
import type { MetricsCollector } from './store/MetricsCollector.js';
import type { SystemMetrics } from './system/SystemMetrics.js';
import type { Telemetry } from './telemetry/Telemetry.js';

export type { RecentEventsQuery } from './events/RecentEvents.js';
export type { LoopRun } from './monitor/LoopRuns.js';
export type { SystemHealth } from './monitor/MonitorHealth.js';
export type { UnrealizedPnl } from './monitor/MonitorState.js';
export type { LoopStartOptions } from './monitor/trackLoop.js';

/**
 * The monitor. Create one per bot, `await start()`, call the `log…` methods from the trading code,
 * and `await stop()` (or `await using`) to flush. Invalid arguments throw {@link ValidationError}
 * and record nothing; a failing sink or callback never throws into the caller.
 */
export class MonitoringSystem {
  readonly config: MonitoringConfig;
  /** The recent events: queries over the in-memory ring (the durable history is in `metricsCollector`). */
  readonly recentEvents: RecentEvents;
  /** @internal counters of the monitor's own failures */
  readonly diagnostics = new Diagnostics();
  /** @internal webhook notifications, when POSEIDON_WEBHOOK_URLS is set */
  readonly notifier: WebhookNotifier | null;
  /** @internal the history sink (buffer, batched writer, backend) */
  readonly store: HistoryStore;
  /** Queries over stored history (trades, metrics, growth, loops, errors) and retention. */
  readonly metricsCollector: MetricsCollector;
  /** @internal OpenTelemetry instruments behind /metrics and the OTLP export */
  readonly telemetry: Telemetry;
  /** The dashboard views (summary, trading, performance, real time, hourly report, export). */
  readonly dashboardData: DashboardData;
  /** @internal the JSON API served under /api/ */
  readonly api: ApiHandlers;
  /** CPU, memory, network, database size and processes every `metricsIntervalSeconds`; null when off. */
  readonly systemMetrics: SystemMetrics | null;

  private readonly state: MonitorState;
  private readonly parts: MonitorParts;
  private readonly onTrade: CallbackList<TradeEvent>;
  private readonly onError: CallbackList<ErrorEvent>;
  private readonly onPerformance: CallbackList<PerformanceEvent>;
  private stopping: Promise<void> | null = null;

  constructor(config: MonitoringConfig | MonitoringConfigOptions = MonitoringConfig.fromEnv()) {
    this.config = config instanceof MonitoringConfig ? config : new MonitoringConfig(config);
    this.state = new MonitorState(this.config.clock);
    const parts = buildMonitor(this.config, this.state, this.diagnostics);
    this.parts = parts;
    ({ recentEvents: this.recentEvents, notifier: this.notifier, store: this.store, telemetry: this.telemetry, api: this.api } = parts);
    ({ metricsCollector: this.metricsCollector, dashboardData: this.dashboardData, systemMetrics: this.systemMetrics } = parts);
    const clock = this.config.clock;
    this.onTrade = new CallbackList('trade', this.diagnostics, clock);
    this.onError = new CallbackList('error', this.diagnostics, clock);
    this.onPerformance = new CallbackList('performance', this.diagnostics, clock);
  }

  /**
   * A pino logger writing the bot's own lines to the monitor's log outputs, in its format, at its
   * level, secret-named fields redacted: `monitor.pino.info({ orderId }, 'order placed')`.
   */
  get pino(): PinoLogger {
    return this.parts.logSink.pino;
  }

  /** @deprecated the ring's queries are `recentEvents`, the bot's pino logger is `pino`. */
  get logger(): MonitoringLogger {
    return this.parts.logger;
  }

  /** True between `start()` and `stop()`. */
  get isRunning(): boolean {
    return this.state.running;
  }

  /**
   * The server's base URL, `http://host:port`, once started (the real port when port 0 was asked); `/healthz`
   * and `/api/*` hang off it. Null when the server is off or stopped.
   */
  get baseUrl(): string | null {
    return this.parts.http?.url ?? null;
  }

  /** The URL of the Prometheus endpoint, `http://host:port/metrics`, once started; null when the server is off or stopped. */
  get metricsUrl(): string | null {
    const base = this.baseUrl;
    return base === null ? null : `${base}/metrics`;
  }

  /** The last balance given to `updateAccountBalance`, or null. */
  get accountBalance(): number | null {
    return this.state.balance;
  }

  /** Milliseconds since the epoch, from the configured clock. */
  now(): number {
    return this.config.clock.now();
  }

  /** @internal Adds a destination for every event, after the built-in sinks. */
  addSink(sink: EventSink): void {
    this.parts.pipeline.add(sink);
  }

  /**
   * Opens the HTTP server and every sink (files, database, threads). Calling it twice is harmless.
   * When anything fails to open, everything opened so far is released before the error is thrown.
   */
  async start(): Promise<void> {
    if (this.state.running) return;
    await this.parts.lifecycle.start();
    resumeFromHistory(this.store, this.state, this.parts.growth, this.diagnostics, this.config.clock);
    this.state.running = true;
    this.stopping = null;
    this.state.startedAt = this.now();
    this.parts.pipeline.publish(buildSystemEvent('monitor_started', 'monitoring system started', null, this.state.startedAt));
  }

  /** Makes everything recorded before the call durable, or rejects with a {@link FlushError} counting what is not. */
  flush(): Promise<void> {
    return this.parts.pipeline.flush();
  }

  /** Flushes and closes every sink, then rejects with a {@link FlushError} if records were lost. Safe to call twice. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = this.doStop();
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async doStop(): Promise<void> {
    if (this.state.running) {
      const data = { uptimeSeconds: this.state.uptimeSeconds() };
      this.parts.pipeline.publish(buildSystemEvent('monitor_stopped', 'monitoring system stopped', data, this.now()));
    }
    this.state.running = false;
    await this.parts.lifecycle.stop();
  }

  // ── recording ──────────────────────────────────────────────────────────────

  /**
   * Records a trade and returns it, with `notionalValue` computed and `executionId` generated when
   * not given. Throws {@link ValidationError} (recording nothing) on invalid input. With trade
   * tracking disabled the trade is validated and returned but not recorded.
   */
  logTrade(trade: TradeInput): TradeEvent {
    const event = buildTrade(trade, this.now());
    if (this.config.enableTradeTracking) {
      // The ledger first: a trade it refuses (figures beyond a double's range) reaches no sink.
      const result = this.state.ledger.apply(event);
      const pnl =
        result.closedQuantity > 0 || event.pnl !== null
          ? buildProfitLoss({
              timestamp: event.timestamp,
              symbol: event.symbol,
              executionId: event.executionId,
              realizedPnl: result.realizedPnl,
              positionQuantity: result.position.quantity,
              averageCost: result.position.averageCost,
              cumulativeRealizedPnl: result.position.realizedPnl,
            })
          : null;
      this.parts.pipeline.publish(event, pnl);
      this.onTrade.call(event);
    }
    return event;
  }

  /** Records a named measurement such as `api_response_time` 120.5 `milliseconds`. */
  logPerformanceMetric(
    metricName: string,
    value: number,
    unit?: string,
    tags?: Record<string, string | number | boolean>,
  ): PerformanceEvent {
    const event = buildPerformance(metricName, value, unit, tags, this.now());
    if (this.config.enablePerformanceMonitoring) {
      this.parts.pipeline.publish(event);
      this.onPerformance.call(event);
    }
    return event;
  }

  /** Records a liquidity snapshot of one market. */
  logLiquidityAnalysis(snapshot: LiquidityInput): LiquidityEvent {
    const event = buildLiquidity(snapshot, this.now());
    // The mid price marks open positions to market; checked by the ledger before anything is recorded.
    if (event.bidPrice !== null && event.askPrice !== null) this.state.ledger.mark(event.symbol, (event.bidPrice + event.askPrice) / 2);
    if (this.config.enableLiquidityTracking) this.parts.pipeline.publish(event);
    return event;
  }

  /** Marks a symbol's open position to market at `price` (for unrealized P&L and equity). */
  updateMarketPrice(symbol: string, price: number): void {
    const name = requireName('symbol', symbol);
    this.state.ledger.mark(name, requirePositive('price', price));
  }

  /**
   * Unrealized P&L of every open position at the last market price given for its symbol
   * (`updateMarketPrice`, or the mid of a liquidity snapshot with bid and ask prices). Positions
   * without a price yet are listed with `markPrice: null` and count 0.
   */
  getUnrealizedPnl(): UnrealizedPnl {
    return this.state.unrealizedPnl();
  }

  /** Account balance plus unrealized P&L; null before the first balance. */
  get equity(): number | null {
    return this.state.equity();
  }

  /**
   * Records an error. `message` may be an `Error` (its stack is kept). A `critical` severity
   * takes the critical-alert path (CRITICAL log line, error callbacks, the critical error metric).
   */
  logError(message: string | Error, options: ErrorOptions = {}): ErrorEvent {
    const event = buildError(message, options, this.now());
    if (this.config.enableErrorTracking) {
      this.parts.pipeline.publish(event);
      this.onError.call(event);
    }
    return event;
  }

  /** Marks the start of a loop run; returns the run (its `executionId` ends it). */
  startLoopExecution(loopName: string, options: LoopStartOptions = {}): LoopRun {
    const name = requireName('loopName', loopName);
    const o = optionalObject('options', options);
    const executionId = o.executionId === undefined ? newId() : requireName('executionId', o.executionId);
    const startData = copyAdditionalData('additionalData', o.additionalData);
    return this.state.loops.start(name, executionId, this.now(), startData);
  }

  /**
   * Ends a loop run (the one with `options.executionId`, else the most recent of `loopName`) and
   * records it. Ending a loop that is not running throws {@link ValidationError}.
   */
  endLoopExecution(loopName: string, options: LoopEndOptions = {}): LoopExecutionEvent {
    const name = requireName('loopName', loopName);
    const end = parseLoopEnd(options);
    const run = this.state.loops.end(name, end.executionId);
    const event = buildLoopExecution(name, run.executionId, run.startTime, end, this.now(), run.startData);
    if (this.config.enableLoopMonitoring) this.parts.pipeline.publish(event);
    return event;
  }

  /**
   * Runs `body` as one execution of `loopName`: started before, ended after, a failure recorded
   * with its error (a `loop_error`) and re-thrown. Returns what `body` returns.
   */
  trackLoop<T>(loopName: string, body: (run: LoopRun) => Promise<T> | T, options: LoopStartOptions = {}): Promise<T> {
    return trackLoop(this, loopName, body, options);
  }

  /** Sets the account balance (quote currency) used by growth tracking and the balance gauge. */
  updateAccountBalance(balance: number): void {
    const value = requireAmount('balance', balance);
    const previous = this.state.balance;
    this.state.balance = value;
    this.parts.pipeline.publish(
      buildSystemEvent('balance_updated', 'account balance updated', { balance: value, previousBalance: previous }, this.now()),
    );
  }

  // ── dashboards ─────────────────────────────────────────────────────────────

  /** Status, 24 h trades, volume, P&L, growth and errors, balance and active loops. Requires `start()`. */
  getDashboardSummary(): DashboardSummary {
    return this.dashboardData.getDashboardSummary();
  }

  /** Recent trades, trading statistics and hourly growth over the last `hours` (default 24). */
  getTradingDashboard(options: { hours?: number } = {}): TradingDashboard {
    return this.dashboardData.getTradingDashboard(options);
  }

  /** Loop performance, error rates and resource use over the last `hours` (default 24). */
  getPerformanceDashboard(options: { hours?: number } = {}): PerformanceDashboard {
    return this.dashboardData.getPerformanceDashboard(options);
  }

  /** Events per minute, trades and error rate of the last hour, active loops and balance. */
  getRealTimeMetrics(): RealTimeMetrics {
    return this.dashboardData.getRealTimeMetrics();
  }

  /** The report of one UTC hour (Date, epoch ms or `YYYY-MM-DDTHH`); by default the last full hour. */
  getHourlyReport(hour?: Date | number | string): HourlyReport {
    return this.dashboardData.getHourlyReport(hour);
  }

  /** Every view above in one document, as JSON or CSV sections, with a `schemaVersion`. */
  exportDashboardData(format: 'json' | 'csv' = 'json'): string {
    return this.dashboardData.exportDashboardData(format);
  }

  // ── callbacks ──────────────────────────────────────────────────────────────

  /** Calls `callback` with every recorded trade. Returns a function that removes it. */
  addTradeCallback(callback: Callback<TradeEvent>): () => void {
    return this.onTrade.add(callback);
  }

  /** Calls `callback` with every recorded error. Returns a function that removes it. */
  addErrorCallback(callback: Callback<ErrorEvent>): () => void {
    return this.onError.add(callback);
  }

  /** Calls `callback` with every recorded performance metric. Returns a function that removes it. */
  addPerformanceCallback(callback: Callback<PerformanceEvent>): () => void {
    return this.onPerformance.add(callback);
  }

  // ── queries ────────────────────────────────────────────────────────────────

  /** @deprecated use `recentEvents.query(query)`. */
  getRecentEvents(query: RecentEventsQuery = {}): MonitorEvent[] {
    return this.recentEvents.query(query);
  }

  /** Open positions and realized P&L per symbol, from the average-cost ledger of trades logged since start. */
  getPositions(): Position[] {
    return this.state.ledger.positionsList();
  }

  /** Realized P&L of the trades in the ledger: those logged since start and, with SQLite history, this bot's stored trades. */
  get totalRealizedPnl(): number {
    return this.state.ledger.totalRealizedPnl;
  }

  /** Rows per history table (unflushed rows included) and the database size on disk. */
  getDatabaseStats(): DatabaseStats {
    return this.metricsCollector.getDatabaseStats();
  }

  /** Runs currently in progress, oldest first. */
  getActiveExecutions(): LoopRun[] {
    return this.state.activeLoops();
  }

  getSystemHealth(): SystemHealth {
    return this.parts.health.report();
  }
}

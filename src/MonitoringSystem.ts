// MonitoringSystem: the facade a bot calls. Validates input, builds one frozen event, fans it out.

import { ApiHandlers } from './analytics/ApiHandlers.js';
import { DashboardData } from './analytics/DashboardData.js';
import { DayWindow } from './analytics/DayWindow.js';
import type {
  DashboardSummary,
  HourlyReport,
  PerformanceDashboard,
  RealTimeMetrics,
  TradingDashboard,
} from './analytics/dashboardTypes.js';
import { GrowthTracker, hourStartOf } from './analytics/GrowthTracker.js';
import { PnlLedger, type Position } from './analytics/PnlLedger.js';
import { RateCounter } from './analytics/RateCounter.js';
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
  describeThrown,
  type ErrorOptions,
  type LiquidityInput,
  type LoopEndOptions,
  newId,
  parseLoopEnd,
  type TradeInput,
} from './events/build.js';
import { EventLog } from './events/EventLog.js';
import type { EventSink } from './events/EventSink.js';
import {
  type AdditionalData,
  type ErrorEvent,
  ErrorType,
  EventType,
  type LiquidityMetric,
  type LoopExecutionMetric,
  type MonitorEvent,
  type PerformanceMetric,
  type TradeMetric,
} from './events/types.js';
import { HttpServer } from './http/HttpServer.js';
import { addMonitorRoutes } from './http/monitorRoutes.js';
import { type CallbackKind, Diagnostics } from './internal/Diagnostics.js';
import { copyAdditionalData, optionalObject, requireAmount, requireName, requirePositive } from './internal/validate.js';
import { LogSink } from './logging/LogSink.js';
import { MonitoringLogger } from './logging/MonitoringLogger.js';
import { WebhookNotifier } from './notify/WebhookNotifier.js';
import { createHistoryStore } from './store/createHistoryStore.js';
import type { DatabaseStats, HistoryStore } from './store/HistoryStore.js';
import { MetricsCollector } from './store/MetricsCollector.js';
import { Telemetry } from './telemetry/Telemetry.js';

/** Options of `startLoopExecution`. */
export interface LoopStartOptions {
  /** @default a generated UUID */
  executionId?: string;
  additionalData?: Record<string, unknown>;
}

/** A run of a loop in progress, as handed to the function given to `trackLoop`. */
export interface LoopRun {
  readonly loopName: string;
  readonly executionId: string;
  readonly startTime: number;
  /** Set by the loop body; reported when the run ends. */
  tradesExecuted: number;
}

/** What `getUnrealizedPnl()` reports. */
export interface UnrealizedPnl {
  readonly total: number;
  readonly bySymbol: readonly {
    readonly symbol: string;
    readonly quantity: number;
    readonly averageCost: number;
    readonly markPrice: number | null;
    readonly unrealizedPnl: number;
  }[];
}

/** Query of `getRecentEvents`. */
export interface RecentEventsQuery {
  /** @default 100 */
  limit?: number;
  eventType?: EventType | `${EventType}`;
  since?: Date | number;
}

/** What `getSystemHealth()` reports. */
export interface SystemHealth {
  readonly monitoringSystemRunning: boolean;
  readonly startedAt: string | null;
  readonly uptimeSeconds: number;
  readonly activeExecutions: number;
  readonly activeLoops: readonly string[];
  readonly eventsRecorded: number;
  readonly eventLogSize: number;
  readonly eventLogCapacity: number;
  readonly accountBalance: number | null;
  readonly callbackFailures: number;
  readonly sinkFailures: number;
  readonly lastFailure: { readonly at: string; readonly where: string; readonly message: string } | null;
  readonly memory: { readonly rssBytes: number; readonly heapUsedBytes: number };
}

type Callback<T> = (event: T) => unknown;

interface ActiveRun extends LoopRun {
  readonly startData: AdditionalData | null;
}

const EVENT_TYPES = Object.values(EventType) as string[];

/**
 * The monitor. Create one per bot, `await start()`, call the `log…` methods from the trading code,
 * and `await stop()` (or `await using`) to flush. Invalid arguments throw {@link ValidationError}
 * and record nothing; a failing sink or callback never throws into the caller.
 */
export class MonitoringSystem {
  readonly config: MonitoringConfig;
  /** Queries over the in-memory ring of recent events. */
  readonly logger: MonitoringLogger;
  /** @internal counters of the monitor's own failures */
  readonly diagnostics = new Diagnostics();

  private readonly eventLog: EventLog;
  private readonly sinks: EventSink[] = [];
  private readonly active = new Map<string, ActiveRun[]>();
  private activeCount = 0;
  private readonly tradeCallbacks: Callback<TradeMetric>[] = [];
  private readonly errorCallbacks: Callback<ErrorEvent>[] = [];
  private readonly performanceCallbacks: Callback<PerformanceMetric>[] = [];
  private running = false;
  private stopping: Promise<void> | null = null;
  private startedAt: number | null = null;
  private balance: number | null = null;
  private readonly ledger = new PnlLedger();
  private readonly marks = new Map<string, number>();
  /** @internal hourly growth, when enabled */
  readonly growth: GrowthTracker | null = null;
  /** @internal webhook notifications, when POSEIDON_WEBHOOK_URLS is set */
  readonly notifier: WebhookNotifier | null = null;
  /** @internal the history sink (buffer, batched writer, backend); telemetry reads `store.stats()` */
  readonly store: HistoryStore;
  /** Queries over stored history (trades, metrics, growth, loops, errors) and retention. */
  readonly metricsCollector: MetricsCollector;
  /** @internal OpenTelemetry instruments behind /metrics and the OTLP export */
  readonly telemetry: Telemetry;
  /** @internal the HTTP server (/metrics, /healthz, /api/*); null when POSEIDON_METRICS_SERVER is off */
  readonly http: HttpServer | null = null;
  /** @internal events, trades and errors per minute over the last hour */
  readonly rates = new RateCounter();
  /** @internal trade and error totals per minute of the last day */
  readonly day = new DayWindow();
  private daySeeded = false;
  /** The dashboard views (summary, trading, performance, real time, hourly report, export). */
  readonly dashboardData: DashboardData;
  /** @internal the JSON API served under /api/ */
  readonly api: ApiHandlers;

  constructor(config: MonitoringConfig | MonitoringConfigOptions = MonitoringConfig.fromEnv()) {
    this.config = config instanceof MonitoringConfig ? config : new MonitoringConfig(config);
    this.eventLog = new EventLog(this.config.maxDataPoints);
    const logSink = new LogSink({ config: this.config, onError: (error) => this.diagnostics.sinkFailed('logs', error, this.now()) });
    this.logger = new MonitoringLogger(this.eventLog, logSink);
    if (logSink.hasOutputs) {
      // First of all, so it is stopped last and logs what the other sinks report while stopping.
      this.addSink(logSink);
      this.diagnostics.onFailure((where, error) => logSink.recordDiagnostic(where, error, this.now()));
    }
    // Added early, so it is stopped late and writes what the others emit while stopping.
    this.store = createHistoryStore(this.config, (error) => this.diagnostics.sinkFailed('store', error, this.now()));
    this.addSink(this.store);
    this.metricsCollector = new MetricsCollector(this.store, this.config.clock, (event) => this.emit(event));
    if (this.config.enableHourlyGrowth) {
      this.growth = new GrowthTracker(
        this.config.clock,
        (row) => this.emit(row),
        () => this.equity,
      );
      this.addSink(this.growth);
    }
    const webhooks = this.config.webhookTargets;
    if (webhooks.length > 0) {
      this.notifier = new WebhookNotifier(
        webhooks,
        { hourlyReports: this.config.enableHourlyNotifications, criticalErrors: this.config.enableCriticalAlerts },
        (target, message) => this.diagnostics.sinkFailed('notifier', new Error(`webhook ${target} failed: ${message}`), this.now()),
      );
      this.addSink(this.notifier);
    }
    this.addSink(this.rates);
    this.addSink(this.day);
    this.dashboardData = new DashboardData({
      clock: this.config.clock,
      queries: () => {
        if (!this.store.isRunning) throw new Error('the dashboards read the history store: call monitor.start() first');
        return this.store.analytics();
      },
      rates: this.rates,
      day: this.day,
      seedDay: () => this.seedDayWindow(),
      growth: this.growth,
      state: () => ({
        running: this.running,
        uptimeSeconds: this.uptimeSeconds(),
        activeExecutions: this.activeCount,
        accountBalance: this.balance,
        unrealizedPnl: this.getUnrealizedPnl().total,
        equity: this.equity,
      }),
      storeStats: () => this.store.stats(),
    });
    this.api = new ApiHandlers({
      dashboards: this.dashboardData,
      health: () => this.getSystemHealth(),
      recentEvents: (query) => this.getRecentEvents(query),
    });
    this.telemetry = new Telemetry(this.config, {
      accountBalance: () => this.balance,
      activeLoops: () => this.getActiveExecutions(),
      unrealizedPnl: () => this.getUnrealizedPnl().bySymbol,
      equity: () => this.equity,
      notifications: () => this.notifier?.stats ?? null,
      diagnostics: this.diagnostics,
    });
    this.telemetry.observeStore(() => this.store.stats());
    this.addSink(this.telemetry);
    if (this.config.enableMetricsServer) {
      const { metricsHost: host, metricsPort: port, apiToken } = this.config;
      const onError = (error: unknown) => this.diagnostics.sinkFailed('http', error, this.now());
      this.http = addMonitorRoutes(new HttpServer({ host, port, apiToken, onError }), () => this.telemetry.scrapeBytes()).routePrefix(
        '/api/',
        (request) => this.api.handle(request.pathname, request.query),
      );
    }
  }

  /** True between `start()` and `stop()`. */
  get isRunning(): boolean {
    return this.running;
  }

  /**
   * The server's base URL, `http://host:port`, once started (the real port when port 0 was asked); `/healthz`
   * and `/api/*` hang off it. Null when the server is off or stopped.
   */
  get baseUrl(): string | null {
    return this.http?.url ?? null;
  }

  /** The URL of the Prometheus endpoint, `http://host:port/metrics`, once started; null when the server is off or stopped. */
  get metricsUrl(): string | null {
    const base = this.baseUrl;
    return base === null ? null : `${base}/metrics`;
  }

  /** The last balance given to `updateAccountBalance`, or null. */
  get accountBalance(): number | null {
    return this.balance;
  }

  /** Milliseconds since the epoch, from the configured clock. */
  now(): number {
    return this.config.clock.now();
  }

  /** @internal Adds a destination for every event; used by the built-in sinks. */
  addSink(sink: EventSink): void {
    this.sinks.push(sink);
  }

  /** Opens every sink (files, database, HTTP server). Calling it twice is harmless. */
  async start(): Promise<void> {
    if (this.running) return;
    // First, so a port already in use fails start() before any sink has opened anything.
    await this.http?.start();
    for (const sink of this.sinks) await sink.start?.();
    this.restorePositions();
    this.resumeGrowthHour();
    this.dashboardData.start();
    this.running = true;
    this.stopping = null;
    this.startedAt = this.now();
    this.emit(buildSystemEvent('monitor_started', 'monitoring system started', null, this.startedAt));
  }

  /** Makes everything recorded so far durable in every sink. */
  async flush(): Promise<void> {
    for (const sink of this.sinks) {
      try {
        await sink.flush?.();
      } catch (error) {
        this.diagnostics.sinkFailed(sink.name, error, this.now());
      }
    }
  }

  /** Flushes and closes every sink. Safe to call twice; the second call waits for the first. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = this.doStop();
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async doStop(): Promise<void> {
    if (this.running) {
      this.emit(buildSystemEvent('monitor_stopped', 'monitoring system stopped', { uptimeSeconds: this.uptimeSeconds() }, this.now()));
    }
    this.running = false;
    this.dashboardData.stop();
    // Before the sinks: telemetry cannot be scraped once its meter provider is shut down.
    await this.http?.stop();
    for (const sink of [...this.sinks].reverse()) {
      try {
        await sink.stop?.();
      } catch (error) {
        this.diagnostics.sinkFailed(sink.name, error, this.now());
      }
    }
  }

  // ── recording ──────────────────────────────────────────────────────────────

  /**
   * Records a trade and returns it, with `notionalValue` computed and `executionId` generated when
   * not given. Throws {@link ValidationError} (recording nothing) on invalid input. With trade
   * tracking disabled the trade is validated and returned but not recorded.
   */
  logTrade(trade: TradeInput): TradeMetric {
    const event = buildTrade(trade, this.now());
    if (this.config.enableTradeTracking) {
      // The ledger first: a trade it refuses (figures beyond a double's range) reaches no sink.
      const result = this.ledger.apply(event);
      this.emit(event);
      if (result.closedQuantity > 0 || event.pnl !== null) {
        this.emit(
          buildProfitLoss({
            timestamp: event.timestamp,
            symbol: event.symbol,
            executionId: event.executionId,
            realizedPnl: result.realizedPnl,
            positionQuantity: result.position.quantity,
            averageCost: result.position.averageCost,
            cumulativeRealizedPnl: result.position.realizedPnl,
          }),
        );
      }
      this.notify('trade', this.tradeCallbacks, event);
    }
    return event;
  }

  /** Records a named measurement such as `api_response_time` 120.5 `milliseconds`. */
  logPerformanceMetric(
    metricName: string,
    value: number,
    unit?: string,
    tags?: Record<string, string | number | boolean>,
  ): PerformanceMetric {
    const event = buildPerformance(metricName, value, unit, tags, this.now());
    if (this.config.enablePerformanceMonitoring) {
      this.emit(event);
      this.notify('performance', this.performanceCallbacks, event);
    }
    return event;
  }

  /** Records a liquidity snapshot of one market. */
  logLiquidityAnalysis(snapshot: LiquidityInput): LiquidityMetric {
    const event = buildLiquidity(snapshot, this.now());
    // The mid price marks open positions to market; checked by the ledger before anything is recorded.
    const mid =
      event.bidPrice !== null && event.askPrice !== null ? this.ledger.mark(event.symbol, (event.bidPrice + event.askPrice) / 2) : null;
    if (this.config.enableLiquidityTracking) this.emit(event);
    if (mid !== null) this.marks.set(event.symbol, mid);
    return event;
  }

  /** Marks a symbol's open position to market at `price` (for unrealized P&L and equity). */
  updateMarketPrice(symbol: string, price: number): void {
    const name = requireName('symbol', symbol);
    this.marks.set(name, this.ledger.mark(name, requirePositive('price', price)));
  }

  /**
   * Unrealized P&L of every open position at the last market price given for its symbol
   * (`updateMarketPrice`, or the mid of a liquidity snapshot with bid and ask prices). Positions
   * without a price yet are listed with `markPrice: null` and count 0.
   */
  getUnrealizedPnl(): UnrealizedPnl {
    let total = 0;
    const bySymbol = [];
    for (const p of this.ledger.positionsList()) {
      if (p.quantity === 0) continue;
      const mark = this.marks.get(p.symbol) ?? null;
      const unrealizedPnl = mark === null ? 0 : this.ledger.unrealizedPnl(p.symbol, mark);
      total += unrealizedPnl;
      bySymbol.push({ symbol: p.symbol, quantity: p.quantity, averageCost: p.averageCost, markPrice: mark, unrealizedPnl });
    }
    return { total, bySymbol };
  }

  /** Account balance plus unrealized P&L; null before the first balance. */
  get equity(): number | null {
    return this.balance === null ? null : this.balance + this.getUnrealizedPnl().total;
  }

  /**
   * Records an error. `message` may be an `Error` (its stack is kept). A `critical` severity
   * takes the critical-alert path (CRITICAL log line, error callbacks, the critical error metric).
   */
  logError(message: string | Error, options: ErrorOptions = {}): ErrorEvent {
    const event = buildError(message, options, this.now());
    if (this.config.enableErrorTracking) {
      this.emit(event);
      this.notify('error', this.errorCallbacks, event);
    }
    return event;
  }

  /** Marks the start of a loop run; returns the run (its `executionId` ends it). */
  startLoopExecution(loopName: string, options: LoopStartOptions = {}): LoopRun {
    const name = requireName('loopName', loopName);
    const o = optionalObject('options', options);
    const executionId = o.executionId === undefined ? newId() : requireName('executionId', o.executionId);
    const startData = copyAdditionalData('additionalData', o.additionalData);
    const runs = this.active.get(name);
    if (runs?.some((r) => r.executionId === executionId)) {
      throw new ValidationError('executionId', executionId, `an id not already running for loop ${JSON.stringify(name)}`);
    }
    const run: ActiveRun = { loopName: name, executionId, startTime: this.now(), tradesExecuted: 0, startData };
    if (runs) runs.push(run);
    else this.active.set(name, [run]);
    this.activeCount++;
    return run;
  }

  /**
   * Ends a loop run (the one with `options.executionId`, else the most recent of `loopName`) and
   * records it. Ending a loop that is not running throws {@link ValidationError}.
   */
  endLoopExecution(loopName: string, options: LoopEndOptions = {}): LoopExecutionMetric {
    const name = requireName('loopName', loopName);
    const end = parseLoopEnd(options);
    const runs = this.active.get(name);
    if (!runs || runs.length === 0) {
      throw new ValidationError('loopName', loopName, 'the name of a loop started with startLoopExecution and not yet ended');
    }
    let index = runs.length - 1;
    if (end.executionId !== null) {
      index = runs.findIndex((r) => r.executionId === end.executionId);
      if (index < 0)
        throw new ValidationError('executionId', end.executionId, `the id of a running execution of loop ${JSON.stringify(name)}`);
    }
    const run = runs[index]!;
    const event = buildLoopExecution(name, run.executionId, run.startTime, end, this.now(), run.startData);
    runs.splice(index, 1);
    if (runs.length === 0) this.active.delete(name);
    this.activeCount--;
    if (this.config.enableLoopMonitoring) this.emit(event);
    return event;
  }

  /**
   * Runs `body` as one execution of `loopName`: started before, ended after, a failure recorded
   * with its error (a `loop_error`) and re-thrown. Returns what `body` returns.
   */
  async trackLoop<T>(loopName: string, body: (run: LoopRun) => Promise<T> | T, options: LoopStartOptions = {}): Promise<T> {
    if (typeof body !== 'function') throw new ValidationError('body', body, 'a function');
    const run = this.startLoopExecution(loopName, options);
    let result: T;
    const validTrades = () => Number.isSafeInteger(run.tradesExecuted) && run.tradesExecuted >= 0;
    try {
      result = await body(run);
    } catch (error) {
      // Recording the failure is best effort: whatever goes wrong there, the bot gets its own error back.
      try {
        const message = describeThrown(error);
        this.endLoopExecution(run.loopName, {
          executionId: run.executionId,
          success: false,
          tradesExecuted: validTrades() ? run.tradesExecuted : 0,
          errorMessage: message,
        });
        this.logError(error instanceof Error ? error : message, {
          errorType: ErrorType.LOOP_ERROR,
          severity: 'high',
          loopName: run.loopName,
        });
      } catch (recordError) {
        this.diagnostics.sinkFailed('trackLoop', recordError, this.now());
      }
      throw error;
    }
    if (!validTrades()) {
      // A bad count from the body is refused loudly, but the run still ends rather than staying active forever.
      this.endLoopExecution(run.loopName, { executionId: run.executionId, success: false, errorMessage: 'invalid tradesExecuted' });
      throw new ValidationError('tradesExecuted', run.tradesExecuted, 'a whole number >= 0');
    }
    this.endLoopExecution(run.loopName, { executionId: run.executionId, success: true, tradesExecuted: run.tradesExecuted });
    return result;
  }

  /** Sets the account balance (quote currency) used by growth tracking and the balance gauge. */
  updateAccountBalance(balance: number): void {
    const value = requireAmount('balance', balance);
    const previous = this.balance;
    this.balance = value;
    this.emit(buildSystemEvent('balance_updated', 'account balance updated', { balance: value, previousBalance: previous }, this.now()));
  }

  /**
   * Restores open positions from history (one row per symbol, kept by the writer), so a sell after
   * a restart realizes against the cost of the buys made before it. Skipped when this run has already traded
   * (trades logged before `start()`).
   */
  private restorePositions(): void {
    if (!this.store.isRunning || this.ledger.positionsList().length > 0) return;
    try {
      for (const position of this.store.positions()) this.ledger.restore(position);
    } catch (error) {
      this.diagnostics.sinkFailed('ledger', error, this.now());
    }
  }

  /**
   * Reads the last day's per-minute totals back from history, up to the first event this run
   * counted itself. Done once, at the first summary: a history command sets its clock after start().
   */
  private seedDayWindow(): void {
    if (this.daySeeded || !this.store.isRunning) return;
    this.daySeeded = true;
    try {
      const now = this.now();
      const until = Math.min(this.day.firstRecorded, now + 1);
      this.day.seed(this.store.analytics().minuteTotals({ since: now - 24 * 3_600_000, until }));
    } catch (error) {
      this.diagnostics.sinkFailed('dashboards', error, this.now());
    }
  }

  /**
   * Continues the UTC hour an earlier run left open: its trades, fees, volume and realized P&L are
   * read back from the history, and the balance carries over from the last stored hour. Skipped
   * when this run has already counted something (events logged before `start()`).
   */
  private resumeGrowthHour(): void {
    const growth = this.growth;
    if (growth === null || !this.store.isRunning) return;
    const open = growth.openHour();
    if (open.tradeCount > 0 || open.openingBalance !== null) return;
    try {
      const hourStart = hourStartOf(this.now());
      const previous = this.store.lastGrowthBefore(hourStart);
      const a = this.store.analytics().tradeAggregate({ since: hourStart, until: this.now() + 1 });
      if (previous === null && a.tradeCount === 0) return;
      const balance = previous?.closingBalance ?? null;
      growth.resume({
        hourStart,
        openingBalance: balance,
        currentBalance: balance,
        openingEquity: previous?.closingEquity ?? balance,
        tradeCount: a.tradeCount,
        realizedPnl: a.realizedPnl,
        fees: a.fees,
        volume: a.volume,
      });
    } catch (error) {
      this.diagnostics.sinkFailed('growth', error, this.now());
    }
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
  addTradeCallback(callback: Callback<TradeMetric>): () => void {
    return this.subscribe(this.tradeCallbacks, callback);
  }

  /** Calls `callback` with every recorded error. Returns a function that removes it. */
  addErrorCallback(callback: Callback<ErrorEvent>): () => void {
    return this.subscribe(this.errorCallbacks, callback);
  }

  /** Calls `callback` with every recorded performance metric. Returns a function that removes it. */
  addPerformanceCallback(callback: Callback<PerformanceMetric>): () => void {
    return this.subscribe(this.performanceCallbacks, callback);
  }

  // ── queries ────────────────────────────────────────────────────────────────

  /** Recent events from the in-memory ring, newest first. */
  getRecentEvents(query: RecentEventsQuery = {}): MonitorEvent[] {
    const q = optionalObject('query', query);
    const limit = q.limit === undefined ? 100 : q.limit;
    if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
      throw new ValidationError('limit', limit, 'a whole number >= 0');
    }
    if (q.eventType !== undefined && !EVENT_TYPES.includes(q.eventType as string)) {
      throw new ValidationError('eventType', q.eventType, `one of ${EVENT_TYPES.join(', ')}`);
    }
    const since = q.since === undefined ? undefined : q.since instanceof Date ? q.since.getTime() : q.since;
    if (since !== undefined && (typeof since !== 'number' || !Number.isFinite(since))) {
      throw new ValidationError('since', q.since, 'a valid Date or epoch milliseconds');
    }
    return this.eventLog.query({ limit, eventType: q.eventType as EventType | undefined, since });
  }

  /** Open positions and realized P&L per symbol, from the average-cost ledger of trades logged since start. */
  getPositions(): Position[] {
    return this.ledger.positionsList();
  }

  /** Realized P&L of the trades in the ledger: those logged since start and, with SQLite history, this bot's stored trades. */
  get totalRealizedPnl(): number {
    return this.ledger.totalRealizedPnl;
  }

  /** Rows per history table (unflushed rows included) and the database size on disk. */
  getDatabaseStats(): DatabaseStats {
    return this.metricsCollector.getDatabaseStats();
  }

  /** Runs currently in progress, oldest first. */
  getActiveExecutions(): LoopRun[] {
    const out: LoopRun[] = [];
    for (const runs of this.active.values()) out.push(...runs);
    return out.sort((a, b) => a.startTime - b.startTime);
  }

  getSystemHealth(): SystemHealth {
    const memory = process.memoryUsage();
    const last = this.diagnostics.lastFailure;
    return {
      monitoringSystemRunning: this.running,
      startedAt: this.startedAt === null ? null : new Date(this.startedAt).toISOString(),
      uptimeSeconds: this.uptimeSeconds(),
      activeExecutions: this.activeCount,
      activeLoops: [...this.active.keys()],
      eventsRecorded: this.eventLog.totalAppended,
      eventLogSize: this.eventLog.size,
      eventLogCapacity: this.eventLog.capacity,
      accountBalance: this.balance,
      callbackFailures: this.diagnostics.totalCallbackFailures,
      sinkFailures: this.diagnostics.totalSinkFailures,
      lastFailure: last === null ? null : { at: new Date(last.at).toISOString(), where: last.where, message: last.message },
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
    };
  }

  private uptimeSeconds(): number {
    return this.running && this.startedAt !== null ? Math.max(0, (this.now() - this.startedAt) / 1000) : 0;
  }

  // ── internals ──────────────────────────────────────────────────────────────

  /** @internal Hands one frozen event to the ring and every sink. Never throws. */
  emit(event: MonitorEvent): void {
    this.eventLog.appendBuilt(event);
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) {
      try {
        sinks[i]!.record(event);
      } catch (error) {
        this.diagnostics.sinkFailed(sinks[i]!.name, error, event.timestamp);
      }
    }
  }

  private subscribe<T>(list: Callback<T>[], callback: Callback<T>): () => void {
    if (typeof callback !== 'function') throw new ValidationError('callback', callback, 'a function');
    list.push(callback);
    return () => {
      const i = list.indexOf(callback);
      if (i >= 0) list.splice(i, 1);
    };
  }

  private notify<T>(kind: CallbackKind, list: Callback<T>[], event: T): void {
    // A callback may remove itself (a one-shot); iterating a copy keeps the next one from being skipped.
    // With one callback there is nothing to skip, so the common case allocates nothing.
    const callbacks = list.length > 1 ? list.slice() : list;
    for (let i = 0; i < callbacks.length; i++) {
      try {
        const result = callbacks[i]!(event);
        if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
          (result as Promise<unknown>).then(undefined, (error: unknown) => this.diagnostics.callbackFailed(kind, error, this.now()));
        }
      } catch (error) {
        this.diagnostics.callbackFailed(kind, error, this.now());
      }
    }
  }
}

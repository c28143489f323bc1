// DashboardData: builds the summary, trading, performance, real-time and hourly views and the export.

import type { Clock } from '../clock.js';
import { ValidationError } from '../errors.js';
import type { Diagnostics } from '../internal/Diagnostics.js';
import type { StoreStats } from '../internal/StoreStats.js';
import { optionalObject } from '../internal/validate.js';
import type { MonitorStateView } from '../monitor/MonitorState.js';
import type { SystemSample } from '../system/SystemMetrics.js';
import { type AnalyticsQueries, type LoopAggregate, sumAggregates, type TimeRange } from './AnalyticsQueries.js';
import { type DayWindow, MINUTE_MS, type WindowTotals } from './DayWindow.js';
import {
  aggregateFigures,
  average,
  DAY_HOURS,
  drawdownJson,
  errorRates,
  iso,
  parseHour,
  parseHours,
  roundOrNull,
  tradeJson,
} from './dashboardFigures.js';
import {
  type DashboardExport,
  type DashboardSummary,
  EXPORT_SCHEMA_VERSION,
  type HourlyGrowthPoint,
  type HourlyReport,
  type LoopPerformance,
  type PerformanceDashboard,
  type RealTimeMetrics,
  type ResourceUtilization,
  type SystemStatus,
  type TradingDashboard,
  type TradingStats,
} from './dashboardTypes.js';
import { type GrowthTracker, HOUR_MS, hourStartOf } from './GrowthTracker.js';
import type { RateCounter } from './RateCounter.js';
import { ResourceMeter } from './ResourceMeter.js';
import { cagr, expectancy, expectancyRatio, maxDrawdown, profitFactor, returns, round9, sharpe, sortino, winRate } from './statistics.js';
import { capSymbols } from './symbolCap.js';
import { toCsv } from './toCsv.js';

/** The history the dashboards read: aggregate queries, and the store's write figures. */
export interface DashboardHistory {
  readonly isRunning: boolean;
  /** Aggregates over history, with everything logged so far visible. */
  analytics(): AnalyticsQueries;
  stats(): StoreStats;
}

/** What the dashboards read from the rest of the monitor. */
export interface DashboardSources {
  readonly clock: Clock;
  readonly history: DashboardHistory;
  readonly rates: Pick<RateCounter, 'window' | 'lastSixtySeconds'>;
  /** Trade and error totals per minute of the last day, for the summary; filled from history the first time it is read. */
  readonly day: Pick<DayWindow, 'sum' | 'seed' | 'firstRecorded'>;
  readonly growth: Pick<GrowthTracker, 'openHour'> | null;
  /** The monitor's state; `running` and the uptime are null where no monitor runs (views of a stored history). */
  readonly state: Pick<MonitorStateView, 'activeExecutionCount' | 'accountBalance' | 'unrealizedPnl'> & {
    readonly running: boolean | null;
    uptimeSeconds(): number | null;
  };
  /** Where a failed read of history is counted. */
  readonly diagnostics: Pick<Diagnostics, 'sinkFailed'>;
  /** This process's resource figures, when they are read elsewhere (a reader thread reports the bot thread's, not its own). */
  resources?(): ResourceUtilization;
  /** The system metrics collector, whose last sample joins the resource figures; absent or null when system metrics are off. */
  readonly system?: { readonly latest: SystemSample | null } | null;
}

/** Options of {@link DashboardData}. */
export interface DashboardOptions {
  /**
   * Most rows of a per-symbol table: the symbols of largest volume are kept (in symbol order) and
   * the rest summed into one `__other__` row at the end. null keeps every symbol. @default null
   */
  readonly symbolLimit?: number | null;
}

/** Rules behind `systemStatus`, in one place (documented in docs/http-api.md). */
export const STATUS_RULES = {
  /** Errors above this share of events in the last hour: degraded. */
  degradedErrorRatio: 0.05,
  /** A loop failing more than this share of its runs in the last hour (with at least 3 runs): degraded. */
  degradedLoopFailureRatio: 0.25,
  minLoopRuns: 3,
} as const;

const RECENT_TRADES = 50;

/**
 * The seed's dashboard layer. Every figure comes from indexed SQL aggregates in the store, the
 * per-minute rate counter and the open growth hour; nothing loads all rows into JavaScript.
 */
export class DashboardData {
  private readonly meter = new ResourceMeter();
  private daySeeded_ = false;
  private readonly symbolLimit: number | null;

  constructor(
    private readonly sources: DashboardSources,
    options: DashboardOptions = {},
  ) {
    this.symbolLimit = options.symbolLimit ?? null;
  }

  /** True once the day window has been filled from history (the first summary read here). */
  get daySeeded(): boolean {
    return this.daySeeded_;
  }

  /** Starts sampling event-loop delay for `resourceUtilization`. */
  start(): void {
    this.meter.start();
  }

  stop(): void {
    this.meter.stop();
  }

  private now(): number {
    return this.sources.clock.now();
  }

  private queries(): AnalyticsQueries {
    const history = this.sources.history;
    if (!history.isRunning) throw new Error('the dashboards read the history store: call monitor.start() first');
    return history.analytics();
  }

  /**
   * Reads the last day's per-minute totals back from history, up to the first event this run
   * counted itself. Done once, at the first summary: a history command sets its clock after start().
   */
  private seedDay(): void {
    if (this.daySeeded_ || !this.sources.history.isRunning) return;
    this.daySeeded_ = true;
    const now = this.now();
    try {
      const until = Math.min(this.sources.day.firstRecorded, now + 1);
      this.sources.day.seed(this.sources.history.analytics().minuteTotals({ since: now - DAY_HOURS * HOUR_MS, until }));
    } catch (error) {
      this.sources.diagnostics.sinkFailed('dashboards', error, now);
    }
  }

  getDashboardSummary(): DashboardSummary {
    const now = this.now();
    const range = { since: now - DAY_HOURS * HOUR_MS, until: now + 1 };
    const q = this.queries();
    const day = this.lastDay(range, q);
    const state = this.sources.state;
    const balance = state.accountBalance();
    const unrealized = state.unrealizedPnl().total;
    const equity = balance === null ? null : balance + unrealized;
    const { status, reasons } = this.status(now, q);
    return {
      timestamp: iso(now),
      systemStatus: status,
      statusReasons: reasons,
      uptimeSeconds: state.uptimeSeconds(),
      totalTrades24h: day.tradeCount,
      totalVolume24h: round9(day.volume),
      totalPnl24h: round9(day.realizedPnl),
      growth24h: this.growthOver(range, balance, q, 'balance'),
      errorCount24h: day.errorCount,
      accountBalance: balance,
      unrealizedPnl: round9(unrealized),
      equity: equity === null ? null : round9(equity),
      equityGrowth24h: this.growthOver(range, equity, q, 'equity'),
      activeLoops: state.activeExecutionCount,
    };
  }

  getTradingDashboard(options: { hours?: number } = {}): TradingDashboard {
    const hours = parseHours(optionalObject('options', options).hours);
    const now = this.now();
    const range = { since: now - hours * HOUR_MS, until: now + 1 };
    const q = this.queries();
    const hourly = this.hourlyGrowth(range, q);
    return {
      timestamp: iso(now),
      windowHours: hours,
      recentTrades: q.recentTrades(RECENT_TRADES).map((r) => tradeJson(r.trade, r.realizedPnl)),
      tradingStats: this.tradingStats(range, q, hourly),
      hourlyGrowth: hourly,
    };
  }

  getPerformanceDashboard(options: { hours?: number } = {}): PerformanceDashboard {
    const hours = parseHours(optionalObject('options', options).hours);
    const now = this.now();
    const range = { since: now - hours * HOUR_MS, until: now + 1 };
    const q = this.queries();
    return {
      timestamp: iso(now),
      windowHours: hours,
      loopPerformance: this.loopPerformance(range, q),
      errorRates: errorRates(q.errorCounts(range), hours),
      resourceUtilization: this.sources.resources?.() ?? this.resourceUtilization(),
    };
  }

  getRealTimeMetrics(): RealTimeMetrics {
    const now = this.now();
    const hour = this.sources.rates.window(now, 59);
    const state = this.sources.state;
    return {
      timestamp: iso(now),
      eventsPerMinute: this.sources.rates.lastSixtySeconds(now),
      tradesLastHour: hour.trades,
      errorRate: hour.events > 0 ? round9((hour.errors / hour.events) * 100) : 0,
      activeLoops: state.activeExecutionCount,
      accountBalance: state.accountBalance(),
    };
  }

  /** The report of one UTC hour; by default the current hour so far. */
  getHourlyReport(hour?: Date | number | string): HourlyReport {
    const now = this.now();
    const start = hour === undefined ? hourStartOf(now) : parseHour(hour);
    const range = { since: start, until: hour === undefined ? now + 1 : start + HOUR_MS };
    const q = this.queries();
    const growth = this.hourlyGrowth(range, q).find((g) => g.hour === iso(start)) ?? null;
    const {
      maxDrawdown: _d,
      maxEquityDrawdown: _e,
      sharpeRatio: _s,
      sortinoRatio: _o,
      cagr: _c,
      ...tradesSummary
    } = this.tradingStats(range, q, []);
    return {
      reportHour: iso(start),
      growthData: growth,
      tradesSummary,
      errors: errorRates(q.errorCounts(range), 1),
      loops: this.loopPerformance(range, q),
    };
  }

  /** Everything above in one document, as JSON or as CSV sections; both carry `schemaVersion`. */
  exportDashboardData(format: 'json' | 'csv' = 'json'): string {
    if (format !== 'json' && format !== 'csv') throw new ValidationError('format', format, 'json or csv');
    const data = this.exportObject();
    return format === 'json' ? JSON.stringify(data, null, 2) : toCsv(data);
  }

  exportObject(): DashboardExport {
    return {
      schemaVersion: EXPORT_SCHEMA_VERSION,
      exportedAt: iso(this.now()),
      summary: this.getDashboardSummary(),
      trading: this.getTradingDashboard(),
      performance: this.getPerformanceDashboard(),
      realTime: this.getRealTimeMetrics(),
      hourlyReport: this.getHourlyReport(),
    };
  }

  // ── parts ──────────────────────────────────────────────────────────────────

  /**
   * Totals of `range` (the last 24 h): whole minutes from the in-memory day window, and the part of
   * the oldest minute that falls inside the range from history (a few rows through the time index).
   */
  private lastDay(range: TimeRange, q: AnalyticsQueries): WindowTotals {
    this.seedDay();
    const firstWhole = Math.ceil(range.since / MINUTE_MS) * MINUTE_MS;
    const totals = this.sources.day.sum(firstWhole, range.until - 1);
    if (firstWhole > range.since) {
      const edge = { since: range.since, until: firstWhole };
      const a = q.tradeAggregate(edge);
      totals.tradeCount += a.tradeCount;
      totals.volume += a.volume;
      totals.fees += a.fees;
      totals.realizedPnl += a.realizedPnl;
      for (const e of q.errorCounts(edge)) totals.errorCount += e.count;
    }
    return totals;
  }

  private status(now: number, q: AnalyticsQueries): { status: SystemStatus; reasons: string[] } {
    const critical: string[] = [];
    const degraded: string[] = [];
    if (this.sources.state.running === false) critical.push('monitor is not running');
    const hour = this.sources.rates.window(now, 59);
    if (hour.criticalErrors > 0) critical.push(`${hour.criticalErrors} critical error(s) in the last hour`);
    const store = this.sources.history.stats();
    if (store.droppedRows > 0) critical.push(`${store.droppedRows} history row(s) dropped`);
    if (hour.events > 0 && hour.errors / hour.events > STATUS_RULES.degradedErrorRatio) {
      degraded.push(`errors are ${((hour.errors / hour.events) * 100).toFixed(1)}% of events in the last hour`);
    }
    for (const loop of q.loopAggregates({ since: now - HOUR_MS, until: now + 1 })) {
      const failures = loop.runs - loop.successes;
      if (loop.runs >= STATUS_RULES.minLoopRuns && failures / loop.runs > STATUS_RULES.degradedLoopFailureRatio) {
        degraded.push(`loop ${loop.loopName} failed ${failures} of ${loop.runs} runs in the last hour`);
      }
    }
    if (store.writeFailures > 0 && store.bufferedRows > 0) degraded.push('history writes are failing and being retried');
    if (critical.length > 0) return { status: 'critical', reasons: [...critical, ...degraded] };
    return { status: degraded.length > 0 ? 'degraded' : 'healthy', reasons: degraded };
  }

  /** Growth from the opening value of the window's first hour to `current` (balance or equity). */
  private growthOver(range: TimeRange, current: number | null, q: AnalyticsQueries, of: 'balance' | 'equity'): number | null {
    const rows = q.growthRows({ since: hourStartOf(range.since - 1) + HOUR_MS, until: range.until });
    const open = this.sources.growth?.openHour();
    const first = rows[0];
    const start =
      of === 'balance'
        ? (first?.openingBalance ?? open?.openingBalance ?? null)
        : first !== undefined
          ? first.openingEquity
          : (open?.openingEquity ?? null);
    const last = rows.at(-1);
    const end =
      current ?? (of === 'balance' ? (open?.currentBalance ?? last?.closingBalance) : (open?.currentEquity ?? last?.closingEquity)) ?? null;
    if (start === null || end === null || start <= 0) return null;
    return round9((end - start) / start);
  }

  private hourlyGrowth(range: TimeRange, q: AnalyticsQueries): HourlyGrowthPoint[] {
    const points: HourlyGrowthPoint[] = q.growthRows({ since: hourStartOf(range.since), until: range.until }).map((g) => ({
      hour: iso(g.hourStart),
      openingBalance: g.openingBalance,
      closingBalance: g.closingBalance,
      growthRatio: round9(g.growthRatio),
      openingEquity: g.openingEquity,
      closingEquity: g.closingEquity,
      equityGrowthRatio: g.equityGrowthRatio === null ? null : round9(g.equityGrowthRatio),
      tradeCount: g.tradeCount,
      realizedPnl: round9(g.realizedPnl),
      fees: round9(g.fees),
      volume: round9(g.volume),
      inProgress: false,
    }));
    const open = this.sources.growth?.openHour();
    if (open && open.hourStart >= hourStartOf(range.since) && open.hourStart < range.until && open.openingBalance !== null) {
      const close = open.currentBalance;
      points.push({
        hour: iso(open.hourStart),
        openingBalance: open.openingBalance,
        closingBalance: close,
        growthRatio: close !== null && open.openingBalance > 0 ? round9((close - open.openingBalance) / open.openingBalance) : null,
        openingEquity: open.openingEquity,
        closingEquity: open.currentEquity === null ? null : round9(open.currentEquity),
        equityGrowthRatio:
          open.openingEquity !== null && open.currentEquity !== null && open.openingEquity > 0
            ? round9((open.currentEquity - open.openingEquity) / open.openingEquity)
            : null,
        tradeCount: open.tradeCount,
        realizedPnl: round9(open.realizedPnl),
        fees: round9(open.fees),
        volume: round9(open.volume),
        inProgress: true,
      });
    }
    return points;
  }

  private tradingStats(range: TimeRange, q: AnalyticsQueries, hourly: readonly HourlyGrowthPoint[]): TradingStats {
    // One pass over the window: the totals are the sums of the per-symbol rows.
    const symbols = q.tradeAggregateBySymbol(range);
    const a = sumAggregates(symbols);
    const shown = capSymbols(symbols, this.symbolLimit);
    const [p50, p95, p99] = q.executionTimePercentiles(range, [50, 95, 99]);
    const balancePoints = this.series(hourly, 'openingBalance', 'closingBalance');
    const equityPoints = this.series(hourly, 'openingEquity', 'closingEquity');
    const equityValues = equityPoints.map((p) => p.v);
    const hourlyReturns = returns(equityValues);
    const first = equityPoints[0];
    const last = equityPoints.at(-1);
    const winLoss = { wins: a.wins, losses: a.losses, grossProfit: a.grossProfit, grossLoss: a.grossLoss };
    return {
      since: iso(range.since),
      until: iso(range.until - 1),
      ...aggregateFigures(a),
      profitFactor: roundOrNull(profitFactor(a.grossProfit, a.grossLoss)),
      grossProfit: round9(a.grossProfit),
      grossLoss: round9(a.grossLoss),
      executionTimeMs: { p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null },
      expectancy: roundOrNull(expectancy(winLoss, a.closedTrades)),
      expectancyRatio: roundOrNull(expectancyRatio(winLoss, a.closedTrades)),
      maxDrawdown: drawdownJson(maxDrawdown(balancePoints)),
      maxEquityDrawdown: drawdownJson(maxDrawdown(equityPoints)),
      sharpeRatio: roundOrNull(sharpe(hourlyReturns)),
      sortinoRatio: roundOrNull(sortino(hourlyReturns)),
      // Annualising less than a day of returns gives meaningless figures, so CAGR waits for a day of equity.
      cagr:
        first !== undefined && last !== undefined && last.t - first.t >= DAY_HOURS * HOUR_MS
          ? roundOrNull(cagr(first.v, last.v, last.t - first.t))
          : null,
      bySymbol: shown.map((s) => ({
        symbol: s.symbol,
        tradeCount: s.tradeCount,
        volume: round9(s.volume),
        fees: round9(s.fees),
        realizedPnl: round9(s.realizedPnl),
        wins: s.wins,
        losses: s.losses,
        winRate: roundOrNull(winRate(s.wins, s.closedTrades)),
        avgExecutionTimeMs: average(s.executionTimeMsSum, s.tradeCount),
        avgSlippageBps: average(s.slippageBpsSum, s.tradeCount),
      })),
    };
  }

  /**
   * A balance or equity series from hourly points: the first hour's opening value at its start, then
   * each hour's closing value at its end (the hour in progress at "now").
   */
  private series(
    hourly: readonly HourlyGrowthPoint[],
    opening: 'openingBalance' | 'openingEquity',
    closing: 'closingBalance' | 'closingEquity',
  ): { t: number; v: number }[] {
    const points: { t: number; v: number }[] = [];
    for (const h of hourly) {
      const t = Date.parse(h.hour);
      const o = h[opening];
      const c = h[closing];
      if (points.length === 0 && o !== null) points.push({ t, v: o });
      if (c !== null) points.push({ t: h.inProgress ? this.now() : t + HOUR_MS, v: c });
    }
    return points;
  }

  private loopPerformance(range: TimeRange, q: AnalyticsQueries): LoopPerformance[] {
    return q.loopAggregates(range).map((l: LoopAggregate) => ({
      loopName: l.loopName,
      runs: l.runs,
      successes: l.successes,
      failures: l.runs - l.successes,
      successRate: l.runs > 0 ? round9(l.successes / l.runs) : 0,
      avgDurationMs: round9(l.durationMsSum / Math.max(1, l.runs)),
      p95DurationMs: q.loopDurationPercentile(range, l.loopName, 95),
      maxDurationMs: l.maxDurationMs,
      lastSuccessAt: l.lastSuccessAt === null ? null : iso(l.lastSuccessAt),
    }));
  }

  /** CPU, memory and event-loop lag of this thread since the previous reading, the database size, and the host's last system sample. */
  resourceUtilization(): ResourceUtilization {
    return this.meter.read(this.sources.history.stats().dbSizeBytes, this.sources.system?.latest ?? null);
  }
}

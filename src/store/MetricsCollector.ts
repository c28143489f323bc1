// MetricsCollector: the history query API at `monitor.metricsCollector` (trades, metrics, growth, retention).

import { hourStartOf } from '../analytics/GrowthTracker.js';
import type { Clock } from '../clock.js';
import { buildGrowth } from '../events/build.js';
import type { EventPublisher } from '../events/EventSink.js';
import type { ErrorEvent, GrowthEvent, LiquidityEvent, LoopExecutionEvent, PerformanceEvent, TradeEvent } from '../events/types.js';
import type { StoreStats } from '../internal/StoreStats.js';
import { optionalNonNegative, requireFinite, requireNonNegative, requireNonNegativeInteger, requireObject } from '../internal/validate.js';
import type { CleanupResult, DatabaseStats, HistoryStore } from './HistoryStore.js';
import {
  ERROR_FILTERS,
  type ErrorQuery,
  GROWTH_FILTERS,
  type GrowthQuery,
  LIQUIDITY_FILTERS,
  type LiquidityQuery,
  LOOP_FILTERS,
  type LoopExecutionQuery,
  normalizeQuery,
  PERFORMANCE_FILTERS,
  type PerformanceQuery,
  TRADE_FILTERS,
  type TradeQuery,
} from './queries.js';

/** What `recordHourlyGrowth` takes. */
export interface HourlyGrowthInput {
  /** Balance now: the hour's closing balance. */
  currentBalance: number;
  /** Trades in the hour. */
  tradeCount: number;
  /** Realized P&L in the hour. */
  pnl: number;
  /** @default 0 */
  fees?: number;
  /** Traded notional in the hour. @default 0 */
  volume?: number;
}

/**
 * Reads history back as frozen events equal to those the facade built, newest first, including
 * rows not yet flushed: a trade logged is a trade returned. Every query validates its arguments
 * and throws {@link ValidationError} naming a bad field.
 */
export class MetricsCollector {
  constructor(
    private readonly store: HistoryStore,
    private readonly clock: Clock,
    /** The monitor's pipeline: a recorded growth row reaches metrics and logs like every event. */
    private readonly publisher: EventPublisher,
  ) {}

  /** Trades in `[since, until)`, optionally of one symbol. @default limit 1000 */
  getTradeMetrics(query?: TradeQuery): TradeEvent[] {
    return this.store.query('trades', normalizeQuery(query, TRADE_FILTERS));
  }

  /** Performance measurements, optionally of one `metricName`. */
  getPerformanceMetrics(query?: PerformanceQuery): PerformanceEvent[] {
    return this.store.query('performance', normalizeQuery(query, PERFORMANCE_FILTERS));
  }

  /** Liquidity snapshots, optionally of one symbol. */
  getLiquidityMetrics(query?: LiquidityQuery): LiquidityEvent[] {
    return this.store.query('liquidity', normalizeQuery(query, LIQUIDITY_FILTERS));
  }

  /** Hourly growth rows, by the time they were closed. */
  getGrowthMetrics(query?: GrowthQuery): GrowthEvent[] {
    return this.store.query('growth', normalizeQuery(query, GROWTH_FILTERS));
  }

  /** Loop runs, by end time, optionally of one `loopName` and by `success`. */
  getLoopExecutions(query?: LoopExecutionQuery): LoopExecutionEvent[] {
    return this.store.query('loops', normalizeQuery(query, LOOP_FILTERS));
  }

  /** Errors, optionally by `errorType`, `severity` and `symbol`. */
  getErrors(query?: ErrorQuery): ErrorEvent[] {
    return this.store.query('errors', normalizeQuery(query, ERROR_FILTERS));
  }

  /** Deletes history older than `days` days (relative to the monitor's clock). */
  cleanupOldData(days: number): Promise<CleanupResult> {
    return this.store.cleanupOldData(days);
  }

  /**
   * Records a growth row for the current UTC hour: closing balance `currentBalance`, opening
   * balance the closing balance of the latest row of an earlier hour (or `currentBalance` when
   * there is none). Goes through the facade like every event, so metrics and logs see it too.
   */
  recordHourlyGrowth(input: HourlyGrowthInput): GrowthEvent {
    const o = requireObject('growth', input);
    const currentBalance = requireNonNegative('currentBalance', o.currentBalance);
    const tradeCount = requireNonNegativeInteger('tradeCount', o.tradeCount);
    const realizedPnl = requireFinite('pnl', o.pnl);
    const fees = optionalNonNegative('fees', o.fees, 0);
    const volume = optionalNonNegative('volume', o.volume, 0);
    const now = this.clock.now();
    const hourStart = hourStartOf(now);
    const previous = this.store.lastGrowthBefore(hourStart);
    const row = buildGrowth({
      timestamp: now,
      hourStart,
      openingBalance: previous === null ? currentBalance : previous.closingBalance,
      closingBalance: currentBalance,
      tradeCount,
      realizedPnl,
      fees,
      volume,
    });
    this.publisher.publish(row);
    return row;
  }

  /** Rows per table (unflushed rows included) and the database size in bytes. */
  getDatabaseStats(): DatabaseStats {
    return this.store.databaseStats();
  }

  /** The store's write figures (buffer, failures, drops, flushes). */
  stats(): StoreStats {
    return this.store.stats();
  }
}

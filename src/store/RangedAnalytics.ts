// RangedAnalytics: the memory backend's aggregate queries over only the rows of each query's time range.

import type { AnalyticsQueries, TimeRange } from '../analytics/AnalyticsQueries.js';
import type { ErrorEvent, GrowthMetric, LoopExecutionMetric, MonitorEvent, TradeMetric } from '../events/types.js';
import { MemoryAnalytics } from './MemoryAnalytics.js';
import type { TableName } from './schema.js';

/** Index of the first row stamped at or after `t` in rows in time order. */
export function firstAtOrAfter(rows: readonly MonitorEvent[], t: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.timestamp < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The memory backend's aggregate queries (SQLite's semantics) over only the rows of each query's
 * range, and the newest trades from the end: a month of history costs what its last day holds.
 */
export class RangedAnalytics implements AnalyticsQueries {
  constructor(
    private readonly rowsIn: (table: TableName, range: TimeRange | null) => readonly MonitorEvent[],
    private readonly realizedPnlOf: (t: TradeMetric) => number | null,
    /** At least the newest `limit` trades (all of them when out of time order). */
    private readonly newestTrades: (limit: number) => readonly TradeMetric[],
  ) {}

  private over(range: TimeRange | null): MemoryAnalytics {
    return new MemoryAnalytics({
      trades: () => this.rowsIn('trades', range) as TradeMetric[],
      loops: () => this.rowsIn('loop_executions', range) as LoopExecutionMetric[],
      errors: () => this.rowsIn('errors', range) as ErrorEvent[],
      growth: () => this.rowsIn('growth_metrics', null) as GrowthMetric[],
      realizedPnlOf: this.realizedPnlOf,
    });
  }

  tradeAggregate(range: TimeRange) {
    return this.over(range).tradeAggregate(range);
  }
  tradeAggregateBySymbol(range: TimeRange) {
    return this.over(range).tradeAggregateBySymbol(range);
  }
  executionTimePercentiles(range: TimeRange, percentiles: readonly number[]) {
    return this.over(range).executionTimePercentiles(range, percentiles);
  }
  recentTrades(limit: number) {
    const tail = this.newestTrades(limit);
    return new MemoryAnalytics({
      trades: () => tail,
      loops: () => [],
      errors: () => [],
      growth: () => [],
      realizedPnlOf: this.realizedPnlOf,
    }).recentTrades(limit);
  }
  growthRows(range: TimeRange) {
    return this.over(null).growthRows(range);
  }
  loopAggregates(range: TimeRange) {
    return this.over(range).loopAggregates(range);
  }
  loopDurationPercentile(range: TimeRange, loopName: string, percentile: number) {
    return this.over(range).loopDurationPercentile(range, loopName, percentile);
  }
  errorCounts(range: TimeRange) {
    return this.over(range).errorCounts(range);
  }
  minuteTotals(range: TimeRange) {
    return this.over(range).minuteTotals(range);
  }
}

// The aggregate queries the dashboards need from history, answered by the store with indexed SQL.

import type { GrowthEvent, TradeEvent } from '../events/types.js';

/** A half-open time range [since, until) in epoch milliseconds. */
export interface TimeRange {
  readonly since: number;
  readonly until: number;
}

/** Sums over the trades of a range. A "closed" trade is one that realized P&L (closed a position). */
export interface TradeAggregate {
  readonly tradeCount: number;
  readonly buyCount: number;
  readonly sellCount: number;
  readonly volume: number;
  readonly fees: number;
  readonly realizedPnl: number;
  readonly closedTrades: number;
  readonly wins: number;
  readonly losses: number;
  readonly grossProfit: number;
  /** Sum of losing trades' P&L, as a positive number. */
  readonly grossLoss: number;
  readonly executionTimeMsSum: number;
  readonly slippageBpsSum: number;
}

/** The figures of a {@link TradeAggregate}: every one a sum or a count. */
export const AGGREGATE_KEYS = [
  'tradeCount',
  'buyCount',
  'sellCount',
  'volume',
  'fees',
  'realizedPnl',
  'closedTrades',
  'wins',
  'losses',
  'grossProfit',
  'grossLoss',
  'executionTimeMsSum',
  'slippageBpsSum',
] as const satisfies readonly (keyof TradeAggregate)[];

/** Field-by-field sum of aggregates (all of a {@link TradeAggregate}'s fields are sums or counts). */
export function sumAggregates(parts: readonly TradeAggregate[]): TradeAggregate {
  const total = Object.fromEntries(AGGREGATE_KEYS.map((k) => [k, 0])) as Record<keyof TradeAggregate, number>;
  for (const part of parts) for (const k of AGGREGATE_KEYS) total[k] += part[k];
  return total;
}

export interface SymbolTradeAggregate extends TradeAggregate {
  readonly symbol: string;
}

/** A stored trade with the P&L it realized (the caller's or the ledger's; null when it closed nothing). */
export interface RecentTrade {
  readonly trade: TradeEvent;
  readonly realizedPnl: number | null;
}

export interface LoopAggregate {
  readonly loopName: string;
  readonly runs: number;
  readonly successes: number;
  readonly durationMsSum: number;
  readonly maxDurationMs: number;
  readonly lastSuccessAt: number | null;
}

/** Trade and error totals of one UTC minute. */
export interface MinuteTotals {
  readonly minuteStart: number;
  readonly tradeCount: number;
  readonly volume: number;
  readonly fees: number;
  readonly realizedPnl: number;
  readonly errorCount: number;
}

export interface ErrorCount {
  readonly errorType: string;
  readonly severity: string;
  /** Start of the UTC hour. */
  readonly hourStart: number;
  readonly count: number;
}

/** What the dashboards ask of history. Every method reads indexed aggregates, never all rows. */
export interface AnalyticsQueries {
  tradeAggregate(range: TimeRange): TradeAggregate;
  tradeAggregateBySymbol(range: TimeRange): SymbolTradeAggregate[];
  /** Execution times at the given percentiles (0–100), nearest rank; empty range gives nulls. */
  executionTimePercentiles(range: TimeRange, percentiles: readonly number[]): (number | null)[];
  /** Newest first. */
  recentTrades(limit: number): RecentTrade[];
  /** Oldest first. */
  growthRows(range: TimeRange): GrowthEvent[];
  loopAggregates(range: TimeRange): LoopAggregate[];
  /** Duration at a percentile per loop, nearest rank. */
  loopDurationPercentile(range: TimeRange, loopName: string, percentile: number): number | null;
  errorCounts(range: TimeRange): ErrorCount[];
  /** Per-minute trade and error totals of the range, oldest first; minutes with neither are left out. */
  minuteTotals(range: TimeRange): MinuteTotals[];
}

// Row mapping of the history tables: SQLite rows to frozen events, and the table and filters of each stored kind.

import {
  type AdditionalData,
  type ErrorEvent,
  type ErrorSeverity,
  type ErrorType,
  EventType,
  type GrowthEvent,
  type LiquidityEvent,
  type LoopExecutionEvent,
  type MonitorEvent,
  type PerformanceEvent,
  type TradeEvent,
  type TradeSide,
} from '../events/types.js';
import type { NormalizedQuery, StoredKind } from './queries.js';
import type { TableName } from './schema.js';

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>;

/** How a stored kind is read: its table, the query fields that filter it (and their columns), its row mapping. */
export interface QuerySpec {
  readonly table: TableName;
  readonly filters: readonly (readonly [keyof NormalizedQuery, string])[];
  readonly map: (row: Row) => MonitorEvent;
}

/** A JSON column's text, or null. */
export function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function parseJson(text: unknown): AdditionalData | null {
  return typeof text === 'string' ? (deepFreeze(JSON.parse(text)) as AdditionalData) : null;
}

export function toTrade(r: Row): TradeEvent {
  return Object.freeze({
    eventType: EventType.TRADE_EXECUTION,
    timestamp: r.timestamp as number,
    symbol: r.symbol as string,
    side: r.side as TradeSide,
    quantity: r.quantity as number,
    price: r.price as number,
    notionalValue: r.notional_value as number,
    fee: r.fee as number,
    executionTimeMs: r.execution_time_ms as number,
    slippageBps: r.slippage_bps as number,
    executionId: r.execution_id as string,
    orderId: (r.order_id as string | null) ?? null,
    // Only the caller's own figure is the trade's `pnl`; the ledger's lives in realized_pnl alone.
    pnl: r.pnl_source === 'caller' ? (r.realized_pnl as number) : null,
    additionalData: parseJson(r.additional_data),
  });
}

function toPerformance(r: Row): PerformanceEvent {
  return Object.freeze({
    eventType: EventType.PERFORMANCE_METRIC,
    timestamp: r.timestamp as number,
    metricName: r.metric_name as string,
    value: r.value as number,
    unit: r.unit as string,
    tags: (parseJson(r.tags) ?? Object.freeze({})) as Readonly<Record<string, string>>,
  });
}

function toLiquidity(r: Row): LiquidityEvent {
  return Object.freeze({
    eventType: EventType.LIQUIDITY_ANALYSIS,
    timestamp: r.timestamp as number,
    symbol: r.symbol as string,
    spread: r.spread as number,
    bidSize: r.bid_size as number,
    askSize: r.ask_size as number,
    marketDepth: r.market_depth as number,
    volatility24h: r.volatility_24h as number,
    volume24h: r.volume_24h as number,
    bidPrice: (r.bid_price as number | null) ?? null,
    askPrice: (r.ask_price as number | null) ?? null,
  });
}

function equityOf(openingEquity: number | null, closingEquity: number | null) {
  const equityGrowthRatio =
    openingEquity !== null && closingEquity !== null && openingEquity > 0 ? (closingEquity - openingEquity) / openingEquity : null;
  return { openingEquity, closingEquity, equityGrowthRatio };
}

export function toGrowth(r: Row): GrowthEvent {
  return Object.freeze({
    eventType: EventType.GROWTH_TRACKING,
    timestamp: r.timestamp as number,
    hourStart: r.hour_start as number,
    openingBalance: r.opening_balance as number,
    closingBalance: r.closing_balance as number,
    growthRatio: r.growth_ratio as number,
    ...equityOf(r.opening_equity as number | null, r.closing_equity as number | null),
    tradeCount: r.trade_count as number,
    realizedPnl: r.realized_pnl as number,
    fees: r.fees as number,
    volume: r.volume as number,
  });
}

function toLoop(r: Row): LoopExecutionEvent {
  return Object.freeze({
    eventType: EventType.LOOP_EXECUTION,
    timestamp: r.timestamp as number,
    loopName: r.loop_name as string,
    executionId: r.execution_id as string,
    startTime: r.start_time as number,
    endTime: r.end_time as number,
    durationMs: r.duration_ms as number,
    success: r.success === 1,
    tradesExecuted: r.trades_executed as number,
    errorMessage: (r.error_message as string | null) ?? null,
    additionalData: parseJson(r.additional_data),
  });
}

function toError(r: Row): ErrorEvent {
  return Object.freeze({
    eventType: EventType.ERROR_EVENT,
    timestamp: r.timestamp as number,
    errorId: r.error_id as string,
    message: r.message as string,
    errorType: r.error_type as ErrorType,
    severity: r.severity as ErrorSeverity,
    symbol: (r.symbol as string | null) ?? null,
    loopName: (r.loop_name as string | null) ?? null,
    stackTrace: (r.stack_trace as string | null) ?? null,
    context: parseJson(r.context),
  });
}

/** Each stored kind's table, filters and row mapping. */
export const QUERIES: { readonly [K in StoredKind]: QuerySpec } = {
  trades: { table: 'trades', filters: [['symbol', 'symbol']], map: toTrade },
  performance: { table: 'performance_metrics', filters: [['metricName', 'metric_name']], map: toPerformance },
  liquidity: { table: 'liquidity_metrics', filters: [['symbol', 'symbol']], map: toLiquidity },
  growth: { table: 'growth_metrics', filters: [], map: toGrowth },
  loops: {
    table: 'loop_executions',
    filters: [
      ['loopName', 'loop_name'],
      ['success', 'success'],
    ],
    map: toLoop,
  },
  errors: {
    table: 'errors',
    filters: [
      ['errorType', 'error_type'],
      ['severity', 'severity'],
      ['symbol', 'symbol'],
    ],
    map: toError,
  },
};

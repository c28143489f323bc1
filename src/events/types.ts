// The event model: one frozen, typed object per fact, shared by every sink.

/** The eight kinds of event the monitor records. */
export enum EventType {
  TRADE_EXECUTION = 'trade_execution',
  PROFIT_LOSS = 'profit_loss',
  LOOP_EXECUTION = 'loop_execution',
  LIQUIDITY_ANALYSIS = 'liquidity_analysis',
  ERROR_EVENT = 'error_event',
  PERFORMANCE_METRIC = 'performance_metric',
  GROWTH_TRACKING = 'growth_tracking',
  SYSTEM_EVENT = 'system_event',
}

/** Categories of error a bot reports through `logError`. */
export enum ErrorType {
  // The seed's six categories, spelled as the seed spells them.
  SYSTEM_ERROR = 'system_error',
  NETWORK_TIMEOUT = 'network_timeout',
  API_RATE_LIMIT = 'api_rate_limit',
  INSUFFICIENT_FUNDS = 'insufficient_funds',
  INVALID_ORDER = 'invalid_order',
  EXECUTION_ERROR = 'execution_error',
  // Finer categories.
  CONNECTION_ERROR = 'connection_error',
  API_ERROR = 'api_error',
  AUTHENTICATION_ERROR = 'authentication_error',
  ORDER_REJECTED = 'order_rejected',
  EXCHANGE_ERROR = 'exchange_error',
  DATA_ERROR = 'data_error',
  CALCULATION_ERROR = 'calculation_error',
  LOOP_ERROR = 'loop_error',
  DATABASE_ERROR = 'database_error',
  CONFIGURATION_ERROR = 'configuration_error',
  UNKNOWN = 'unknown',
  /** @deprecated the seed's name is {@link ErrorType.API_RATE_LIMIT}; the same value. */
  // biome-ignore lint/suspicious/noDuplicateEnumValues: the deprecated aliases name their seed members' values on purpose
  RATE_LIMIT = 'api_rate_limit',
  /** @deprecated the seed's name is {@link ErrorType.INSUFFICIENT_FUNDS}; the same value. */
  INSUFFICIENT_BALANCE = 'insufficient_funds',
}

/** Every error type, once each (the deprecated members share their seed name's value). */
export const ERROR_TYPES: readonly ErrorType[] = [...new Set(Object.values(ErrorType))];

/**
 * Other spellings accepted for an error type, and the type each stands for: the names this package
 * used before it followed the seed's. An alias is recorded, labelled and queried as its type.
 */
export const ERROR_TYPE_ALIASES: Readonly<Record<string, ErrorType>> = Object.freeze({
  rate_limit: ErrorType.API_RATE_LIMIT,
  insufficient_balance: ErrorType.INSUFFICIENT_FUNDS,
});

/** What a caller may pass as an error type: a member, its value, or an alias. */
export type ErrorTypeName = ErrorType | `${ErrorType}` | 'rate_limit' | 'insufficient_balance';

/** The error type `value` names, through {@link ERROR_TYPE_ALIASES}; `value` itself when it is no alias. */
export function canonicalErrorType(value: unknown): unknown {
  return typeof value === 'string' ? (ERROR_TYPE_ALIASES[value] ?? value) : value;
}

export const ERROR_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
/** How bad an error is; `critical` takes the critical-alert path. */
export type ErrorSeverity = (typeof ERROR_SEVERITIES)[number];

export const TRADE_SIDES = ['buy', 'sell'] as const;
export type TradeSide = (typeof TRADE_SIDES)[number];

/** Free-form, JSON-serialisable extra data attached to an event by the caller. */
export type AdditionalData = Readonly<Record<string, unknown>>;

interface EventBase {
  /** Milliseconds since the Unix epoch (UTC), stamped by the monitor's clock. */
  readonly timestamp: number;
}

/** A recorded trade, as returned by `logTrade`. */
export interface TradeEvent extends EventBase {
  readonly eventType: EventType.TRADE_EXECUTION;
  readonly symbol: string;
  readonly side: TradeSide;
  readonly quantity: number;
  readonly price: number;
  /** quantity × price, in quote currency. */
  readonly notionalValue: number;
  readonly fee: number;
  readonly executionTimeMs: number;
  readonly slippageBps: number;
  /** Given by the caller or generated (UUID). */
  readonly executionId: string;
  readonly orderId: string | null;
  /** Realized P&L the caller supplied (e.g. from the exchange); when null the P&L ledger computes it. */
  readonly pnl: number | null;
  readonly additionalData: AdditionalData | null;
}

/** Realized profit or loss of one trade, as computed by the P&L ledger (or given on the trade). */
export interface ProfitLossEvent extends EventBase {
  readonly eventType: EventType.PROFIT_LOSS;
  readonly symbol: string;
  readonly executionId: string;
  readonly realizedPnl: number;
  /** Position after the trade: positive long, negative short. */
  readonly positionQuantity: number;
  readonly averageCost: number;
  readonly cumulativeRealizedPnl: number;
}

/** One finished run of a trading loop. */
export interface LoopExecutionEvent extends EventBase {
  readonly eventType: EventType.LOOP_EXECUTION;
  readonly loopName: string;
  readonly executionId: string;
  readonly startTime: number;
  readonly endTime: number;
  readonly durationMs: number;
  readonly success: boolean;
  readonly tradesExecuted: number;
  readonly errorMessage: string | null;
  readonly additionalData: AdditionalData | null;
}

/** A snapshot of a market's liquidity. */
export interface LiquidityEvent extends EventBase {
  readonly eventType: EventType.LIQUIDITY_ANALYSIS;
  readonly symbol: string;
  /** Relative spread as a ratio (0.0002 = 2 bps). */
  readonly spread: number;
  readonly bidSize: number;
  readonly askSize: number;
  readonly marketDepth: number;
  /** 24 h volatility as a ratio (0.025 = 2.5 %). */
  readonly volatility24h: number;
  readonly volume24h: number;
  readonly bidPrice: number | null;
  readonly askPrice: number | null;
}

/** An error reported by the bot (or by the monitor about itself). */
export interface ErrorEvent extends EventBase {
  readonly eventType: EventType.ERROR_EVENT;
  readonly errorId: string;
  readonly message: string;
  readonly errorType: ErrorType;
  readonly severity: ErrorSeverity;
  readonly symbol: string | null;
  readonly loopName: string | null;
  readonly stackTrace: string | null;
  readonly context: AdditionalData | null;
}

/** A named measurement, e.g. `api_response_time` 120.5 `milliseconds`. */
export interface PerformanceEvent extends EventBase {
  readonly eventType: EventType.PERFORMANCE_METRIC;
  readonly metricName: string;
  readonly value: number;
  readonly unit: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** One hour of account growth. */
export interface GrowthEvent extends EventBase {
  readonly eventType: EventType.GROWTH_TRACKING;
  /** Start of the UTC hour, epoch ms. */
  readonly hourStart: number;
  readonly openingBalance: number;
  readonly closingBalance: number;
  /** (closing − opening) / opening; 0 when opening is 0. */
  readonly growthRatio: number;
  /** Balance plus unrealized P&L of open positions at the hour's start; null when not known. */
  readonly openingEquity: number | null;
  /** Balance plus unrealized P&L at the hour's end; null when not known. */
  readonly closingEquity: number | null;
  /** (closing − opening equity) / opening equity; null when either is unknown or opening ≤ 0. */
  readonly equityGrowthRatio: number | null;
  readonly tradeCount: number;
  readonly realizedPnl: number;
  readonly fees: number;
  readonly volume: number;
}

export const SYSTEM_EVENT_KINDS = ['monitor_started', 'monitor_stopped', 'balance_updated', 'notice'] as const;
export type SystemEventKind = (typeof SYSTEM_EVENT_KINDS)[number];

/** Something that happened to the monitor or the bot as a whole. */
export interface SystemEvent extends EventBase {
  readonly eventType: EventType.SYSTEM_EVENT;
  readonly kind: SystemEventKind;
  readonly message: string;
  readonly data: AdditionalData | null;
}

/** Every event the monitor records: a union discriminated by `eventType`. */
export type MonitorEvent =
  | TradeEvent
  | ProfitLossEvent
  | LoopExecutionEvent
  | LiquidityEvent
  | ErrorEvent
  | PerformanceEvent
  | GrowthEvent
  | SystemEvent;

/** Maps an event type to its event interface. */
export interface EventByType {
  [EventType.TRADE_EXECUTION]: TradeEvent;
  [EventType.PROFIT_LOSS]: ProfitLossEvent;
  [EventType.LOOP_EXECUTION]: LoopExecutionEvent;
  [EventType.LIQUIDITY_ANALYSIS]: LiquidityEvent;
  [EventType.ERROR_EVENT]: ErrorEvent;
  [EventType.PERFORMANCE_METRIC]: PerformanceEvent;
  [EventType.GROWTH_TRACKING]: GrowthEvent;
  [EventType.SYSTEM_EVENT]: SystemEvent;
}

// The names before every event type ended in `Event`; kept so code written against them still compiles.
/** @deprecated use {@link TradeEvent} */
export type TradeMetric = TradeEvent;
/** @deprecated use {@link LoopExecutionEvent} */
export type LoopExecutionMetric = LoopExecutionEvent;
/** @deprecated use {@link LiquidityEvent} */
export type LiquidityMetric = LiquidityEvent;
/** @deprecated use {@link PerformanceEvent} */
export type PerformanceMetric = PerformanceEvent;
/** @deprecated use {@link GrowthEvent} */
export type GrowthMetric = GrowthEvent;

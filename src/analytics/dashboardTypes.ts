// The dashboard objects, named as in the seed (camelCase); JSON-serialisable as they are.

/** A maximum drawdown: the largest fall from a running peak to a later trough. */
export interface Drawdown {
  /** In currency. */
  readonly absolute: number;
  /** As a ratio of the peak (0.1 = 10 %). */
  readonly ratio: number;
  /** ISO 8601 UTC times of the peak and the trough. */
  readonly peakAt: string;
  readonly troughAt: string;
}

export type SystemStatus = 'healthy' | 'degraded' | 'critical';

export interface DashboardSummary {
  /** ISO 8601 UTC. */
  readonly timestamp: string;
  readonly systemStatus: SystemStatus;
  /** Why the status is not healthy (empty when healthy). */
  readonly statusReasons: readonly string[];
  /** Seconds the monitor has run; null where no monitor runs (the command line's views of a stored history). */
  readonly uptimeSeconds: number | null;
  readonly totalTrades24h: number;
  /** Notional, quote currency. */
  readonly totalVolume24h: number;
  /** Realized P&L of the last 24 h. */
  readonly totalPnl24h: number;
  /** (balance now − balance 24 h ago) ÷ balance 24 h ago; null without balances. */
  readonly growth24h: number | null;
  readonly errorCount24h: number;
  readonly accountBalance: number | null;
  /** Unrealized P&L of open positions at their last market price. */
  readonly unrealizedPnl: number;
  /** Balance plus unrealized P&L; null before the first balance. */
  readonly equity: number | null;
  /** Like `growth24h`, on equity. */
  readonly equityGrowth24h: number | null;
  readonly activeLoops: number;
}

export interface SymbolStats {
  readonly symbol: string;
  readonly tradeCount: number;
  readonly volume: number;
  readonly fees: number;
  readonly realizedPnl: number;
  readonly wins: number;
  readonly losses: number;
  readonly winRate: number | null;
  readonly avgExecutionTimeMs: number | null;
  readonly avgSlippageBps: number | null;
}

export interface TradingStats {
  readonly since: string;
  readonly until: string;
  readonly tradeCount: number;
  readonly buyCount: number;
  readonly sellCount: number;
  readonly volume: number;
  readonly fees: number;
  readonly realizedPnl: number;
  /** Trades that closed (part of) a position and so realized P&L. */
  readonly closedTrades: number;
  readonly wins: number;
  readonly losses: number;
  /** wins ÷ closed trades, 0–1; null with none closed. */
  readonly winRate: number | null;
  /** gross profit ÷ |gross loss|; null when there is no loss. */
  readonly profitFactor: number | null;
  readonly grossProfit: number;
  readonly grossLoss: number;
  readonly avgExecutionTimeMs: number | null;
  readonly executionTimeMs: { readonly p50: number | null; readonly p95: number | null; readonly p99: number | null };
  readonly avgSlippageBps: number | null;
  /** Winrate × average win − lossrate × average loss, per closed trade; null with none closed. */
  readonly expectancy: number | null;
  /** (1 + average win ÷ average loss) × winrate − 1; null without a loss. */
  readonly expectancyRatio: number | null;
  /** On the hourly closing balances of the window and the current balance. */
  readonly maxDrawdown: Drawdown | null;
  /** On the hourly closing equity (balance plus unrealized P&L) of the window and the current equity. */
  readonly maxEquityDrawdown: Drawdown | null;
  /** Annualised, on the hourly equity returns of the window (risk-free rate 0); null with fewer than 2 returns. */
  readonly sharpeRatio: number | null;
  /** Annualised, on the hourly equity returns of the window (target 0); null without a losing hour. */
  readonly sortinoRatio: number | null;
  /** Compound annual growth rate of equity over the window's hours; null without equity or with less than 24 h of it. */
  readonly cagr: number | null;
  readonly bySymbol: readonly SymbolStats[];
}

export interface HourlyGrowthPoint {
  /** ISO start of the UTC hour. */
  readonly hour: string;
  readonly openingBalance: number | null;
  readonly closingBalance: number | null;
  readonly growthRatio: number | null;
  readonly openingEquity: number | null;
  readonly closingEquity: number | null;
  readonly equityGrowthRatio: number | null;
  readonly tradeCount: number;
  readonly realizedPnl: number;
  readonly fees: number;
  readonly volume: number;
  /** True for the hour still in progress (its closing balance is the current balance). */
  readonly inProgress: boolean;
}

export interface TradingDashboard {
  readonly timestamp: string;
  readonly windowHours: number;
  readonly recentTrades: readonly Record<string, unknown>[];
  readonly tradingStats: TradingStats;
  readonly hourlyGrowth: readonly HourlyGrowthPoint[];
}

export interface LoopPerformance {
  readonly loopName: string;
  readonly runs: number;
  readonly successes: number;
  readonly failures: number;
  /** successes ÷ runs, 0–1. */
  readonly successRate: number;
  readonly avgDurationMs: number;
  readonly p95DurationMs: number | null;
  readonly maxDurationMs: number;
  readonly lastSuccessAt: string | null;
}

export interface ErrorRates {
  readonly total: number;
  readonly byType: readonly { readonly errorType: string; readonly count: number; readonly perHour: number }[];
  readonly bySeverity: readonly { readonly severity: string; readonly count: number }[];
  readonly byHour: readonly { readonly hour: string; readonly count: number }[];
}

export interface ResourceUtilization {
  /**
   * Share of one core used by this process since the previous reading, 0–1 per core. Where no
   * monitor runs (the command line's views of a stored history) it and the event-loop lag are null,
   * and the memory figures are the bot's last stored sample (null without one).
   */
  readonly cpuRatio: number | null;
  readonly rssBytes: number | null;
  readonly heapUsedBytes: number | null;
  readonly eventLoopLagP99Ms: number | null;
  readonly dbSizeBytes: number | null;
  // The last system metrics sample (the history's rows of the same names); null before the first and with system metrics off.
  /** When the host figures below were sampled, ISO 8601 UTC. */
  readonly systemSampledAt: string | null;
  /** Host CPU busy over the last system metrics interval, 0–100 (`system_cpu_percent`). */
  readonly systemCpuPercent: number | null;
  readonly systemMemoryUsedBytes: number | null;
  /** Host memory in use, 0–100 (`system_memory_percent`). */
  readonly systemMemoryPercent: number | null;
  /** Bytes received over the host's interfaces but loopback in the last system metrics interval (`network_received_bytes`). */
  readonly networkReceivedBytes: number | null;
  /** Bytes sent in the last system metrics interval (`network_sent_bytes`). */
  readonly networkSentBytes: number | null;
  /** Processes running on the host (`active_processes`). */
  readonly activeProcesses: number | null;
  /** Handles this process holds open (`active_handles`). */
  readonly activeHandles: number | null;
}

export interface PerformanceDashboard {
  readonly timestamp: string;
  readonly windowHours: number;
  readonly loopPerformance: readonly LoopPerformance[];
  readonly errorRates: ErrorRates;
  readonly resourceUtilization: ResourceUtilization;
}

export interface RealTimeMetrics {
  readonly timestamp: string;
  /** Events of every type in the last full minute. */
  readonly eventsPerMinute: number;
  readonly tradesLastHour: number;
  /** Errors as a percentage (0–100) of all events in the last hour; 0 with no events. */
  readonly errorRate: number;
  readonly activeLoops: number;
  readonly accountBalance: number | null;
}

export interface HourlyReport {
  /** ISO start of the reported UTC hour. */
  readonly reportHour: string;
  readonly growthData: HourlyGrowthPoint | null;
  readonly tradesSummary: Omit<TradingStats, 'maxDrawdown' | 'maxEquityDrawdown' | 'sharpeRatio' | 'sortinoRatio' | 'cagr'>;
  readonly errors: ErrorRates;
  readonly loops: readonly LoopPerformance[];
}

/** Format version of `exportDashboardData`; bumped on any incompatible change. */
export const EXPORT_SCHEMA_VERSION = 1;

export interface DashboardExport {
  readonly schemaVersion: number;
  readonly exportedAt: string;
  readonly summary: DashboardSummary;
  readonly trading: TradingDashboard;
  readonly performance: PerformanceDashboard;
  readonly realTime: RealTimeMetrics;
  readonly hourlyReport: HourlyReport;
}

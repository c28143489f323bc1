// The public surface of poseidon-monitor, export by export: what a bot calls, and the types of what it gets back.

export type { DashboardData } from './analytics/DashboardData.js';
export type {
  DashboardExport,
  DashboardSummary,
  Drawdown,
  ErrorRates,
  HourlyGrowthPoint,
  HourlyReport,
  LoopPerformance,
  PerformanceDashboard,
  RealTimeMetrics,
  ResourceUtilization,
  SymbolStats,
  SystemStatus,
  TradingDashboard,
  TradingStats,
} from './analytics/dashboardTypes.js';
export { type Clock, ManualClock, systemClock, type TimerHandle } from './clock.js';
export { LogLevel, OutputFormat, StorageBackend } from './config/enums.js';
export {
  type DatabaseLocation,
  ENV_VARIABLES,
  type EnvRecord,
  MonitoringConfig,
  type MonitoringConfigOptions,
} from './config/MonitoringConfig.js';
export { ConfigurationError, FlushError, ValidationError } from './errors.js';
export type { ErrorOptions, LiquidityInput, LoopEndOptions, TradeInput } from './events/build.js';
export type { EventQuery } from './events/EventLog.js';
export {
  type AdditionalData,
  ERROR_SEVERITIES,
  type ErrorEvent,
  type ErrorSeverity,
  ErrorType,
  type EventByType,
  EventType,
  type GrowthEvent,
  type GrowthMetric,
  type LiquidityEvent,
  type LiquidityMetric,
  type LoopExecutionEvent,
  type LoopExecutionMetric,
  type MonitorEvent,
  type PerformanceEvent,
  type PerformanceMetric,
  type ProfitLossEvent,
  type SystemEvent,
  type SystemEventKind,
  TRADE_SIDES,
  type TradeEvent,
  type TradeMetric,
  type TradeSide,
} from './events/types.js';
export type { StoreStats } from './internal/StoreStats.js';
export type { MonitoringLogger } from './logging/MonitoringLogger.js';
export {
  type LoopRun,
  type LoopStartOptions,
  MonitoringSystem,
  type RecentEventsQuery,
  type SystemHealth,
} from './MonitoringSystem.js';
export type { CleanupResult, DatabaseStats } from './store/HistoryStore.js';
export type { HourlyGrowthInput, MetricsCollector } from './store/MetricsCollector.js';
export type {
  ErrorQuery,
  GrowthQuery,
  LiquidityQuery,
  LoopExecutionQuery,
  PerformanceQuery,
  TimeBound,
  TradeQuery,
} from './store/queries.js';
export {
  EXECUTION_SECONDS_BUCKETS,
  Label,
  LOOP_SECONDS_BUCKETS,
  LoopStatus,
  METRICS,
  type MetricInfo,
  type MetricKey,
  OTHER_LABEL_VALUE,
  type PrometheusType,
  RUNTIME_METRICS,
  RUNTIME_PREFIX,
  SLIPPAGE_BPS_BUCKETS,
} from './telemetry/names.js';

// The public surface of poseidon-monitor, export by export.

export { type Clock, ManualClock, systemClock, type TimerHandle } from './clock.js';
export { LogLevel, OutputFormat, StorageBackend } from './config/enums.js';
export {
  type DatabaseLocation,
  ENV_VARIABLES,
  type EnvRecord,
  MonitoringConfig,
  type MonitoringConfigOptions,
  parseDbUrl,
} from './config/MonitoringConfig.js';
export { ConfigurationError, ValidationError } from './errors.js';
export type { ErrorOptions, LiquidityInput, LoopEndOptions, TradeInput } from './events/build.js';
export { EventLog, type EventQuery } from './events/EventLog.js';
export type { EventSink } from './events/EventSink.js';
export {
  type AdditionalData,
  ERROR_SEVERITIES,
  type ErrorEvent,
  type ErrorSeverity,
  ErrorType,
  type EventByType,
  EventType,
  type GrowthMetric,
  type LiquidityMetric,
  type LoopExecutionMetric,
  type MonitorEvent,
  type PerformanceMetric,
  type ProfitLossEvent,
  type SystemEvent,
  type SystemEventKind,
  TRADE_SIDES,
  type TradeMetric,
  type TradeSide,
} from './events/types.js';
export {
  type HttpRequest,
  type HttpResponse,
  HttpServer,
  type HttpServerOptions,
  type RouteHandler,
  type RouteOptions,
} from './http/HttpServer.js';
export { PROMETHEUS_CONTENT_TYPE } from './http/monitorRoutes.js';
export type { StoreStats } from './internal/StoreStats.js';
export type { LineTarget } from './logging/ConsoleWriter.js';
export { LogSink, type LogSinkOptions, type LogSinkStats } from './logging/LogSink.js';
export { MonitoringLogger } from './logging/MonitoringLogger.js';
export {
  type LoopRun,
  type LoopStartOptions,
  MonitoringSystem,
  type RecentEventsQuery,
  type SystemHealth,
} from './MonitoringSystem.js';
export { type CleanupResult, type DatabaseStats, HistoryStore, type HistoryStoreOptions } from './store/HistoryStore.js';
export { MemoryBackend } from './store/MemoryBackend.js';
export { type HourlyGrowthInput, MetricsCollector } from './store/MetricsCollector.js';
export type {
  ErrorQuery,
  GrowthQuery,
  LiquidityQuery,
  LoopExecutionQuery,
  PerformanceQuery,
  TimeBound,
  TradeQuery,
} from './store/queries.js';
export { SqliteBackend, type SqliteBackendOptions, type SqliteSynchronous } from './store/SqliteBackend.js';
export type { TableCounts } from './store/HistoryReader.js';
export type { StoreBackend } from './store/StoreBackend.js';
export { SCHEMA_VERSION, TABLES, type TableName } from './store/schema.js';
export {
  DROPPED_RUNTIME_METRICS,
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
export { type OtlpEndpoint, type OtlpSignal, otlpEndpoint } from './telemetry/otlpEndpoint.js';
export { Telemetry, type TelemetryOptions, type TelemetrySources } from './telemetry/Telemetry.js';

// OtlpLogBridge: emits each log record as an OpenTelemetry log record, exported over OTLP/HTTP to a Collector.

import type { AnyValue, AnyValueMap, Logger } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { EventType, type MonitorEvent } from '../events/types.js';
import { deadlineAgentFactory } from '../internal/deadlineAgent.js';
import { redactDeep } from '../internal/redact.js';
import type { OtlpEndpoint } from '../telemetry/otlpEndpoint.js';
import { PACKAGE_VERSION } from '../telemetry/packageVersion.js';
import { isoTime } from './json.js';
import type { LineIdentity } from './LineFormatter.js';
import { DIAGNOSTIC_EVENT_TYPE, LineFormatter } from './LineFormatter.js';
import { type LevelNumber, levelInfo } from './levels.js';

const SCOPE = 'poseidon-monitor';

/** Options of {@link OtlpLogBridge}. */
export interface OtlpLogBridgeOptions {
  readonly endpoint: OtlpEndpoint;
  readonly identity: LineIdentity;
  /** Told about every failed export; never throws. */
  readonly onError: (error: Error) => void;
}

// ExportResultCode.SUCCESS of @opentelemetry/core, which is not a direct dependency of this package.
const EXPORT_SUCCESS = 0;

/**
 * Built only when OTLP logs are configured, so a monitor without a Collector pays nothing. Each
 * record carries the JSON line's fields as attributes (snake_case, free-form data redacted) and
 * its `msg` as the body; the SDK's batch processor exports them off the hot path.
 */
export class OtlpLogBridge {
  private readonly provider: LoggerProvider;
  private readonly logger: Logger;
  private stopped = false;

  constructor(options: OtlpLogBridgeOptions) {
    const { endpoint, identity } = options;
    const otlp = new OTLPLogExporter({
      url: endpoint.url,
      headers: { ...endpoint.headers },
      timeoutMillis: endpoint.timeoutMillis,
      httpAgentOptions: deadlineAgentFactory(endpoint.timeoutMillis),
    });
    // The SDK only tells its own diagnostic logger about a failed export; the monitor counts it.
    const exporter: LogRecordExporter = {
      export(records, done) {
        otlp.export(records, (result) => {
          if (result.code !== EXPORT_SUCCESS) {
            try {
              options.onError(result.error ?? new Error('OTLP log export failed'));
            } catch {
              // Reporting must not break the exporter's callback chain.
            }
          }
          done(result);
        });
      },
      shutdown: () => otlp.shutdown(),
      forceFlush: () => otlp.forceFlush(),
    };
    const resource: Record<string, string> = {
      'service.name': SCOPE,
      'service.version': PACKAGE_VERSION,
      'service.instance.id': identity.bot,
      bot: identity.bot,
    };
    if (identity.strategy !== '') resource.strategy = identity.strategy;
    if (identity.exchange !== '') resource.exchange = identity.exchange;
    this.provider = new LoggerProvider({
      resource: resourceFromAttributes(resource),
      processors: [new BatchLogRecordProcessor({ exporter })],
    });
    this.logger = this.provider.getLogger(SCOPE, PACKAGE_VERSION);
  }

  /** Queues one event's record. */
  emit(event: MonitorEvent, level: LevelNumber): void {
    if (this.stopped) return;
    const info = levelInfo(level);
    this.logger.emit({
      timestamp: event.timestamp,
      severityNumber: info.otel,
      severityText: info.name,
      eventName: event.eventType,
      body: LineFormatter.messageOf(event),
      attributes: present(attributesOf(event)),
    });
  }

  /** Queues a record of a failure inside the monitor. */
  emitDiagnostic(time: number, level: LevelNumber, where: string, message: string): void {
    if (this.stopped) return;
    const info = levelInfo(level);
    this.logger.emit({
      timestamp: time,
      severityNumber: info.otel,
      severityText: info.name,
      eventName: DIAGNOSTIC_EVENT_TYPE,
      body: `monitor failure in ${where}`,
      attributes: { event_type: DIAGNOSTIC_EVENT_TYPE, where, error: message },
    });
  }

  /** Exports everything queued. */
  async flush(): Promise<void> {
    if (!this.stopped) await this.provider.forceFlush();
  }

  /** Exports what is queued and shuts the provider down. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.provider.shutdown();
  }
}

/** Free-form data as an attribute value, secrets censored. */
function data(value: unknown): AnyValue {
  return value === null ? null : (redactDeep(value) as AnyValue);
}

/**
 * The fields that have a value: OTLP has no null, and a null field would arrive as an empty
 * AnyValue, which a Collector passes on as a field that is there with nothing in it.
 */
function present(fields: AnyValueMap): AnyValueMap {
  const out: AnyValueMap = {};
  for (const key in fields) {
    const value = fields[key];
    if (value !== null && value !== undefined) out[key] = value;
  }
  return out;
}

function attributesOf(e: MonitorEvent): AnyValueMap {
  switch (e.eventType) {
    case EventType.TRADE_EXECUTION:
      return {
        event_type: e.eventType,
        symbol: e.symbol,
        side: e.side,
        quantity: e.quantity,
        price: e.price,
        notional_value: e.notionalValue,
        fee: e.fee,
        execution_time_ms: e.executionTimeMs,
        slippage_bps: e.slippageBps,
        execution_id: e.executionId,
        order_id: e.orderId,
        pnl: e.pnl,
        additional_data: data(e.additionalData),
      };
    case EventType.PROFIT_LOSS:
      return {
        event_type: e.eventType,
        symbol: e.symbol,
        execution_id: e.executionId,
        realized_pnl: e.realizedPnl,
        position_quantity: e.positionQuantity,
        average_cost: e.averageCost,
        cumulative_realized_pnl: e.cumulativeRealizedPnl,
      };
    case EventType.LOOP_EXECUTION:
      return {
        event_type: e.eventType,
        loop_name: e.loopName,
        execution_id: e.executionId,
        start_time: isoTime(e.startTime),
        end_time: isoTime(e.endTime),
        duration_ms: e.durationMs,
        success: e.success,
        trades_executed: e.tradesExecuted,
        error_message: e.errorMessage,
        additional_data: data(e.additionalData),
      };
    case EventType.LIQUIDITY_ANALYSIS:
      return {
        event_type: e.eventType,
        symbol: e.symbol,
        spread: e.spread,
        bid_size: e.bidSize,
        ask_size: e.askSize,
        market_depth: e.marketDepth,
        volatility_24h: e.volatility24h,
        volume_24h: e.volume24h,
        bid_price: e.bidPrice,
        ask_price: e.askPrice,
      };
    case EventType.ERROR_EVENT:
      return {
        event_type: e.eventType,
        error_id: e.errorId,
        error_type: e.errorType,
        severity: e.severity,
        symbol: e.symbol,
        loop_name: e.loopName,
        stack_trace: e.stackTrace,
        context: data(e.context),
      };
    case EventType.PERFORMANCE_METRIC:
      return { event_type: e.eventType, metric_name: e.metricName, value: e.value, unit: e.unit, tags: data(e.tags) };
    case EventType.GROWTH_TRACKING:
      return {
        event_type: e.eventType,
        hour_start: isoTime(e.hourStart),
        opening_balance: e.openingBalance,
        closing_balance: e.closingBalance,
        growth_ratio: e.growthRatio,
        trade_count: e.tradeCount,
        realized_pnl: e.realizedPnl,
        fees: e.fees,
        volume: e.volume,
        opening_equity: e.openingEquity,
        closing_equity: e.closingEquity,
        equity_growth_ratio: e.equityGrowthRatio,
      };
    case EventType.SYSTEM_EVENT:
      return { event_type: e.eventType, kind: e.kind, data: data(e.data) };
  }
}

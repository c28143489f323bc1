// LineFormatter: turns one event into its JSON log line or its human text line, without pino on the hot path.

import {
  type ErrorEvent,
  EventType,
  type GrowthEvent,
  type LiquidityEvent,
  type LoopExecutionEvent,
  type MonitorEvent,
  type PerformanceEvent,
  type ProfitLossEvent,
  type SystemEvent,
  type TradeEvent,
} from '../events/types.js';
import { jsonNumber, textNumber } from '../internal/numberText.js';
import { isoTime, jsonNullableString, jsonString, redactedJson, redactedJsonOrNull } from './json.js';
import { LEVELS, type LevelNumber } from './levels.js';

/** `event_type` of the records the monitor writes about its own failures. */
export const DIAGNOSTIC_EVENT_TYPE = 'monitor_diagnostic';

/** The fixed `msg` of each event type whose message is not its own text (errors and system events carry theirs). */
export const EVENT_MESSAGES: Readonly<Record<EventType, string>> = Object.freeze({
  [EventType.TRADE_EXECUTION]: 'trade executed',
  [EventType.PROFIT_LOSS]: 'profit/loss realized',
  [EventType.LOOP_EXECUTION]: 'loop execution finished',
  [EventType.LIQUIDITY_ANALYSIS]: 'liquidity snapshot',
  [EventType.ERROR_EVENT]: 'error',
  [EventType.PERFORMANCE_METRIC]: 'performance metric',
  [EventType.GROWTH_TRACKING]: 'hourly growth',
  [EventType.SYSTEM_EVENT]: 'system event',
});

/** The bot identity written on every JSON line. */
export interface LineIdentity {
  readonly bot: string;
  /** Written only when not empty. */
  readonly strategy: string;
  /** Written only when not empty. */
  readonly exchange: string;
}

const MAX_CACHED_NAMES = 1024;
// Control characters would break a text line in two (or make a terminal do things).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be found.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Free text made safe for one text line: control characters written as JSON escapes (`\n`). */
export function textSafe(value: string): string {
  return CONTROL.test(value) ? JSON.stringify(value).slice(1, -1) : value;
}

/**
 * Builds log lines. Everything constant about a line (the level and event-type keys, the fixed
 * messages, the bot identity) is serialised once here; per record only the values are written.
 */
export class LineFormatter {
  /** `","level":"INFO","event_type":"trade_execution"` per level index and event type. */
  private readonly heads: Map<string, string>[];
  private readonly fixedMsg = new Map<string, string>();
  private readonly identity: string;
  /** Text-line level column per level index: the name padded to 5, then a space. */
  private readonly textLevels: string[];
  /** JSON literals of symbols and loop names seen, so a repeated name is not re-checked for escaping. */
  private readonly names = new Map<string, string>();

  constructor(identity: LineIdentity) {
    this.identity =
      `,"bot":${jsonString(identity.bot)}` +
      (identity.strategy === '' ? '' : `,"strategy":${jsonString(identity.strategy)}`) +
      (identity.exchange === '' ? '' : `,"exchange":${jsonString(identity.exchange)}`);
    const types = [...Object.values(EventType), DIAGNOSTIC_EVENT_TYPE];
    this.heads = LEVELS.map((l) => new Map(types.map((t) => [t, `","level":"${l.name}","event_type":"${t}"`])));
    for (const [type, msg] of Object.entries(EVENT_MESSAGES)) this.fixedMsg.set(type, `,"msg":${jsonString(msg)}`);
    this.textLevels = LEVELS.map((l) => `${l.name.padEnd(5)} `);
  }

  /** The event's `msg`: its own message for errors and system events, else the fixed one of its type. */
  static messageOf(event: MonitorEvent): string {
    if (event.eventType === EventType.ERROR_EVENT || event.eventType === EventType.SYSTEM_EVENT) return event.message;
    if (event.eventType === EventType.LOOP_EXECUTION) return event.success ? 'loop execution finished' : 'loop execution failed';
    return EVENT_MESSAGES[event.eventType];
  }

  /** The JSON line of `event` at `level`, newline included. */
  json(event: MonitorEvent, level: LevelNumber): string {
    const head = `{"time":"${isoTime(event.timestamp)}${this.heads[level / 10 - 2]!.get(event.eventType)}`;
    switch (event.eventType) {
      case EventType.TRADE_EXECUTION:
        return `${head}${this.fixedMsg.get(event.eventType)}${this.identity}${this.tradeFields(event)}}\n`;
      case EventType.PROFIT_LOSS:
        return `${head}${this.fixedMsg.get(event.eventType)}${this.identity}${this.pnlFields(event)}}\n`;
      case EventType.LOOP_EXECUTION:
        return `${head},"msg":"${event.success ? 'loop execution finished' : 'loop execution failed'}"${this.identity}${this.loopFields(event)}}\n`;
      case EventType.LIQUIDITY_ANALYSIS:
        return `${head}${this.fixedMsg.get(event.eventType)}${this.identity}${this.liquidityFields(event)}}\n`;
      case EventType.ERROR_EVENT:
        return `${head},"msg":${jsonString(event.message)}${this.identity}${this.errorFields(event)}}\n`;
      case EventType.PERFORMANCE_METRIC:
        return `${head}${this.fixedMsg.get(event.eventType)}${this.identity}${performanceFields(event)}}\n`;
      case EventType.GROWTH_TRACKING:
        return `${head}${this.fixedMsg.get(event.eventType)}${this.identity}${growthFields(event)}}\n`;
      case EventType.SYSTEM_EVENT:
        return `${head},"msg":${jsonString(event.message)}${this.identity}${systemFields(event)}}\n`;
    }
  }

  /** The text line of `event` at `level`, newline included. */
  text(event: MonitorEvent, level: LevelNumber): string {
    return `${isoTime(event.timestamp)} ${this.textLevels[level / 10 - 2]}${textBody(event)}\n`;
  }

  /** The JSON line of a failure inside the monitor (`event_type: "monitor_diagnostic"`). */
  diagnosticJson(time: number, level: LevelNumber, where: string, message: string): string {
    return (
      `{"time":"${isoTime(time)}${this.heads[level / 10 - 2]!.get(DIAGNOSTIC_EVENT_TYPE)},"msg":${jsonString(`monitor failure in ${where}`)}` +
      `${this.identity},"where":${jsonString(where)},"error":${jsonString(message)}}\n`
    );
  }

  /** The text line of a failure inside the monitor. */
  diagnosticText(time: number, level: LevelNumber, where: string, message: string): string {
    return `${isoTime(time)} ${this.textLevels[level / 10 - 2]}monitor failure in ${textSafe(where)}: ${textSafe(message)}\n`;
  }

  /** The text level column (`INFO  `) of a level. */
  textLevel(level: LevelNumber): string {
    return this.textLevels[level / 10 - 2]!;
  }

  private name(value: string): string {
    let literal = this.names.get(value);
    if (literal === undefined) {
      literal = jsonString(value);
      if (this.names.size < MAX_CACHED_NAMES) this.names.set(value, literal);
    }
    return literal;
  }

  private tradeFields(e: TradeEvent): string {
    return (
      `,"symbol":${this.name(e.symbol)},"side":"${e.side}","quantity":${jsonNumber(e.quantity)},"price":${jsonNumber(e.price)}` +
      `,"notional_value":${jsonNumber(e.notionalValue)},"fee":${jsonNumber(e.fee)},"execution_time_ms":${jsonNumber(e.executionTimeMs)}` +
      `,"slippage_bps":${jsonNumber(e.slippageBps)},"execution_id":${jsonString(e.executionId)}` +
      `,"order_id":${jsonNullableString(e.orderId)},"pnl":${jsonNumber(e.pnl)}` +
      `,"additional_data":${e.additionalData === null ? 'null' : redactedJson(e.additionalData)}`
    );
  }

  private pnlFields(e: ProfitLossEvent): string {
    return (
      `,"symbol":${this.name(e.symbol)},"execution_id":${jsonString(e.executionId)},"realized_pnl":${jsonNumber(e.realizedPnl)}` +
      `,"position_quantity":${jsonNumber(e.positionQuantity)},"average_cost":${jsonNumber(e.averageCost)},"cumulative_realized_pnl":${jsonNumber(e.cumulativeRealizedPnl)}`
    );
  }

  private loopFields(e: LoopExecutionEvent): string {
    return (
      `,"loop_name":${this.name(e.loopName)},"execution_id":${jsonString(e.executionId)}` +
      `,"start_time":"${isoTime(e.startTime)}","end_time":"${isoTime(e.endTime)}","duration_ms":${jsonNumber(e.durationMs)}` +
      `,"success":${e.success},"trades_executed":${jsonNumber(e.tradesExecuted)},"error_message":${jsonNullableString(e.errorMessage)}` +
      `,"additional_data":${redactedJsonOrNull(e.additionalData)}`
    );
  }

  private liquidityFields(e: LiquidityEvent): string {
    return (
      `,"symbol":${this.name(e.symbol)},"spread":${jsonNumber(e.spread)},"bid_size":${jsonNumber(e.bidSize)},"ask_size":${jsonNumber(e.askSize)}` +
      `,"market_depth":${jsonNumber(e.marketDepth)},"volatility_24h":${jsonNumber(e.volatility24h)},"volume_24h":${jsonNumber(e.volume24h)}` +
      `,"bid_price":${jsonNumber(e.bidPrice)},"ask_price":${jsonNumber(e.askPrice)}`
    );
  }

  private errorFields(e: ErrorEvent): string {
    return (
      `,"error_id":${jsonString(e.errorId)},"error_type":"${e.errorType}","severity":"${e.severity}"` +
      `,"symbol":${e.symbol === null ? 'null' : this.name(e.symbol)},"loop_name":${e.loopName === null ? 'null' : this.name(e.loopName)}` +
      `,"stack_trace":${jsonNullableString(e.stackTrace)},"context":${redactedJsonOrNull(e.context)}`
    );
  }
}

function performanceFields(e: PerformanceEvent): string {
  return `,"metric_name":${jsonString(e.metricName)},"value":${jsonNumber(e.value)},"unit":${jsonString(e.unit)},"tags":${redactedJson(e.tags)}`;
}

function growthFields(e: GrowthEvent): string {
  return (
    `,"hour_start":"${isoTime(e.hourStart)}","opening_balance":${jsonNumber(e.openingBalance)},"closing_balance":${jsonNumber(e.closingBalance)}` +
    `,"growth_ratio":${jsonNumber(e.growthRatio)},"trade_count":${jsonNumber(e.tradeCount)},"realized_pnl":${jsonNumber(e.realizedPnl)},"fees":${jsonNumber(e.fees)},"volume":${jsonNumber(e.volume)}` +
    `,"opening_equity":${jsonNumber(e.openingEquity)},"closing_equity":${jsonNumber(e.closingEquity)},"equity_growth_ratio":${jsonNumber(e.equityGrowthRatio)}`
  );
}

function systemFields(e: SystemEvent): string {
  return `,"kind":"${e.kind}","data":${redactedJsonOrNull(e.data)}`;
}

/** ` {json}` of free-form data for a text line, or nothing when there is none. */
function textData(data: unknown): string {
  if (data === null || data === undefined) return '';
  if (typeof data === 'object' && Object.keys(data).length === 0) return '';
  return ` ${redactedJson(data)}`;
}

/** What follows the level on a text line. Human-readable; the JSON line has every field. */
function textBody(event: MonitorEvent): string {
  switch (event.eventType) {
    case EventType.TRADE_EXECUTION:
      return (
        `trade ${event.symbol} ${event.side} ${textNumber(event.quantity)} @ ${textNumber(event.price)} fee ${textNumber(event.fee)}` +
        ` exec ${textNumber(event.executionTimeMs)}ms slip ${textNumber(event.slippageBps)}bps` +
        (event.orderId === null ? '' : ` order ${event.orderId}`) +
        (event.pnl === null ? '' : ` pnl ${textNumber(event.pnl)}`) +
        textData(event.additionalData)
      );
    case EventType.PROFIT_LOSS:
      return (
        `pnl ${event.symbol} realized ${textNumber(event.realizedPnl)} position ${textNumber(event.positionQuantity)}` +
        ` avg ${textNumber(event.averageCost)} total ${textNumber(event.cumulativeRealizedPnl)}`
      );
    case EventType.LOOP_EXECUTION:
      return (
        `loop ${event.loopName} ${event.success ? 'ok' : 'failed'} ${textNumber(event.durationMs)}ms trades ${textNumber(event.tradesExecuted)}` +
        (event.errorMessage === null ? '' : `: ${textSafe(event.errorMessage)}`) +
        textData(event.additionalData)
      );
    case EventType.LIQUIDITY_ANALYSIS:
      return (
        `liquidity ${event.symbol} spread ${textNumber(event.spread)} bid ${textNumber(event.bidSize)} ask ${textNumber(event.askSize)} depth ${textNumber(event.marketDepth)}` +
        ` vol24h ${textNumber(event.volatility24h)} volume24h ${textNumber(event.volume24h)}` +
        (event.bidPrice === null ? '' : ` bid_price ${textNumber(event.bidPrice)}`) +
        (event.askPrice === null ? '' : ` ask_price ${textNumber(event.askPrice)}`)
      );
    case EventType.ERROR_EVENT:
      return (
        `error ${event.errorType} ${event.severity}` +
        (event.symbol === null ? '' : ` symbol ${event.symbol}`) +
        (event.loopName === null ? '' : ` loop ${event.loopName}`) +
        `: ${textSafe(event.message)}` +
        textData(event.context)
      );
    case EventType.PERFORMANCE_METRIC:
      return `metric ${event.metricName} ${textNumber(event.value)} ${event.unit}${textData(event.tags)}`;
    case EventType.GROWTH_TRACKING:
      return (
        `growth ${isoTime(event.hourStart)} ${textNumber(event.openingBalance)} -> ${textNumber(event.closingBalance)} ratio ${textNumber(event.growthRatio)}` +
        ` trades ${textNumber(event.tradeCount)} pnl ${textNumber(event.realizedPnl)} fees ${textNumber(event.fees)} volume ${textNumber(event.volume)}`
      );
    case EventType.SYSTEM_EVENT:
      return `system ${event.kind}: ${textSafe(event.message)}${textData(event.data)}`;
  }
}

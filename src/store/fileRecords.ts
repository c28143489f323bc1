// JSON Lines records of the file backend: events as the snake_case rows SQLite stores (one JSON object a line), and back.

import { EventType, type MonitorEvent, type TradeMetric } from '../events/types.js';
import { jsonNumber } from '../internal/numberText.js';
import { isoTime, jsonNullableString, jsonString } from '../logging/json.js';
import type { TableName } from './schema.js';
import { QUERIES, type Row } from './sqliteRows.js';

/** Who wrote a row: the `bot`, `strategy` and `exchange` fields of every record. */
export interface RecordOwner {
  readonly bot: string;
  readonly strategy: string;
  readonly exchange: string;
}

/** A record of the trades file that fills the realized P&L of a trade written in an earlier batch. */
export interface PnlRecord {
  readonly event_type: 'profit_loss';
  readonly timestamp: number;
  readonly symbol: string;
  readonly execution_id: string;
  readonly realized_pnl: number;
  readonly bot: string;
}

/** A record of the growth file holding a balance given to `updateAccountBalance` (folded into the bot's balance state). */
export interface BalanceRecord {
  readonly event_type: 'balance_updated';
  readonly time: string;
  readonly timestamp: number;
  readonly balance: number;
  readonly bot: string;
}

/** The record of a balance update, for the growth file of its day. */
export function balanceRecord(balance: number, timestamp: number, bot: string): BalanceRecord {
  return { event_type: 'balance_updated', time: new Date(timestamp).toISOString(), timestamp, balance, bot };
}

/**
 * The record of a stored event: the SQLite row's columns and values (JSON columns as nested
 * objects, so `jq` reads into them), with `event_type` and an ISO `time` for people and tools.
 */
export function toRecord(e: MonitorEvent, owner: RecordOwner, realized: number | null, source: 'caller' | 'ledger' | null): Row {
  const base = { event_type: e.eventType, time: new Date(e.timestamp).toISOString(), timestamp: e.timestamp };
  const who = { bot: owner.bot, strategy: owner.strategy, exchange: owner.exchange };
  switch (e.eventType) {
    case EventType.TRADE_EXECUTION:
      return {
        ...base,
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
        realized_pnl: realized,
        pnl_source: source,
        additional_data: e.additionalData,
        ...who,
      };
    case EventType.PERFORMANCE_METRIC:
      return { ...base, metric_name: e.metricName, value: e.value, unit: e.unit, tags: e.tags, ...who };
    case EventType.LIQUIDITY_ANALYSIS:
      return {
        ...base,
        symbol: e.symbol,
        spread: e.spread,
        bid_size: e.bidSize,
        ask_size: e.askSize,
        market_depth: e.marketDepth,
        volatility_24h: e.volatility24h,
        volume_24h: e.volume24h,
        bid_price: e.bidPrice,
        ask_price: e.askPrice,
        ...who,
      };
    case EventType.GROWTH_TRACKING:
      return {
        ...base,
        hour_start: e.hourStart,
        opening_balance: e.openingBalance,
        closing_balance: e.closingBalance,
        growth_ratio: e.growthRatio,
        opening_equity: e.openingEquity,
        closing_equity: e.closingEquity,
        trade_count: e.tradeCount,
        realized_pnl: e.realizedPnl,
        fees: e.fees,
        volume: e.volume,
        ...who,
      };
    case EventType.LOOP_EXECUTION:
      return {
        ...base,
        loop_name: e.loopName,
        execution_id: e.executionId,
        start_time: e.startTime,
        end_time: e.endTime,
        duration_ms: e.durationMs,
        success: e.success ? 1 : 0,
        trades_executed: e.tradesExecuted,
        error_message: e.errorMessage,
        additional_data: e.additionalData,
        ...who,
      };
    case EventType.ERROR_EVENT:
      return {
        ...base,
        error_id: e.errorId,
        message: e.message,
        error_type: e.errorType,
        severity: e.severity,
        symbol: e.symbol,
        loop_name: e.loopName,
        stack_trace: e.stackTrace,
        context: e.context,
        ...who,
      };
    default:
      throw new Error(`no history table for ${e.eventType}`);
  }
}

/** The time fields of the last trade written: a busy bot writes many trades in one millisecond. */
let lastTimestamp = Number.NaN;
let lastTimeFields = '';

/**
 * A trade's record as its JSON line, the same fields in the same order as {@link toRecord} gives,
 * written by hand: trades are most of the lines, and this skips an object per trade.
 */
export function tradeLine(e: TradeMetric, owner: string, realized: number | null, source: 'caller' | 'ledger' | null): string {
  if (e.timestamp !== lastTimestamp) {
    lastTimestamp = e.timestamp;
    lastTimeFields = `"time":"${isoTime(e.timestamp)}","timestamp":${jsonNumber(e.timestamp)}`;
  }
  return `{"event_type":"trade_execution",${lastTimeFields},"symbol":${jsonString(
    e.symbol,
  )},"side":${jsonString(e.side)},"quantity":${jsonNumber(e.quantity)},"price":${jsonNumber(e.price)},"notional_value":${jsonNumber(
    e.notionalValue,
  )},"fee":${jsonNumber(e.fee)},"execution_time_ms":${jsonNumber(e.executionTimeMs)},"slippage_bps":${jsonNumber(
    e.slippageBps,
  )},"execution_id":${jsonString(e.executionId)},"order_id":${jsonNullableString(e.orderId)},"realized_pnl":${jsonNumber(
    realized,
  )},"pnl_source":${source === null ? 'null' : `"${source}"`},"additional_data":${
    e.additionalData === null ? 'null' : JSON.stringify(e.additionalData)
  },${owner}}`;
}

/** The owner fields every line ends with, as JSON text (without braces). */
export function ownerFields(owner: RecordOwner): string {
  return `"bot":${jsonString(owner.bot)},"strategy":${jsonString(owner.strategy)},"exchange":${jsonString(owner.exchange)}`;
}

const KIND_OF_TABLE = {
  trades: 'trades',
  performance_metrics: 'performance',
  liquidity_metrics: 'liquidity',
  growth_metrics: 'growth',
  loop_executions: 'loops',
  errors: 'errors',
} as const;

const JSON_COLUMNS = ['additional_data', 'tags', 'context'] as const;

/** The event a record of `table` holds, built by the same mapping SQLite's rows go through. */
export function fromRecord(table: TableName, record: Row): MonitorEvent {
  const row: Row = { ...record };
  for (const c of JSON_COLUMNS) if (row[c] !== undefined && row[c] !== null) row[c] = JSON.stringify(row[c]);
  return QUERIES[KIND_OF_TABLE[table]].map(row);
}

/** The realized P&L a trade record carries and whose it is. */
export function realizedOf(record: Row): { realized: number | null; source: 'caller' | 'ledger' | null } {
  const realized = typeof record.realized_pnl === 'number' ? record.realized_pnl : null;
  const source = record.pnl_source === 'caller' || record.pnl_source === 'ledger' ? record.pnl_source : null;
  return { realized, source };
}

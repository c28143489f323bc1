// Shape checks for the compact forms of trades and P&L events (the event ring's columns, the writer thread's batches).

import type { ProfitLossEvent, TradeEvent } from './types.js';

const isNumber = (v: unknown): v is number => typeof v === 'number';
const isString = (v: unknown): v is string => typeof v === 'string';

/**
 * Whether every field of the trade has the type its compact forms store: numbers, strings, or
 * null where allowed. A trade from `buildTrade` always has; only a hand-made event can fail this,
 * and it is then kept as the object it is.
 */
export function hasTradeShape(e: TradeEvent): boolean {
  return (
    isNumber(e.timestamp) &&
    isNumber(e.quantity) &&
    isNumber(e.price) &&
    isNumber(e.notionalValue) &&
    isNumber(e.fee) &&
    isNumber(e.executionTimeMs) &&
    isNumber(e.slippageBps) &&
    (e.pnl === null || isNumber(e.pnl)) &&
    isString(e.symbol) &&
    isString(e.side) &&
    isString(e.executionId) &&
    (e.orderId === null || isString(e.orderId))
  );
}

/** The same for a P&L event. */
export function hasProfitLossShape(e: ProfitLossEvent): boolean {
  return (
    isNumber(e.timestamp) &&
    isNumber(e.realizedPnl) &&
    isNumber(e.positionQuantity) &&
    isNumber(e.averageCost) &&
    isNumber(e.cumulativeRealizedPnl) &&
    isString(e.symbol) &&
    isString(e.executionId)
  );
}

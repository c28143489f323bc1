// How a batch of events crosses to the writer thread: trades and P&L events as flat values, anything else as it is.

import { EventType, type MonitorEvent, type ProfitLossEvent, type TradeMetric } from '../events/types.js';

// Structured clone writes every property name of every object; a flat array of values costs about
// a third to post and a third to read back on the other side. Trades and their P&L events are
// nearly every row of a busy bot, so only they get a flat layout.
const TRADE = 1;
const PNL = 2;
const OTHER = 3;

/** The flat form of `events[start..end)`, for {@link decodeBatch}. */
export function encodeBatch(events: readonly MonitorEvent[], start: number, end: number): unknown[] {
  const out: unknown[] = [];
  for (let i = start; i < end; i++) {
    const e = events[i]!;
    if (e.eventType === EventType.TRADE_EXECUTION) {
      out.push(
        TRADE,
        e.timestamp,
        e.symbol,
        e.side,
        e.quantity,
        e.price,
        e.notionalValue,
        e.fee,
        e.executionTimeMs,
        e.slippageBps,
        e.executionId,
        e.orderId,
        e.pnl,
        e.additionalData,
      );
    } else if (e.eventType === EventType.PROFIT_LOSS) {
      out.push(PNL, e.timestamp, e.symbol, e.executionId, e.realizedPnl, e.positionQuantity, e.averageCost, e.cumulativeRealizedPnl);
    } else {
      out.push(OTHER, e);
    }
  }
  return out;
}

/** The events {@link encodeBatch} flattened, as plain (unfrozen) objects. */
export function decodeBatch(flat: readonly unknown[]): MonitorEvent[] {
  const events: MonitorEvent[] = [];
  let i = 0;
  while (i < flat.length) {
    const tag = flat[i++];
    if (tag === TRADE) {
      const trade: TradeMetric = {
        eventType: EventType.TRADE_EXECUTION,
        timestamp: flat[i] as number,
        symbol: flat[i + 1] as string,
        side: flat[i + 2] as TradeMetric['side'],
        quantity: flat[i + 3] as number,
        price: flat[i + 4] as number,
        notionalValue: flat[i + 5] as number,
        fee: flat[i + 6] as number,
        executionTimeMs: flat[i + 7] as number,
        slippageBps: flat[i + 8] as number,
        executionId: flat[i + 9] as string,
        orderId: flat[i + 10] as string | null,
        pnl: flat[i + 11] as number | null,
        additionalData: flat[i + 12] as TradeMetric['additionalData'],
      };
      events.push(trade);
      i += 13;
    } else if (tag === PNL) {
      const pnl: ProfitLossEvent = {
        eventType: EventType.PROFIT_LOSS,
        timestamp: flat[i] as number,
        symbol: flat[i + 1] as string,
        executionId: flat[i + 2] as string,
        realizedPnl: flat[i + 3] as number,
        positionQuantity: flat[i + 4] as number,
        averageCost: flat[i + 5] as number,
        cumulativeRealizedPnl: flat[i + 6] as number,
      };
      events.push(pnl);
      i += 7;
    } else if (tag === OTHER) {
      events.push(flat[i++] as MonitorEvent);
    } else {
      throw new Error(`history batch is malformed at value ${i - 1}`);
    }
  }
  return events;
}

// The writer thread's batch form: every row comes back exactly as it went, whatever its kind or shape.

import { describe, expect, it } from 'vitest';
import { buildProfitLoss, buildTrade } from '../../src/events/build.js';
import { EventType, type MonitorEvent, type TradeMetric } from '../../src/events/types.js';
import { DecodedBatch, encodeBatch } from '../../src/store/batchCodec.js';
import { T0 } from './helpers.js';

function roundTrip(events: readonly MonitorEvent[], start = 0, end = events.length): MonitorEvent[] {
  // Through structured clone, as postMessage would, transferring the buffer.
  const batch = encodeBatch(events, start, end);
  const copy = structuredClone(batch, { transfer: [batch.nums.buffer as ArrayBuffer] });
  const decoded = new DecodedBatch(copy);
  return Array.from({ length: decoded.length }, (_, i) => decoded.at(i));
}

describe('batch codec', () => {
  it('trades, P&L events and other events come back equal, in order', () => {
    const plain = buildTrade({ symbol: 'BTC/USDT', side: 'buy', quantity: 0.5, price: 65_000.25, executionId: 'e1' }, T0);
    const full = buildTrade(
      {
        symbol: 'ÉTH/€',
        side: 'sell',
        quantity: 2,
        price: 3000,
        fee: 1.5,
        executionTimeMs: 12,
        slippageBps: -0.5,
        executionId: 'e-2-ü',
        orderId: 'o-9',
        pnl: -12.75,
        additionalData: { venue: 'x', nested: { n: 1 } },
      },
      T0 + 1,
    );
    // Empty strings (never built, but they must keep their place) and a zero P&L.
    const zeroPnl = { ...buildTrade({ symbol: 'S', side: 'buy', quantity: 1, price: 1, pnl: 0 }, T0 + 2), executionId: '', orderId: '' };
    const pnl = buildProfitLoss({
      timestamp: T0 + 1,
      symbol: 'ÉTH/€',
      executionId: 'e-2-ü',
      realizedPnl: 4.25,
      positionQuantity: -1,
      averageCost: 2999.5,
      cumulativeRealizedPnl: 10,
    });
    const other = { eventType: EventType.PERFORMANCE_METRIC, timestamp: T0, metricName: 'm', value: 1, unit: 'u', tags: { a: 'b' } };
    const events = [plain, full, other, pnl, zeroPnl] as MonitorEvent[];
    expect(roundTrip(events)).toEqual(events);
    expect(roundTrip(events, 1, 4)).toEqual(events.slice(1, 4));
    expect(roundTrip([])).toEqual([]);
  });

  it('a hand-made row that does not fit the layout goes as it is (so the database refuses what it holds)', () => {
    const good = buildTrade({ symbol: 'A', side: 'buy', quantity: 1, price: 1, executionId: 'a' }, T0);
    const bad = { ...good, symbol: null, quantity: '1' } as unknown as TradeMetric;
    const back = roundTrip([good, bad]);
    expect(back).toEqual([good, bad]);
    expect((back[1] as unknown as { symbol: unknown }).symbol).toBeNull();
  });

  it('a malformed batch is refused, not misread', () => {
    const batch = encodeBatch([buildTrade({ symbol: 'A', side: 'buy', quantity: 1, price: 1, executionId: 'a' }, T0)], 0, 1);
    expect(() => new DecodedBatch({ ...batch, text: `${batch.text}x` })).toThrow(/malformed/);
    const nums = batch.nums.slice();
    nums[0] = 9;
    expect(() => new DecodedBatch({ ...batch, nums })).toThrow(/malformed/);
  });
});

// The facade's pipeline: every sink sees an event before the events derived from it, in one order.

import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type TimerHandle } from '../../src/clock.js';
import { EventType } from '../../src/events/types.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { addProbe, createTestMonitor, TEST_START } from '../helpers/monitor.js';

const HOUR = 3_600_000;

/** A clock whose timers never fire: an event loop too busy to run the hour timer before the next trade. */
class BusyLoopClock extends ManualClock {
  override setTimeout(): TimerHandle {
    return { id: 0 };
  }
  override clearTimeout(): void {}
}

describe('event pipeline', () => {
  let monitor: MonitoringSystem | null = null;
  afterEach(async () => {
    await monitor?.stop();
    monitor = null;
  });

  it('fans out a trade, then its P&L, then the growth hour the trade closed, to every sink in that order', async () => {
    const clock = new BusyLoopClock(TEST_START);
    monitor = createTestMonitor({ clock });
    const first = addProbe(monitor, 'first');
    const last = addProbe(monitor, 'last');
    await monitor.start();
    monitor.updateAccountBalance(1_000);
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100 });
    first.seen.length = 0;
    last.seen.length = 0;
    clock.advanceTo(TEST_START + HOUR);
    const trade = monitor.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 1, price: 110 });

    const expected = [EventType.TRADE_EXECUTION, EventType.PROFIT_LOSS, EventType.GROWTH_TRACKING];
    expect(first.seen.map((e) => e.eventType)).toEqual(expected);
    expect(last.seen).toEqual(first.seen);
    expect(first.seen[0]).toBe(trade);
    // The ring keeps the same order (newest first).
    expect(monitor.recentEvents.query({ limit: 3 }).map((e) => e.eventType)).toEqual([...expected].reverse());
  });
});

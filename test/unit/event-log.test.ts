// EventLog: the ring stays bounded, drops the oldest, and answers newest first by type, time and limit.

import { describe, expect, it } from 'vitest';
import { buildError, buildPerformance, buildProfitLoss, buildTrade } from '../../src/events/build.js';
import { EventLog } from '../../src/events/EventLog.js';
import { EventType, type MonitorEvent, type TradeEvent } from '../../src/events/types.js';
import { createTestMonitor } from '../helpers/monitor.js';

/** Event `i` at time `i * 1000`: a performance metric whose value is `i`, every third one an error. */
function event(i: number): MonitorEvent {
  return i % 3 === 2 ? buildError(`error ${i}`, {}, i * 1000) : buildPerformance('m', i, 'count', undefined, i * 1000);
}

const ids = (events: MonitorEvent[]) => events.map((e) => e.timestamp / 1000);

describe('EventLog', () => {
  it('keeps the newest N of N + k appended events, newest first', () => {
    const log = new EventLog(5);
    for (let i = 0; i < 8; i++) log.append(event(i));
    expect(log.size).toBe(5);
    expect(log.capacity).toBe(5);
    expect(log.totalAppended).toBe(8);
    expect(ids(log.query())).toEqual([7, 6, 5, 4, 3]);
  });

  it('holds fewer than N events in order before it fills', () => {
    const log = new EventLog(5);
    for (let i = 0; i < 3; i++) log.append(event(i));
    expect(log.size).toBe(3);
    expect(ids(log.query())).toEqual([2, 1, 0]);
  });

  it('stays right after wrapping around many times', () => {
    const log = new EventLog(7);
    for (let i = 0; i < 1000; i++) log.append(event(i));
    expect(log.size).toBe(7);
    expect(ids(log.query())).toEqual([999, 998, 997, 996, 995, 994, 993]);
    const oldestFirst: number[] = [];
    log.forEach((e) => {
      oldestFirst.push(e.timestamp / 1000);
    });
    expect(oldestFirst).toEqual([993, 994, 995, 996, 997, 998, 999]);
  });

  it('with capacity 1 holds only the last event', () => {
    const log = new EventLog(1);
    log.append(event(0));
    log.append(event(1));
    expect(ids(log.query())).toEqual([1]);
  });

  it('filters by type, since (inclusive), until (exclusive) and limit', () => {
    const log = new EventLog(100);
    for (let i = 0; i < 12; i++) log.append(event(i));
    expect(ids(log.query({ eventType: EventType.ERROR_EVENT }))).toEqual([11, 8, 5, 2]);
    expect(ids(log.query({ since: 9000 }))).toEqual([11, 10, 9]);
    expect(ids(log.query({ until: 2000 }))).toEqual([1, 0]);
    expect(ids(log.query({ eventType: EventType.PERFORMANCE_METRIC, since: 3000, until: 9000, limit: 2 }))).toEqual([7, 6]);
    expect(log.query({ limit: 0 })).toEqual([]);
    expect(log.query({ eventType: EventType.TRADE_EXECUTION })).toEqual([]);
  });

  it('finds events by since even when the wall clock stepped back', () => {
    const log = new EventLog(10);
    log.append(event(5));
    log.append(event(1)); // clock stepped back
    log.append(event(6));
    expect(ids(log.query({ since: 5000 }))).toEqual([6, 5]);
  });

  it('clear empties it but keeps the count of events ever appended', () => {
    const log = new EventLog(3);
    for (let i = 0; i < 4; i++) log.append(event(i));
    log.clear();
    expect(log.size).toBe(0);
    expect(log.query()).toEqual([]);
    expect(log.totalAppended).toBe(4);
    log.append(event(9));
    expect(ids(log.query())).toEqual([9]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses capacity %s', (capacity) => {
    expect(() => new EventLog(capacity)).toThrow(RangeError);
  });
});

describe('the monitor ring (POSEIDON_MAX_DATA_POINTS)', () => {
  it('is bounded at maxDataPoints and answers newest first', async () => {
    const monitor = createTestMonitor({ maxDataPoints: 5 });
    await monitor.start();
    try {
      for (let i = 1; i <= 8; i++) monitor.logPerformanceMetric('latency', i, 'milliseconds');
      const events = monitor.recentEvents.query({ limit: 100 });
      expect(events.map((e) => (e as { value: number }).value)).toEqual([8, 7, 6, 5, 4]);
      const health = monitor.getSystemHealth();
      expect(health.eventLogSize).toBe(5);
      expect(health.eventLogCapacity).toBe(5);
      // The start event and the eight metrics.
      expect(health.eventsRecorded).toBe(9);
    } finally {
      await monitor.stop();
    }
  });
});

describe('EventLog columns for trades and P&L events', () => {
  const trade = (i: number, extra: Record<string, unknown> = {}) =>
    buildTrade(
      {
        symbol: i % 2 === 0 ? 'BTCUSDT' : 'ETHUSDT',
        side: i % 3 === 0 ? 'sell' : 'buy',
        quantity: 0.1 + i,
        price: 45_000.5 + i,
        fee: i / 7,
        executionTimeMs: i,
        slippageBps: -i / 3,
        ...extra,
      },
      i * 1000,
    );
  const pnl = (i: number) =>
    buildProfitLoss({
      timestamp: i * 1000,
      symbol: 'BTCUSDT',
      executionId: `e${i}`,
      realizedPnl: -i / 3,
      positionQuantity: -0,
      averageCost: 1 / 3,
      cumulativeRealizedPnl: i * 1e300,
    });
  const same = (got: MonitorEvent, want: MonitorEvent) => {
    expect(got).toEqual(want);
    expect(Object.keys(got)).toEqual(Object.keys(want));
    expect(Object.isFrozen(got)).toBe(true);
    for (const [k, v] of Object.entries(want)) expect(Object.is((got as unknown as Record<string, unknown>)[k], v), k).toBe(true);
  };

  it('gives back every field of a trade and a P&L event exactly (nulls, -0, caller data), newest first, mixed with other events', () => {
    const log = new EventLog(10);
    const events: MonitorEvent[] = [
      trade(1),
      trade(2, { orderId: 'o-2', pnl: -0, additionalData: { note: 'x', n: [1, 2] } }),
      pnl(3),
      event(4),
      trade(5, { pnl: 12.5, executionId: 'given-id' }),
    ];
    for (const e of events) log.appendBuilt(e);
    const got = log.query();
    expect(got).toHaveLength(5);
    for (const [i, e] of got.entries()) same(e, events[4 - i]!);
    // Other events are kept as they are: the same object.
    expect(got[1]).toBe(events[3]);
    // The caller's data object is kept, not copied.
    expect((got[3] as TradeEvent).additionalData).toBe((events[1] as TradeEvent).additionalData);
    const seen: MonitorEvent[] = [];
    log.forEach((e) => {
      seen.push(e);
    });
    for (const [i, e] of seen.entries()) same(e, events[i]!);
  });

  it('filters kept columns by type, time and limit, and wraps around', () => {
    const log = new EventLog(4);
    const all: MonitorEvent[] = [];
    for (let i = 0; i < 11; i++) {
      const e = i % 3 === 0 ? pnl(i) : i % 3 === 1 ? trade(i) : event(i);
      all.push(e);
      log.appendBuilt(e);
    }
    expect(log.size).toBe(4);
    expect(log.totalAppended).toBe(11);
    const held = all.slice(-4).reverse();
    for (const [i, e] of log.query().entries()) same(e, held[i]!);
    expect(ids(log.query({ eventType: EventType.TRADE_EXECUTION }))).toEqual([10, 7]);
    expect(ids(log.query({ eventType: EventType.PROFIT_LOSS }))).toEqual([9]);
    expect(ids(log.query({ since: 8000, until: 10_000 }))).toEqual([9, 8]);
    expect(ids(log.query({ limit: 1 }))).toEqual([10]);
    log.clear();
    expect(log.query()).toEqual([]);
    const last = trade(20);
    log.appendBuilt(last);
    same(log.query()[0]!, last);
  });

  it('ids of every length and alphabet come back exactly, in slots that held ids of another kind before', () => {
    const log = new EventLog(3);
    const ids48 = 'a'.repeat(48);
    const variants: Record<string, unknown>[] = [
      { executionId: ids48, orderId: 'b'.repeat(49) },
      { executionId: `${ids48}z`, orderId: null },
      { executionId: 'ordre-é', orderId: 'o-€' },
      { executionId: 'x', orderId: ids48 },
      { executionId: '😀'.repeat(3), orderId: '' },
    ];
    const appended: MonitorEvent[] = [];
    // Every slot sees each kind of id in turn (5 variants over 3 slots, twice round).
    for (let round = 0; round < 2; round++) {
      for (const [i, v] of variants.entries()) {
        const t = Object.freeze({ ...trade(i + round * 10), ...v }) as MonitorEvent;
        const p = Object.freeze({ ...pnl(i + round * 10), executionId: v.executionId }) as MonitorEvent;
        for (const e of [t, p]) {
          log.appendBuilt(e);
          appended.push(e);
          const held = appended.slice(-3).reverse();
          for (const [k, got] of log.query().entries()) same(got, held[k]!);
        }
      }
    }
  });

  it('keeps a hand-made trade that the columns cannot hold as the object itself', () => {
    const log = new EventLog(3);
    const odd = Object.freeze({ ...trade(1), side: 'short' }) as unknown as MonitorEvent;
    const noNumber = Object.freeze({ ...trade(2), price: '1' }) as unknown as MonitorEvent;
    log.appendBuilt(odd);
    log.appendBuilt(noNumber);
    const [second, first] = log.query();
    expect(first).toBe(odd);
    expect(second).toBe(noNumber);
  });

  it('append() keeps even a trade as the object itself', () => {
    const log = new EventLog(2);
    const t = trade(1);
    log.append(t);
    expect(log.query()[0]).toBe(t);
  });
});

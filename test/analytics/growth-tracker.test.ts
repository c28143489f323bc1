import { describe, expect, it } from 'vitest';
import { GrowthTracker, HOUR_MS, hourStartOf } from '../../src/analytics/GrowthTracker.js';
import { type Clock, ManualClock } from '../../src/clock.js';
import { buildProfitLoss, buildSystemEvent, buildTrade } from '../../src/events/build.js';
import type { GrowthEvent, MonitorEvent } from '../../src/events/types.js';

const T0 = Date.UTC(2026, 10, 24, 22, 15); // 22:15 UTC, the day before a day boundary

function setup(start = T0) {
  const clock = new ManualClock(start);
  const rows: GrowthEvent[] = [];
  const tracker = new GrowthTracker(clock);
  // What the monitor's pipeline does: rows closed by an event, and rows closed by the hour timer, reach the sinks.
  const publisher = { publish: (row: MonitorEvent) => rows.push(row as GrowthEvent) };
  const record = (event: MonitorEvent) => {
    const derived: MonitorEvent[] = [];
    tracker.observe(event, derived);
    for (const row of derived) publisher.publish(row);
  };
  const balance = (b: number) => record(buildSystemEvent('balance_updated', 'b', { balance: b }, clock.now()));
  const trade = (qty: number, price: number, fee: number) =>
    record(buildTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: qty, price, fee }, clock.now()));
  const pnl = (v: number) =>
    record(
      buildProfitLoss({
        timestamp: clock.now(),
        symbol: 'BTCUSDT',
        executionId: 'x',
        realizedPnl: v,
        positionQuantity: 0,
        averageCost: 0,
        cumulativeRealizedPnl: v,
      }),
    );
  return { clock, rows, tracker, publisher, record, balance, trade, pnl };
}

describe('GrowthTracker', () => {
  it('closes one row per UTC hour with opening/closing balance, growth, trades, P&L, fees and volume', () => {
    const { clock, rows, tracker, publisher, balance, trade, pnl } = setup();
    tracker.start(publisher);
    balance(10_000);
    trade(0.1, 45_000, 4.5);
    trade(0.2, 45_000, 9);
    pnl(25);
    clock.advance(30 * 60_000); // 22:45
    balance(10_100);
    expect(rows).toHaveLength(0);
    clock.advanceTo(Date.UTC(2026, 10, 24, 23, 0));
    expect(rows).toHaveLength(1);
    const r = rows[0]!;
    expect(r.hourStart).toBe(Date.UTC(2026, 10, 24, 22));
    expect(r.timestamp).toBe(Date.UTC(2026, 10, 24, 23));
    expect(r.openingBalance).toBe(10_000);
    expect(r.closingBalance).toBe(10_100);
    expect(r.growthRatio).toBeCloseTo(0.01, 12);
    expect(r.tradeCount).toBe(2);
    expect(r.fees).toBeCloseTo(13.5, 12);
    expect(r.volume).toBeCloseTo(13_500, 9);
    expect(r.realizedPnl).toBe(25);
    expect(Object.isFrozen(r)).toBe(true);
  });

  it('carries the last balance across hours without updates and across the day boundary', () => {
    const { clock, rows, tracker, publisher, balance } = setup();
    tracker.start(publisher);
    balance(1_000);
    clock.advanceTo(Date.UTC(2026, 10, 25, 0, 30)); // 23:00 and 00:00 close
    balance(1_050);
    clock.advanceTo(Date.UTC(2026, 10, 25, 3, 0)); // 01:00, 02:00, 03:00
    expect(rows.map((r) => new Date(r.hourStart).toISOString().slice(0, 13))).toEqual([
      '2026-11-24T22',
      '2026-11-24T23',
      '2026-11-25T00',
      '2026-11-25T01',
      '2026-11-25T02',
    ]);
    expect(rows.map((r) => [r.openingBalance, r.closingBalance])).toEqual([
      [1_000, 1_000],
      [1_000, 1_000],
      [1_000, 1_050],
      [1_050, 1_050],
      [1_050, 1_050],
    ]);
    expect(rows[2]!.growthRatio).toBeCloseTo(0.05, 12);
    expect(rows[3]!.growthRatio).toBe(0);
  });

  it('writes nothing before the first balance is known', () => {
    const { clock, rows, tracker, publisher, trade } = setup();
    tracker.start(publisher);
    trade(1, 10, 0);
    clock.advance(3 * HOUR_MS);
    expect(rows).toHaveLength(0);
  });

  it('an event stamped after a boundary closes the hour even before the timer fires', () => {
    const { clock, rows, tracker, balance, trade } = setup();
    balance(500); // not started: no timer
    clock.advanceTo(Date.UTC(2026, 10, 24, 23, 5));
    trade(1, 10, 0);
    expect(rows).toHaveLength(1);
    expect(tracker.openHour().tradeCount).toBe(1);
    expect(tracker.openHour().hourStart).toBe(Date.UTC(2026, 10, 24, 23));
  });

  it('resumes the open hour after a restart', () => {
    const { clock, rows, tracker, publisher, record } = setup(Date.UTC(2026, 10, 24, 10, 40));
    tracker.resume({
      hourStart: Date.UTC(2026, 10, 24, 10),
      openingBalance: 2_000,
      currentBalance: 2_010,
      tradeCount: 4,
      realizedPnl: 7,
      fees: 1,
      volume: 400,
    });
    tracker.start(publisher);
    record(buildSystemEvent('balance_updated', 'b', { balance: 2_020 }, clock.now()));
    clock.advanceTo(Date.UTC(2026, 10, 24, 11));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ openingBalance: 2_000, closingBalance: 2_020, tradeCount: 4, realizedPnl: 7, fees: 1, volume: 400 });
  });

  it('a resumed hour that is already over is closed with its own figures; the hours the monitor was down get no row', () => {
    const { clock, rows, tracker, publisher } = setup(Date.UTC(2026, 10, 24, 12, 10));
    tracker.resume({
      hourStart: Date.UTC(2026, 10, 24, 10),
      openingBalance: 2_000,
      currentBalance: 2_100,
      tradeCount: 4,
      realizedPnl: 7,
      fees: 1,
      volume: 400,
    });
    expect(rows).toHaveLength(0); // published once there is somewhere to publish
    tracker.start(publisher);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      hourStart: Date.UTC(2026, 10, 24, 10),
      timestamp: Date.UTC(2026, 10, 24, 11),
      openingBalance: 2_000,
      closingBalance: 2_100,
      tradeCount: 4,
      realizedPnl: 7,
      fees: 1,
      volume: 400,
    });
    clock.advanceTo(Date.UTC(2026, 10, 24, 13));
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ hourStart: Date.UTC(2026, 10, 24, 12), openingBalance: 2_100, closingBalance: 2_100, tradeCount: 0 });
  });

  it('an hour resumed after start() is published at once', () => {
    const { rows, tracker, publisher } = setup(Date.UTC(2026, 10, 24, 12, 10));
    tracker.start(publisher);
    tracker.resume({
      hourStart: Date.UTC(2026, 10, 24, 11),
      openingBalance: 10,
      currentBalance: 11,
      tradeCount: 1,
      realizedPnl: 1,
      fees: 0,
      volume: 5,
    });
    expect(rows.map((r) => [r.hourStart, r.openingBalance, r.closingBalance])).toEqual([[Date.UTC(2026, 10, 24, 11), 10, 11]]);
    expect(tracker.openHour()).toMatchObject({
      hourStart: Date.UTC(2026, 10, 24, 12),
      openingBalance: 11,
      currentBalance: 11,
      tradeCount: 0,
    });
  });

  describe('a wall clock set back by hours', () => {
    /** A wall clock over monotonic timers, as the system's: `setBack` moves `now()` back, timers keep their delays. */
    function steppedClock(start: number) {
      const timers = new ManualClock(start);
      let offset = 0;
      const clock: Clock = {
        now: () => timers.now() + offset,
        setTimeout: (callback, delay) => timers.setTimeout(callback, delay),
        clearTimeout: (handle) => timers.clearTimeout(handle),
      };
      return {
        clock,
        setBack: (ms: number) => {
          offset -= ms;
        },
        advanceTo: (wall: number) => timers.advanceTo(wall - offset),
      };
    }

    function tracked(start: number) {
      const wall = steppedClock(start);
      const rows: GrowthEvent[] = [];
      const tracker = new GrowthTracker(wall.clock);
      const publisher = { publish: (row: MonitorEvent) => rows.push(row as GrowthEvent) };
      const record = (event: MonitorEvent) => {
        const derived: MonitorEvent[] = [];
        tracker.observe(event, derived);
        for (const row of derived) publisher.publish(row);
      };
      tracker.start(publisher);
      const hours = () => rows.map((r) => new Date(r.hourStart).toISOString().slice(11, 13));
      return { wall, rows, tracker, record, hours };
    }

    it('rows go on every hour after the step, without waiting for the old hour to come round', () => {
      const { wall, record, hours, rows } = tracked(Date.UTC(2026, 10, 24, 8, 30));
      record(buildSystemEvent('balance_updated', 'b', { balance: 1_000 }, wall.clock.now()));
      wall.advanceTo(Date.UTC(2026, 10, 24, 12, 40));
      expect(hours()).toEqual(['08', '09', '10', '11']);
      wall.setBack(3 * HOUR_MS); // 12:40 -> 09:40
      wall.advanceTo(Date.UTC(2026, 10, 24, 13, 30));
      expect(hours()).toEqual(['08', '09', '10', '11', '10', '11', '12']);
      expect(rows.at(-1)).toMatchObject({ openingBalance: 1_000, closingBalance: 1_000 });
    });

    it('an event after the step moves the open hour back at once, and its figures go on', () => {
      const { wall, record, hours, rows, tracker } = tracked(Date.UTC(2026, 10, 24, 12, 10));
      record(buildSystemEvent('balance_updated', 'b', { balance: 1_000 }, wall.clock.now()));
      wall.setBack(3 * HOUR_MS); // 12:10 -> 09:10
      record(buildTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 10 }, wall.clock.now()));
      expect(tracker.openHour()).toMatchObject({ hourStart: Date.UTC(2026, 10, 24, 9), tradeCount: 1, openingBalance: 1_000 });
      wall.advanceTo(Date.UTC(2026, 10, 24, 11, 0));
      expect(hours()).toEqual(['09', '10']);
      expect(rows[0]).toMatchObject({ tradeCount: 1, volume: 10 });
    });
  });

  it('stop() cancels the timer', () => {
    const { clock, tracker, publisher } = setup();
    tracker.start(publisher);
    expect(clock.pendingTimers).toBe(1);
    tracker.stop();
    expect(clock.pendingTimers).toBe(0);
    expect(hourStartOf(Date.UTC(2026, 0, 1, 5, 59, 59, 999))).toBe(Date.UTC(2026, 0, 1, 5));
  });
});

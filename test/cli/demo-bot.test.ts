// DemoBot: reproducible from its seed, realistic trades, and every recording API exercised.

import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_LOOP_NAME, DemoBot } from '../../src/cli/demo/DemoBot.js';
import { STARTING_PRICES } from '../../src/cli/demo/MarketSimulator.js';
import { EventType, type MonitorEvent, type TradeEvent } from '../../src/events/types.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { clockOf, createTestMonitor } from '../helpers/monitor.js';

const monitors: MonitoringSystem[] = [];
afterEach(async () => {
  for (const m of monitors.splice(0)) await m.stop();
});

async function monitor(): Promise<MonitoringSystem> {
  const m = createTestMonitor({ maxDataPoints: 1_000_000 });
  monitors.push(m);
  await m.start();
  return m;
}

/** Runs `n` loop iterations 5 simulated seconds apart on a manual clock; returns every event, oldest first. */
async function run(seed: number, n: number): Promise<{ bot: DemoBot; events: MonitorEvent[]; m: MonitoringSystem }> {
  const m = await monitor();
  const bot = new DemoBot(m, { seed });
  for (let i = 0; i < n; i++) {
    await bot.runIteration();
    clockOf(m).advance(bot.loopIntervalMs);
  }
  return { bot, m, events: m.recentEvents.query({ limit: 1_000_000 }).reverse() };
}

/** An event without the fields that are random by design (error ids, stack traces with file paths). */
function comparable(e: MonitorEvent): unknown {
  const { errorId: _id, stackTrace: _stack, ...rest } = e as MonitorEvent & { errorId?: string; stackTrace?: string };
  return rest;
}

const trades = (events: MonitorEvent[]) => events.filter((e): e is TradeEvent => e.eventType === EventType.TRADE_EXECUTION);

describe('DemoBot', () => {
  it('produces the identical event sequence for the same seed and number of iterations', async () => {
    const a = await run(42, 400);
    const b = await run(42, 400);
    expect(trades(a.events).length).toBeGreaterThan(10);
    expect(a.events.map(comparable)).toEqual(b.events.map(comparable));
    expect(a.bot.stats).toEqual(b.bot.stats);
  });

  it('produces a different run for a different seed', async () => {
    const a = await run(1, 200);
    const b = await run(2, 200);
    expect(trades(a.events).map((t) => t.price)).not.toEqual(trades(b.events).map((t) => t.price));
  });

  it('trades realistically: prices near each symbol’s level, 0.1 % fees, ~150 ms fills, small slippage, buys and sells', async () => {
    const { events, bot } = await run(7, 3_000);
    const ts = trades(events);
    expect(ts.length).toBeGreaterThan(50);
    for (const t of ts) {
      const start = STARTING_PRICES[t.symbol]!;
      // About four simulated hours: a price stays within a few percent of where it started.
      expect(t.price).toBeGreaterThan(start * 0.8);
      expect(t.price).toBeLessThan(start * 1.2);
      expect(t.fee).toBeCloseTo(t.notionalValue * 0.001, 9);
      expect(t.executionTimeMs).toBeGreaterThan(0);
      expect(Math.abs(t.slippageBps)).toBeLessThan(15);
      expect(t.executionId).toMatch(/^trade-7-\d+$/);
    }
    const exec = ts.map((t) => t.executionTimeMs).sort((x, y) => x - y);
    const median = exec[Math.floor(exec.length / 2)]!;
    expect(median).toBeGreaterThan(100);
    expect(median).toBeLessThan(200);
    expect(ts.some((t) => t.slippageBps < 0)).toBe(true);
    expect(ts.some((t) => t.side === 'buy')).toBe(true);
    expect(ts.some((t) => t.side === 'sell')).toBe(true);
    expect(new Set(ts.map((t) => t.symbol))).toEqual(new Set(bot.symbols));
    // Trade sizes come from the balance: 1–8 % of 10 000 USDT per order (a sell of half a position is smaller).
    for (const t of ts.filter((x) => x.side === 'buy')) {
      expect(t.notionalValue).toBeGreaterThan(50);
      expect(t.notionalValue).toBeLessThan(1_000);
    }
  });

  it('realizes both profits and losses, and books them into the balance', async () => {
    const { events, bot, m } = await run(3, 3_000);
    const pnl = events.filter((e) => e.eventType === EventType.PROFIT_LOSS).map((e) => (e as { realizedPnl: number }).realizedPnl);
    expect(pnl.some((p) => p > 0)).toBe(true);
    expect(pnl.some((p) => p < 0)).toBe(true);
    expect(m.accountBalance).toBeCloseTo(bot.startingBalance + m.totalRealizedPnl, 9);
    expect(bot.stats.balance).toBe(m.accountBalance);
    // Positions the bot still holds are long ones: it never sells what it does not have.
    for (const p of m.getPositions()) expect(p.quantity).toBeGreaterThanOrEqual(0);
  });

  it('reports loops, liquidity on its interval, performance metrics and occasional errors', async () => {
    const { events, bot, m } = await run(5, 6_000);
    const loops = events.filter((e) => e.eventType === EventType.LOOP_EXECUTION);
    expect(loops).toHaveLength(6_000);
    expect(loops.every((l) => (l as { loopName: string }).loopName === DEMO_LOOP_NAME)).toBe(true);
    // The default liquidity interval is 300 s, every 60th loop of 5 s: 100 snapshots per symbol.
    expect(events.filter((e) => e.eventType === EventType.LIQUIDITY_ANALYSIS)).toHaveLength(100 * bot.symbols.length);
    expect(events.filter((e) => e.eventType === EventType.PERFORMANCE_METRIC).length).toBe(6_000);
    const errors = events.filter((e) => e.eventType === EventType.ERROR_EVENT) as { errorType: string; severity: string }[];
    const types = new Set(errors.map((e) => e.errorType));
    expect(types.has('network_timeout')).toBe(true);
    expect(types.has('order_rejected')).toBe(true);
    expect(errors.length).toBeLessThan(6_000 * 0.05);
    expect(errors.length).toBe(bot.stats.errors);
    // Failed runs are recorded by trackLoop as unsuccessful loops with a loop_error.
    const failed = loops.filter((l) => !(l as { success: boolean }).success).length;
    expect(failed).toBe(bot.stats.failedIterations);
    expect(m.getActiveExecutions()).toHaveLength(0);
  });

  it('runs on the monitor’s clock once started, every loop interval, and stops cleanly', async () => {
    const m = await monitor();
    const bot = new DemoBot(m, { seed: 1 });
    bot.start();
    expect(m.accountBalance).toBe(10_000);
    // A run is async (trackLoop awaits its body); let it settle before the next timer is due.
    const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
    for (let i = 0; i < 12; i++) {
      clockOf(m).advance(bot.loopIntervalMs);
      await settle();
    }
    expect(bot.stats.iterations).toBe(12); // one run per 5 simulated seconds
    clockOf(m).advance(bot.loopIntervalMs - 1);
    await settle();
    expect(bot.stats.iterations).toBe(12);
    await bot.stop();
    clockOf(m).advance(600_000);
    await settle();
    expect(bot.stats.iterations).toBe(12);
    await bot.stop(); // twice is safe
  });
});

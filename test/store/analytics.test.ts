// The dashboards' aggregate queries answered by the store, SQLite and memory alike, against hand-computed figures.

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sumAggregates } from '../../src/analytics/AnalyticsQueries.js';
import { ManualClock } from '../../src/clock.js';
import { ErrorType } from '../../src/events/types.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { TABLES } from '../../src/store/schema.js';
import { monitorAt, T0, tempDirs } from './helpers.js';

const dirs = tempDirs();
const open: MonitoringSystem[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
  dirs.cleanup();
});

const H = 3_600_000;

describe.each([
  ['sqlite', true],
  ['memory', false],
])('analytics queries (%s)', (_name, onDisk) => {
  it('aggregate trades, percentiles, loops, errors per hour and growth rows as computed by hand', async () => {
    const clock = new ManualClock(T0);
    const m = monitorAt(onDisk ? join(dirs.make(), 'a.db') : null, clock);
    open.push(m);
    await m.start();
    // The ledger spreads the buy's fee over its cost: 100.25 a unit.
    m.logTrade({ symbol: 'BTC', side: 'buy', quantity: 2, price: 100, fee: 0.5, executionTimeMs: 10, slippageBps: 1 });
    clock.advance(1000);
    m.logTrade({ symbol: 'BTC', side: 'sell', quantity: 1, price: 120, fee: 0.25, executionTimeMs: 30, slippageBps: -1 }); // 120 − 100.25 − 0.25 = +19.5
    clock.advance(1000);
    const last = m.logTrade({ symbol: 'BTC', side: 'sell', quantity: 1, price: 90, executionTimeMs: 20 }); // 90 − 100.25 = −10.25
    const eth = m.logTrade({ symbol: 'ETH', side: 'buy', quantity: 1, price: 50, executionTimeMs: 40, pnl: 5 }); // caller's +5

    m.startLoopExecution('a');
    clock.advance(100);
    const firstRun = m.endLoopExecution('a');
    m.startLoopExecution('a');
    clock.advance(300);
    m.endLoopExecution('a', { success: false });
    m.startLoopExecution('b');
    clock.advance(50);
    m.endLoopExecution('b');

    m.logError('x', { errorType: ErrorType.API_RATE_LIMIT, severity: 'high' });
    m.logError('y', { errorType: ErrorType.API_RATE_LIMIT, severity: 'high' });
    m.logError('z', { errorType: ErrorType.API_ERROR, severity: 'low' });
    m.metricsCollector.recordHourlyGrowth({ currentBalance: 1000, tradeCount: 4, pnl: 15 });
    clock.advance(H);
    m.logError('w', { errorType: ErrorType.API_RATE_LIMIT, severity: 'high' });
    const g2 = m.metricsCollector.recordHourlyGrowth({ currentBalance: 1100, tradeCount: 0, pnl: 0 });

    const q = m.store.analytics();
    const all = { since: T0, until: T0 + 10 * H };
    expect(q.tradeAggregate(all)).toEqual({
      tradeCount: 4,
      buyCount: 2,
      sellCount: 2,
      volume: 460,
      fees: 0.75,
      realizedPnl: 14.25,
      closedTrades: 3,
      wins: 2,
      losses: 1,
      grossProfit: 24.5,
      grossLoss: 10.25,
      executionTimeMsSum: 100,
      slippageBpsSum: 0,
    });
    expect(q.tradeAggregate({ since: T0 + 1, until: T0 + 1000 }).tradeCount).toBe(0);
    expect(q.tradeAggregate({ since: T0 + 5 * H, until: T0 + 6 * H })).toMatchObject({ tradeCount: 0, volume: 0, realizedPnl: 0 });
    const bySymbol = q.tradeAggregateBySymbol(all);
    expect(bySymbol.map((s) => [s.symbol, s.tradeCount, s.realizedPnl, s.wins, s.losses])).toEqual([
      ['BTC', 3, 9.25, 1, 1],
      ['ETH', 1, 5, 1, 0],
    ]);
    expect(q.executionTimePercentiles(all, [0, 50, 95, 100])).toEqual([10, 20, 40, 40]);
    expect(q.executionTimePercentiles({ since: 0, until: 1 }, [50])).toEqual([null]);
    // Per-minute totals add up to the range's aggregates, minute by minute in time order.
    const minutes = q.minuteTotals(all);
    expect(minutes.map((m) => m.minuteStart)).toEqual([...minutes.map((m) => m.minuteStart)].sort((a, b) => a - b));
    expect(minutes.every((m) => m.minuteStart % 60_000 === 0)).toBe(true);
    const total = q.tradeAggregate(all);
    expect(minutes.reduce((n, m) => n + m.tradeCount, 0)).toBe(total.tradeCount);
    expect(minutes.reduce((n, m) => n + m.volume, 0)).toBeCloseTo(total.volume, 9);
    expect(minutes.reduce((n, m) => n + m.realizedPnl, 0)).toBeCloseTo(total.realizedPnl, 9);
    expect(minutes.reduce((n, m) => n + m.errorCount, 0)).toBe(q.errorCounts(all).reduce((n, e) => n + e.count, 0));
    expect(minutes.reduce((n, m) => n + m.errorCount, 0)).toBeGreaterThan(0);
    // The trading dashboard's totals are the sums of its per-symbol rows: every field is covered.
    const summed = sumAggregates(q.tradeAggregateBySymbol(all));
    expect(Object.keys(summed).sort()).toEqual(Object.keys(total).sort());
    for (const [k, v] of Object.entries(total)) expect(summed[k as keyof typeof summed], k).toBeCloseTo(v, 9);
    expect(q.recentTrades(2)).toEqual([
      { trade: eth, realizedPnl: 5 },
      { trade: last, realizedPnl: -10.25 },
    ]);

    expect(q.loopAggregates(all)).toEqual([
      { loopName: 'a', runs: 2, successes: 1, durationMsSum: 400, maxDurationMs: 300, lastSuccessAt: firstRun.timestamp },
      { loopName: 'b', runs: 1, successes: 1, durationMsSum: 50, maxDurationMs: 50, lastSuccessAt: firstRun.timestamp + 350 },
    ]);
    expect(q.loopDurationPercentile(all, 'a', 50)).toBe(100);
    expect(q.loopDurationPercentile(all, 'a', 95)).toBe(300);
    expect(q.loopDurationPercentile(all, 'nope', 95)).toBeNull();

    expect(q.errorCounts(all)).toEqual([
      { errorType: 'api_error', severity: 'low', hourStart: T0, count: 1 },
      { errorType: 'api_rate_limit', severity: 'high', hourStart: T0, count: 2 },
      { errorType: 'api_rate_limit', severity: 'high', hourStart: T0 + H, count: 1 },
    ]);
    // Growth rows are selected by their hour, oldest first.
    expect(q.growthRows({ since: T0 + H, until: T0 + 2 * H })).toEqual([g2]);
    expect(q.growthRows(all).map((g) => g.closingBalance)).toEqual([1000, 1100]);
  });
});

describe('two bots sharing one database file', () => {
  it('each bot’s dashboards count only its own rows (and rows from before rows carried a bot)', async () => {
    const path = join(dirs.make(), 'shared.db');
    const clock = new ManualClock(T0);
    const alpha = monitorAt(path, clock, {
      botName: 'alpha',
      strategy: 'mean-revert',
      exchange: 'binance',
      enableHourlyGrowth: true,
      installSignalHandlers: false,
    });
    const beta = monitorAt(path, clock, { botName: 'beta', enableHourlyGrowth: true, installSignalHandlers: false });
    open.push(alpha, beta);
    await alpha.start();
    await beta.start();
    alpha.updateAccountBalance(1_000);
    beta.updateAccountBalance(5_000);
    alpha.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 100 });
    beta.logTrade({ symbol: 'ETH', side: 'buy', quantity: 2, price: 50 });
    beta.logTrade({ symbol: 'ETH', side: 'sell', quantity: 2, price: 60 });
    clock.advance(H);
    await alpha.flush();
    await beta.flush();

    const a = alpha.getTradingDashboard({ hours: 2 });
    const b = beta.getTradingDashboard({ hours: 2 });
    expect([a.tradingStats.tradeCount, a.tradingStats.volume, a.tradingStats.realizedPnl]).toEqual([1, 100, 0]);
    expect([b.tradingStats.tradeCount, b.tradingStats.volume, b.tradingStats.realizedPnl]).toEqual([2, 220, 20]);
    expect(a.recentTrades.map((t) => t.symbol)).toEqual(['BTC']);
    expect(a.hourlyGrowth.filter((g) => !g.inProgress).map((g) => g.openingBalance)).toEqual([1_000]);
    expect(b.hourlyGrowth.filter((g) => !g.inProgress).map((g) => g.openingBalance)).toEqual([5_000]);
    // Each bot's history queries read its own rows; every row is in the file, each with its bot's identity.
    expect(alpha.metricsCollector.getTradeMetrics({ limit: 10 }).map((t) => t.symbol)).toEqual(['BTC']);
    expect(beta.metricsCollector.getTradeMetrics({ limit: 10 })).toHaveLength(2);
    const raw = new Database(path, { readonly: true });
    try {
      for (const table of TABLES) {
        const identities = raw.prepare(`SELECT DISTINCT bot, strategy, exchange FROM ${table} ORDER BY bot`).all();
        const expected = { trades: 2, growth_metrics: 2 }[table as string] ?? 0;
        expect(identities.length, table).toBe(expected);
      }
      expect(raw.prepare('SELECT DISTINCT bot, strategy, exchange FROM trades ORDER BY bot').all()).toEqual([
        { bot: 'alpha', strategy: 'mean-revert', exchange: 'binance' },
        { bot: 'beta', strategy: '', exchange: '' },
      ]);
    } finally {
      raw.close();
    }
  });
});

describe('per-symbol trade aggregates on a file', () => {
  it('match a tally by hand: symbols in binary order, only the range, only this bot, none without trades in the range', async () => {
    const path = join(dirs.make(), 'symbols.db');
    const clock = new ManualClock(T0);
    const mine = monitorAt(path, clock, { botName: 'mine' });
    const other = monitorAt(path, clock, { botName: 'other' });
    open.push(mine, other);
    await mine.start();
    await other.start();
    // Upper and lower case and a prefix: binary order is 'AB', 'ABC', 'B', 'ab'.
    const names = ['ab', 'B', 'ABC', 'AB'];
    const tally = new Map<string, { tradeCount: number; buyCount: number; volume: number; fees: number; executionTimeMsSum: number }>();
    // Before the range: a symbol traded only then must not appear.
    mine.logTrade({ symbol: 'OLD', side: 'buy', quantity: 1, price: 10, fee: 0.1, executionTimeMs: 5 });
    clock.advance(H);
    const since = clock.now();
    for (let i = 0; i < 40; i++) {
      const symbol = names[i % names.length]!;
      const side = i % 3 === 0 ? 'sell' : 'buy';
      const t = { symbol, side, quantity: 1 + (i % 5), price: 100 + i, fee: 0.01 * i, executionTimeMs: i } as const;
      mine.logTrade(t);
      const s = tally.get(symbol) ?? { tradeCount: 0, buyCount: 0, volume: 0, fees: 0, executionTimeMsSum: 0 };
      s.tradeCount++;
      if (side === 'buy') s.buyCount++;
      s.volume += t.quantity * t.price;
      s.fees += t.fee;
      s.executionTimeMsSum += t.executionTimeMs;
      tally.set(symbol, s);
      // The other bot trades the same symbols and one of its own, in the same range.
      other.logTrade({ symbol: i % 2 === 0 ? symbol : 'THEIRS', side: 'buy', quantity: 7, price: 1000, executionTimeMs: 999 });
      clock.advance(1000);
    }
    const until = clock.now();
    clock.advance(H);
    mine.logTrade({ symbol: 'LATE', side: 'buy', quantity: 1, price: 10 });
    await mine.flush();
    await other.flush();

    const rows = mine.store.analytics().tradeAggregateBySymbol({ since, until });
    expect(rows.map((r) => r.symbol)).toEqual(['AB', 'ABC', 'B', 'ab']);
    for (const r of rows) {
      const want = tally.get(r.symbol)!;
      expect(r.tradeCount, r.symbol).toBe(want.tradeCount);
      expect(r.buyCount, r.symbol).toBe(want.buyCount);
      expect(r.sellCount, r.symbol).toBe(want.tradeCount - want.buyCount);
      expect(r.volume, r.symbol).toBeCloseTo(want.volume, 9);
      expect(r.fees, r.symbol).toBeCloseTo(want.fees, 9);
      expect(r.executionTimeMsSum, r.symbol).toBe(want.executionTimeMsSum);
    }
    // The other bot sees its own symbols only.
    const theirs = other.store.analytics().tradeAggregateBySymbol({ since, until });
    expect(theirs.map((r) => r.symbol)).toEqual(['ABC', 'THEIRS', 'ab']);
    expect(theirs.reduce((n, r) => n + r.tradeCount, 0)).toBe(40);
    // A range with no trades.
    expect(mine.store.analytics().tradeAggregateBySymbol({ since: until + 10 * H, until: until + 11 * H })).toEqual([]);
  });
});

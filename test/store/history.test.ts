// History store on a real SQLite file (and the memory backend): exact round trips, queries, stats, growth.

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { ValidationError } from '../../src/errors.js';
import { ErrorType } from '../../src/events/types.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { monitorAt, openRaw, T0, tempDirs } from './helpers.js';

const dirs = tempDirs();
const open: MonitoringSystem[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
  dirs.cleanup();
});

async function started(dbPath: string | null, clock = new ManualClock(T0)): Promise<MonitoringSystem> {
  const m = monitorAt(dbPath, clock);
  open.push(m);
  await m.start();
  return m;
}

// Values chosen to catch float rounding, integer/real confusion and text mangling.
function logEverything(m: MonitoringSystem, clock: ManualClock) {
  const t1 = m.logTrade({
    symbol: 'BTC/USDT',
    side: 'buy',
    quantity: 0.1 + 0.2,
    price: 43_210.123456789,
    fee: 1e-12,
    executionTimeMs: 12.75,
    slippageBps: -3.5,
    executionId: 'exec-1',
    orderId: 'order-ü-1',
    additionalData: { venue: 'x', nested: { list: [1, 2.5, 'three', null, true] }, when: '2026-01-01T00:00:00.000Z' },
  });
  clock.advance(1);
  const t2 = m.logTrade({
    symbol: 'ETH/USDT',
    side: 'sell',
    quantity: 123_456_789.125,
    price: Number.MAX_SAFE_INTEGER,
    pnl: -42.000000001,
  });
  clock.advance(1);
  const perf = m.logPerformanceMetric('api_response_time', 120.5, 'milliseconds', { endpoint: '/order', retry: 2, ok: true });
  const liq = m.logLiquidityAnalysis({
    symbol: 'BTC/USDT',
    spread: 0.0002,
    bidSize: 1.5,
    askSize: 2.25,
    marketDepth: 1e9,
    volatility24h: 0.025,
    volume24h: 5e-324,
    bidPrice: 43_200,
    askPrice: 43_210.5,
  });
  const liq2 = m.logLiquidityAnalysis({ symbol: 'ETH/USDT', spread: 0, bidSize: 0, askSize: 0, marketDepth: 0 });
  const run = m.startLoopExecution('main', { additionalData: { round: 1 } });
  clock.advance(250);
  const loop = m.endLoopExecution('main', { success: false, tradesExecuted: 3, errorMessage: 'boom', additionalData: { cause: 'x' } });
  const err = m.logError(new Error('socket hang up'), {
    errorType: ErrorType.NETWORK_TIMEOUT,
    severity: 'critical',
    symbol: 'BTC/USDT',
    loopName: 'main',
    context: { attempt: 3 },
  });
  const err2 = m.logError('plain', {});
  return { t1, t2, perf, liq, liq2, run, loop, err, err2 };
}

describe.each([
  ['sqlite file', true],
  ['memory', false],
])('history store (%s)', (_name, onDisk) => {
  it('returns every field exactly as the facade built it, newest first, also after a restart', async () => {
    const clock = new ManualClock(T0);
    const path = onDisk ? join(dirs.make(), 'history.db') : null;
    const m = await started(path, clock);
    const e = logEverything(m, clock);
    // Before any flush: queries see the buffer.
    expect(m.metricsCollector.getTradeMetrics()).toEqual([e.t2, e.t1]);
    await m.flush();
    expect(m.metricsCollector.getTradeMetrics()).toEqual([e.t2, e.t1]);
    expect(m.metricsCollector.getPerformanceMetrics()).toEqual([e.perf]);
    expect(m.metricsCollector.getLiquidityMetrics()).toEqual([e.liq2, e.liq]);
    expect(m.metricsCollector.getLoopExecutions()).toEqual([e.loop]);
    expect(m.metricsCollector.getErrors()).toEqual([e.err2, e.err]);
    expect(Object.isFrozen(m.metricsCollector.getTradeMetrics()[0])).toBe(true);
    if (!onDisk) return;
    await m.stop();
    const again = await started(path, clock);
    expect(again.metricsCollector.getTradeMetrics()).toEqual([e.t2, e.t1]);
    expect(again.metricsCollector.getErrors()).toEqual([e.err2, e.err]);
    expect(again.metricsCollector.getLoopExecutions()).toEqual([e.loop]);
  });

  it('filters by time (since inclusive, until exclusive), symbol, name, loop, error type, and limits', async () => {
    const clock = new ManualClock(T0);
    const m = await started(onDisk ? join(dirs.make(), 'q.db') : null, clock);
    const trades = [];
    for (let i = 0; i < 10; i++) {
      trades.push(m.logTrade({ symbol: i % 2 === 0 ? 'BTC' : 'ETH', side: 'buy', quantity: i + 1, price: 100 }));
      m.logPerformanceMetric(i % 3 === 0 ? 'latency' : 'cpu', i);
      clock.advance(1000);
    }
    m.logError('a', { errorType: ErrorType.API_RATE_LIMIT, severity: 'high', symbol: 'BTC' });
    m.logError('b', { errorType: ErrorType.API_ERROR, severity: 'high' });
    m.startLoopExecution('fast');
    m.endLoopExecution('fast', { success: false });
    m.startLoopExecution('slow');
    m.endLoopExecution('slow');
    const mc = m.metricsCollector;
    expect(mc.getTradeMetrics({ since: T0 + 2000, until: T0 + 5000 })).toEqual([trades[4], trades[3], trades[2]]);
    expect(mc.getTradeMetrics({ since: new Date(T0 + 8000) })).toEqual([trades[9], trades[8]]);
    expect(mc.getTradeMetrics({ symbol: 'ETH', limit: 2 })).toEqual([trades[9], trades[7]]);
    expect(mc.getTradeMetrics({ symbol: 'DOGE' })).toEqual([]);
    expect(mc.getPerformanceMetrics({ metricName: 'latency' }).map((p) => p.value)).toEqual([9, 6, 3, 0]);
    expect(mc.getErrors({ errorType: ErrorType.API_RATE_LIMIT }).map((x) => x.message)).toEqual(['a']);
    expect(mc.getErrors({ severity: 'high', symbol: 'BTC' }).map((x) => x.message)).toEqual(['a']);
    expect(mc.getLoopExecutions({ success: false }).map((l) => l.loopName)).toEqual(['fast']);
    expect(mc.getLoopExecutions({ loopName: 'slow' }).map((l) => l.success)).toEqual([true]);
    expect(mc.getTradeMetrics({ limit: 1 })).toEqual([trades[9]]);
  });

  it('refuses bad query arguments with a ValidationError naming the field', async () => {
    const m = await started(onDisk ? join(dirs.make(), 'v.db') : null);
    const mc = m.metricsCollector;
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).field;
      }
      return 'nothing thrown';
    };
    expect(field(() => mc.getTradeMetrics({ since: Number.NaN }))).toBe('since');
    expect(field(() => mc.getTradeMetrics({ until: new Date('nope') }))).toBe('until');
    expect(field(() => mc.getTradeMetrics({ since: 10, until: 5 }))).toBe('until');
    expect(field(() => mc.getTradeMetrics({ limit: 0 }))).toBe('limit');
    expect(field(() => mc.getTradeMetrics({ limit: 1.5 }))).toBe('limit');
    expect(field(() => mc.getTradeMetrics({ symbol: '' }))).toBe('symbol');
    expect(field(() => mc.getTradeMetrics({ symbl: 'BTC' } as never))).toBe('symbl');
    expect(field(() => mc.getPerformanceMetrics({ metricName: 3 as never }))).toBe('metricName');
    expect(field(() => mc.getErrors({ errorType: 'oops' as never }))).toBe('errorType');
    expect(field(() => mc.getErrors({ severity: 'extreme' as never }))).toBe('severity');
    expect(field(() => mc.getLoopExecutions({ success: 'yes' as never }))).toBe('success');
    expect(field(() => mc.getGrowthMetrics('x' as never))).toBe('query');
    expect(field(() => mc.recordHourlyGrowth({ currentBalance: -1, tradeCount: 0, pnl: 0 }))).toBe('currentBalance');
    expect(field(() => mc.recordHourlyGrowth({ currentBalance: 1, tradeCount: 0.5, pnl: 0 }))).toBe('tradeCount');
    await expect(mc.cleanupOldData(0)).rejects.toMatchObject({ field: 'days' });
  });

  it('counts rows per table, buffered ones included, and reports write figures', async () => {
    const clock = new ManualClock(T0);
    const path = onDisk ? join(dirs.make(), 'stats.db') : null;
    const m = await started(path, clock);
    logEverything(m, clock);
    const before = m.metricsCollector.stats();
    expect(before.bufferedRows).toBeGreaterThan(0);
    expect(before.rowsWritten).toBe(0);
    // Reads the previous growth row, which flushes the buffer first (flush 1); its row stays buffered.
    m.metricsCollector.recordHourlyGrowth({ currentBalance: 1000, tradeCount: 2, pnl: 5 });
    // Rows, not events: a trade's P&L filled in is no row of its own.
    const rows = 2 + 1 + 2 + 1 + 2;
    expect(before.bufferedRows).toBeGreaterThan(rows);
    expect(m.metricsCollector.stats()).toMatchObject({ bufferedRows: 1, rowsWritten: rows, flushes: 1 });
    const stats = m.getDatabaseStats();
    expect(stats).toMatchObject({
      trades: 2,
      performance_metrics: 1,
      growth_metrics: 1,
      liquidity_metrics: 2,
      loop_executions: 1,
      errors: 2,
    });
    const after = m.metricsCollector.stats();
    expect(after.bufferedRows).toBe(0);
    expect(after.rowsWritten).toBe(rows + 1);
    expect(after.flushes).toBe(2);
    expect(after.lastFlushRows).toBe(1);
    expect(after.writeFailures).toBe(0);
    expect(after.droppedRows).toBe(0);
    if (onDisk) {
      expect(stats.db_size_bytes).toBeGreaterThan(4096);
      expect(stats.db_size_bytes).toBe(after.dbSizeBytes);
    } else {
      expect(stats.db_size_bytes).toBe(0);
    }
  });

  it('recordHourlyGrowth opens at the previous hour’s closing balance and goes through the facade', async () => {
    const clock = new ManualClock(T0 + 10 * 60_000);
    const m = await started(onDisk ? join(dirs.make(), 'g.db') : null, clock);
    const first = m.metricsCollector.recordHourlyGrowth({ currentBalance: 1000, tradeCount: 3, pnl: 12.5 });
    expect(first).toMatchObject({
      hourStart: T0,
      openingBalance: 1000,
      closingBalance: 1000,
      growthRatio: 0,
      tradeCount: 3,
      realizedPnl: 12.5,
    });
    clock.advance(60 * 60_000);
    const second = m.metricsCollector.recordHourlyGrowth({ currentBalance: 1100, tradeCount: 1, pnl: 100, fees: 1, volume: 5000 });
    expect(second).toMatchObject({ hourStart: T0 + 3_600_000, openingBalance: 1000, closingBalance: 1100, fees: 1, volume: 5000 });
    expect(second.growthRatio).toBeCloseTo(0.1, 12);
    // A second row in the same hour still opens at the earlier hour's close.
    const third = m.metricsCollector.recordHourlyGrowth({ currentBalance: 1200, tradeCount: 2, pnl: 0 });
    expect(third.openingBalance).toBe(1000);
    expect(m.metricsCollector.getGrowthMetrics()).toEqual([third, second, first]);
    expect(m.recentEvents.query({ eventType: 'growth_tracking' })).toHaveLength(3);
    expect(m.metricsCollector.getGrowthMetrics({ since: T0 + 3_600_000 + 10 * 60_000 })).toEqual([third, second]);
  });
});

describe('history store on SQLite', () => {
  it('stores snake_case columns, INTEGER epoch-ms timestamps, the ledger’s realized P&L, and the bot name', async () => {
    const clock = new ManualClock(T0);
    const path = join(dirs.make(), 'cols.db');
    const m = monitorAt(path, clock, { botName: 'bot-7' });
    open.push(m);
    await m.start();
    m.logTrade({ symbol: 'BTC', side: 'buy', quantity: 2, price: 100, executionId: 'b1', additionalData: { k: 1 } });
    await m.flush();
    clock.advance(5);
    // The sell closes half the position at +20; the ledger's P&L event lands in the same batch.
    const sell = m.logTrade({ symbol: 'BTC', side: 'sell', quantity: 1, price: 120, executionId: 's1' });
    const given = m.logTrade({ symbol: 'BTC', side: 'sell', quantity: 1, price: 90, executionId: 's2', pnl: 7 });
    await m.flush();
    const raw = openRaw(path);
    try {
      const rows = raw
        .prepare(
          'SELECT execution_id, typeof(timestamp) AS ts_type, timestamp, notional_value, realized_pnl, pnl_source, additional_data, bot FROM trades ORDER BY id',
        )
        .all();
      expect(rows).toEqual([
        {
          execution_id: 'b1',
          ts_type: 'integer',
          timestamp: T0,
          notional_value: 200,
          realized_pnl: null,
          pnl_source: null,
          additional_data: '{"k":1}',
          bot: 'bot-7',
        },
        {
          execution_id: 's1',
          ts_type: 'integer',
          timestamp: T0 + 5,
          notional_value: 120,
          realized_pnl: 20,
          pnl_source: 'ledger',
          additional_data: null,
          bot: 'bot-7',
        },
        {
          execution_id: 's2',
          ts_type: 'integer',
          timestamp: T0 + 5,
          notional_value: 90,
          realized_pnl: 7,
          pnl_source: 'caller',
          additional_data: null,
          bot: 'bot-7',
        },
      ]);
      for (const table of ['performance_metrics', 'growth_metrics', 'liquidity_metrics', 'loop_executions', 'errors']) {
        const cols = raw.prepare('SELECT name, type FROM pragma_table_info(?)').all(table) as { name: string; type: string }[];
        expect(cols.find((c) => c.name === 'timestamp')?.type).toBe('INTEGER');
        expect(cols.some((c) => c.name === 'bot')).toBe(true);
      }
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
    // The caller's own P&L is the trade's `pnl`; the ledger's figure is not invented into it.
    expect(m.metricsCollector.getTradeMetrics({ limit: 2 })).toEqual([given, sell]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('fills realized_pnl by UPDATE when the trade was flushed in an earlier batch', async () => {
    const { HistoryStore } = await import('../../src/store/HistoryStore.js');
    const { SqliteBackend } = await import('../../src/store/SqliteBackend.js');
    const { buildTrade, buildProfitLoss } = await import('../../src/events/build.js');
    const path = join(dirs.make(), 'pnl.db');
    const store = new HistoryStore(new SqliteBackend({ kind: 'file', path }), {
      clock: new ManualClock(T0),
      flushIntervalMs: 1000,
      maxBufferRows: 1000,
      retentionDays: null,
      onFailure: () => {},
    });
    store.start();
    const trade = buildTrade({ symbol: 'X', side: 'sell', quantity: 1, price: 10, executionId: 'e1' }, T0);
    store.record(trade);
    store.flush();
    store.record(
      buildProfitLoss({
        timestamp: T0,
        symbol: 'X',
        executionId: 'e1',
        realizedPnl: -3.25,
        positionQuantity: 0,
        averageCost: 0,
        cumulativeRealizedPnl: -3.25,
      }),
    );
    store.flush();
    await store.stop();
    const raw = openRaw(path);
    try {
      expect(raw.prepare('SELECT realized_pnl, pnl_source FROM trades').all()).toEqual([{ realized_pnl: -3.25, pnl_source: 'ledger' }]);
    } finally {
      raw.close();
    }
  });

  it('creates the database folder and file owner-only', async () => {
    const path = join(dirs.make(), 'nested', 'deeper', 'h.db');
    const m = await started(path);
    m.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 1 });
    await m.flush();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(`${path}-wal`).mode & 0o777).toBe(0o600);
  });

  it('sqlite::memory: keeps history in an in-memory SQLite database with the same answers', async () => {
    const clock = new ManualClock(T0);
    const m = monitorAt(null, clock, { storage: 'sqlite', dbUrl: 'sqlite::memory:' });
    open.push(m);
    await m.start();
    const e = logEverything(m, clock);
    await m.flush();
    expect(m.metricsCollector.getTradeMetrics()).toEqual([e.t2, e.t1]);
    expect(m.metricsCollector.getErrors()).toEqual([e.err2, e.err]);
    expect(m.getDatabaseStats()).toMatchObject({ trades: 2, errors: 2, db_size_bytes: 0 });
    expect(m.metricsCollector.stats().rowsWritten).toBeGreaterThan(0);
  });

  it('a monitor constructed but not started touches no file', async () => {
    const path = join(dirs.make(), 'untouched.db');
    monitorAt(path).logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 1 });
    expect(statSync(path, { throwIfNoEntry: false })).toBeUndefined();
  });
});

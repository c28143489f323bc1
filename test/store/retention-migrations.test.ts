// Retention (exact cutoff on a manual clock, chunked, automatic at start and daily) and schema migrations of older files.

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { buildTrade } from '../../src/events/build.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { DAY_MS, HistoryStore } from '../../src/store/HistoryStore.js';
import { SqliteBackend } from '../../src/store/SqliteBackend.js';
import { MIGRATIONS, SCHEMA_VERSION, TABLES } from '../../src/store/schema.js';
import { monitorAt, openRaw, T0, tempDirs } from './helpers.js';

const dirs = tempDirs();
const open: MonitoringSystem[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
  dirs.cleanup();
});

/** One row in each of the six tables, stamped now. */
function logOneOfEach(m: MonitoringSystem, k: number): void {
  m.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 100 + k });
  m.logPerformanceMetric('latency', k);
  m.logLiquidityAnalysis({ symbol: 'BTC', spread: 0.001, bidSize: 1, askSize: 1, marketDepth: 10 });
  m.startLoopExecution('main');
  m.endLoopExecution('main');
  m.logError(`error ${k}`);
  m.metricsCollector.recordHourlyGrowth({ currentBalance: 1000 + k, tradeCount: 1, pnl: 0 });
}

describe('retention', () => {
  it.each([
    ['sqlite', true],
    ['memory', false],
  ])('deletes exactly the rows older than N days, in every table (%s)', async (_n, onDisk) => {
    const clock = new ManualClock(T0);
    const m = monitorAt(onDisk ? join(dirs.make(), 'r.db') : null, clock);
    open.push(m);
    await m.start();
    for (let k = 0; k < 30; k++) {
      logOneOfEach(m, k);
      clock.advance(DAY_MS);
    }
    // Now T0 + 30 d; the cutoff of 7 days is T0 + 23 d exactly, where day 23's rows were stamped.
    const result = await m.metricsCollector.cleanupOldData(7);
    expect(result.cutoff).toBe(T0 + 23 * DAY_MS);
    expect(result.total).toBe(23 * 6);
    for (const t of TABLES) expect(result.deleted[t]).toBe(23);
    expect(m.getDatabaseStats()).toMatchObject(Object.fromEntries(TABLES.map((t) => [t, 7])));
    const oldest = m.metricsCollector.getTradeMetrics().at(-1)!;
    expect(oldest.timestamp).toBe(T0 + 23 * DAY_MS);
    expect((await m.metricsCollector.cleanupOldData(7)).total).toBe(0);
  });

  it('runs at start and then daily on the clock, in chunks that yield to the event loop', async () => {
    const path = join(dirs.make(), 'auto.db');
    const clock = new ManualClock(T0);
    const backend = new SqliteBackend({ kind: 'file', path });
    // The real backend, with its delete calls observed: how many, and whether other work ran between them.
    let deletes = 0;
    let ticks = 0;
    let ticksSeenBetweenChunks = 0;
    const realDelete = backend.deleteOlderThan.bind(backend);
    backend.deleteOlderThan = (table, cutoff, limit) => {
      deletes++;
      ticksSeenBetweenChunks = ticks;
      return realDelete(table, cutoff, limit);
    };
    const store = new HistoryStore(backend, {
      clock,
      flushIntervalMs: 1000,
      maxBufferRows: 100_000,
      retentionDays: 2,
      retentionChunkRows: 10,
      onFailure: (e) => {
        throw e;
      },
    });
    // 100 trades a day old, 100 three days old (written before the store's clock moves).
    for (let i = 0; i < 100; i++) store.record(buildTrade({ symbol: 'OLD', side: 'buy', quantity: 1, price: 1 }, T0 - 3 * DAY_MS));
    for (let i = 0; i < 100; i++) store.record(buildTrade({ symbol: 'NEW', side: 'buy', quantity: 1, price: 1 }, T0 - DAY_MS));
    const ticker = setInterval(() => ticks++, 0);
    try {
      store.start();
      await store.cleanupInProgress;
      expect(backend.counts().trades).toBe(100);
      // 100 old rows in chunks of 10, plus the final short chunk and one empty call per other table.
      expect(deletes).toBeGreaterThanOrEqual(11);
      expect(ticksSeenBetweenChunks).toBeGreaterThan(0);
      clock.advance(DAY_MS);
      await store.cleanupInProgress;
      expect(backend.counts().trades).toBe(100);
      clock.advance(DAY_MS);
      await store.cleanupInProgress;
      // Day T0 + 2 d: the NEW rows (T0 − 1 d) are now 3 days old.
      expect(backend.counts().trades).toBe(0);
    } finally {
      clearInterval(ticker);
      await store.stop();
    }
  });
});

// The seed's layout (schema version 1), spelled out here as an older release wrote it.
const SEED_DDL = `
CREATE TABLE trades (id INTEGER PRIMARY KEY, timestamp INTEGER NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL,
  quantity REAL NOT NULL, price REAL NOT NULL, notional_value REAL NOT NULL, fee REAL NOT NULL DEFAULT 0,
  execution_time_ms REAL NOT NULL DEFAULT 0, slippage_bps REAL NOT NULL DEFAULT 0, execution_id TEXT NOT NULL);
CREATE TABLE performance_metrics (id INTEGER PRIMARY KEY, timestamp INTEGER NOT NULL, metric_name TEXT NOT NULL,
  value REAL NOT NULL, unit TEXT NOT NULL DEFAULT '', tags TEXT);
CREATE TABLE growth_metrics (id INTEGER PRIMARY KEY, timestamp INTEGER NOT NULL, hour_start INTEGER NOT NULL,
  opening_balance REAL NOT NULL, closing_balance REAL NOT NULL, growth_ratio REAL NOT NULL,
  trade_count INTEGER NOT NULL DEFAULT 0, realized_pnl REAL NOT NULL DEFAULT 0);
CREATE TABLE liquidity_metrics (id INTEGER PRIMARY KEY, timestamp INTEGER NOT NULL, symbol TEXT NOT NULL,
  spread REAL NOT NULL, bid_size REAL NOT NULL, ask_size REAL NOT NULL, market_depth REAL NOT NULL,
  volatility_24h REAL NOT NULL DEFAULT 0, volume_24h REAL NOT NULL DEFAULT 0);
INSERT INTO trades (timestamp, symbol, side, quantity, price, notional_value, fee, execution_time_ms, slippage_bps, execution_id)
  VALUES (${T0 - 1000}, 'BTC/USDT', 'buy', 0.5, 40000.25, 20000.125, 0.1, 3, 1.5, 'seed-1');
INSERT INTO growth_metrics (timestamp, hour_start, opening_balance, closing_balance, growth_ratio, trade_count, realized_pnl)
  VALUES (${T0 - 1000}, ${T0 - 3_600_000}, 900, 1000, 0.1111, 4, 100);
INSERT INTO liquidity_metrics (timestamp, symbol, spread, bid_size, ask_size, market_depth)
  VALUES (${T0 - 1000}, 'BTC/USDT', 0.001, 1, 2, 3);
`;

describe('migrations', () => {
  it.each([
    ['a version-1 file', 1],
    ['a seed file without a version (0)', 0],
  ])('migrate %s to the current schema, keeping its rows', async (_name, version) => {
    const path = join(dirs.make(), 'old.db');
    const raw = openRaw(path);
    raw.exec(SEED_DDL);
    raw.pragma(`user_version = ${version}`);
    raw.close();

    const clock = new ManualClock(T0);
    const m = monitorAt(path, clock);
    open.push(m);
    await m.start();
    expect(m.metricsCollector.getTradeMetrics()).toEqual([
      {
        eventType: 'trade_execution',
        timestamp: T0 - 1000,
        symbol: 'BTC/USDT',
        side: 'buy',
        quantity: 0.5,
        price: 40000.25,
        notionalValue: 20000.125,
        fee: 0.1,
        executionTimeMs: 3,
        slippageBps: 1.5,
        executionId: 'seed-1',
        orderId: null,
        pnl: null,
        additionalData: null,
      },
    ]);
    expect(m.metricsCollector.getGrowthMetrics()[0]).toMatchObject({ openingBalance: 900, closingBalance: 1000, fees: 0, volume: 0 });
    expect(m.metricsCollector.getLiquidityMetrics()[0]).toMatchObject({ bidPrice: null, askPrice: null });
    // The new tables and columns take writes; the growth row continues from the seed's close.
    const t = m.logTrade({ symbol: 'ETH', side: 'sell', quantity: 1, price: 2, orderId: 'o', additionalData: { a: 1 } });
    m.logError('after migration');
    m.startLoopExecution('l');
    m.endLoopExecution('l');
    expect(m.metricsCollector.recordHourlyGrowth({ currentBalance: 1010, tradeCount: 1, pnl: 0 }).openingBalance).toBe(1000);
    expect(m.metricsCollector.getTradeMetrics({ limit: 1 })).toEqual([t]);
    expect(m.getDatabaseStats()).toMatchObject({ trades: 2, errors: 1, loop_executions: 1, growth_metrics: 2, liquidity_metrics: 1 });
    await m.stop();

    const check = openRaw(path);
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const indexes = (check.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as { name: string }[]).map((r) => r.name);
      expect(indexes).toEqual(expect.arrayContaining(['idx_trades_timestamp', 'idx_trades_symbol_timestamp', 'idx_errors_timestamp']));
      // Version 4 dropped the random-id index: it cost more than half of every trade insert.
      expect(indexes).not.toContain('idx_trades_execution_id');
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      check.close();
    }
  });

  it("a version-7 file: errors stored with the old type spellings take the seed's, and balances are kept from then on", async () => {
    const path = join(dirs.make(), 'v7.db');
    const raw = openRaw(path);
    // The schema exactly as version 7 shipped it: its own migrations, run in order.
    for (const m of MIGRATIONS.filter((m) => m.version <= 7)) m.up(raw);
    raw.pragma('user_version = 7');
    const insert = raw.prepare(
      "INSERT INTO errors (timestamp, error_id, message, error_type, severity, bot) VALUES (?, ?, ?, ?, 'high', '')",
    );
    insert.run(T0 - 3000, 'e1', 'throttled', 'rate_limit');
    insert.run(T0 - 2000, 'e2', 'no money', 'insufficient_balance');
    insert.run(T0 - 1000, 'e3', 'slow', 'network_timeout');
    raw
      .prepare(
        'INSERT INTO growth_metrics (timestamp, hour_start, opening_balance, closing_balance, growth_ratio, bot) VALUES (?, ?, 900, 1000, 0.1111, ?)',
      )
      .run(T0, T0 - 3_600_000, '');
    raw.close();

    const clock = new ManualClock(T0 + 60_000);
    const m = monitorAt(path, clock, { botName: 'alpha', enableHourlyGrowth: true });
    open.push(m);
    await m.start();
    expect(m.metricsCollector.getErrors().map((e) => [e.errorId, e.errorType])).toEqual([
      ['e3', 'network_timeout'],
      ['e2', 'insufficient_funds'],
      ['e1', 'api_rate_limit'],
    ]);
    expect(m.metricsCollector.getErrors({ errorType: 'rate_limit' }).map((e) => e.errorId)).toEqual(['e1']);
    // No balance was stored before version 8: the open hour continues from the last growth row, as before.
    expect(m.accountBalance).toBeNull();
    expect(m.getHourlyReport(clock.now()).growthData).toMatchObject({ openingBalance: 1000 });
    m.updateAccountBalance(1_005);
    await m.stop();

    const check = openRaw(path);
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(check.prepare('SELECT error_type FROM errors ORDER BY id').pluck().all()).toEqual([
        'api_rate_limit',
        'insufficient_funds',
        'network_timeout',
      ]);
      expect(check.prepare('SELECT bot, balance, updated_at, opening_balance FROM balance_state').all()).toEqual([
        { bot: 'alpha', balance: 1_005, updated_at: T0 + 60_000, opening_balance: 1_005 },
      ]);
    } finally {
      check.close();
    }
  });

  it('a fresh file is created at the current version; a newer version is refused at start', async () => {
    const dir = dirs.make();
    const fresh = monitorAt(join(dir, 'fresh.db'));
    await fresh.start();
    await fresh.stop();
    const raw = openRaw(join(dir, 'fresh.db'));
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.pragma('user_version = 999');
    raw.close();
    const m = monitorAt(join(dir, 'fresh.db'));
    await expect(m.start()).rejects.toThrow(/schema version 999 is newer than this package's/);
    await m.stop();
  });
});

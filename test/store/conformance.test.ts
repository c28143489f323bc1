// One conformance suite for every history backend: the same recorded events give the same answers on sqlite, memory, file and redis.

import { appendFileSync, readdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { MonitoringConfig, type MonitoringConfigOptions } from '../../src/config/MonitoringConfig.js';
import { ErrorType } from '../../src/events/types.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { ownerFields, toRecord, tradeLine } from '../../src/store/fileRecords.js';
import { openHistoryReader } from '../../src/store/openHistoryReader.js';
import { normalizeQuery } from '../../src/store/queries.js';
import { DAY_MS } from '../../src/store/retention.js';
import { type FixtureRun, runFixture } from '../helpers/childProcess.js';
import { findRedisServer, type RedisServer, startRedis } from '../helpers/redis.js';
import { T0, tempDirs } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('../fixtures/store/backend-child.ts', import.meta.url));
const HOUR = 3_600_000;

interface BackendCase {
  readonly name: 'sqlite' | 'memory' | 'file' | 'redis';
  /** History outlives the process (restart and crash cases apply). */
  readonly persistent: boolean;
  /** The monitor's storage options for a store kept under `dir` (one store per dir, shared by its bots). */
  options(dir: string): MonitoringConfigOptions;
}

const BACKENDS: readonly BackendCase[] = [
  { name: 'sqlite', persistent: true, options: (dir) => ({ storage: 'sqlite', dbUrl: `sqlite:///${join(dir, 'history.db')}` }) },
  { name: 'memory', persistent: false, options: () => ({ storage: 'memory' }) },
  { name: 'file', persistent: true, options: (dir) => ({ storage: 'file', storagePath: join(dir, 'history') }) },
  // One redis-server for the suite; each store is a key prefix of its own.
  {
    name: 'redis',
    persistent: true,
    options: (dir) => ({ storage: 'redis', redisUrl: redis!.url, redisPrefix: `t_${basename(dir).replace(/[^A-Za-z0-9]/g, '_')}` }),
  },
];

const REDIS_SERVER = findRedisServer();
let redis: RedisServer | null = null;
beforeAll(async () => {
  if (REDIS_SERVER !== null) redis = await startRedis(REDIS_SERVER);
});
afterAll(async () => {
  await redis?.stop();
});

const dirs = tempDirs();
const running: MonitoringSystem[] = [];
afterEach(async () => {
  for (const m of running.splice(0)) await m.stop().catch(() => undefined);
  dirs.cleanup();
});

function monitor(b: BackendCase, dir: string, clock: ManualClock, extra: MonitoringConfigOptions = {}): MonitoringSystem {
  const m = new MonitoringSystem({
    enableMetricsServer: false,
    logFile: null,
    logLevel: 'ERROR',
    logConsole: false,
    botName: 'alpha',
    clock,
    ...b.options(dir),
    ...extra,
  });
  running.push(m);
  return m;
}

/**
 * Records a fixed history over three hours across a UTC midnight: trades with the caller's P&L,
 * with the ledger's, without any; every other kind of row; and balances, so growth rows close.
 */
function recordHistory(m: MonitoringSystem, clock: ManualClock): void {
  m.updateAccountBalance(10_000);
  for (let i = 0; i < 60; i++) {
    const symbol = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'][i % 3]!;
    m.logTrade({
      symbol,
      side: i % 4 < 2 ? 'buy' : 'sell',
      quantity: 0.1 + (i % 7) * 0.3,
      price: 100 + ((i * 37) % 50) + 0.125,
      fee: 0.01 * (i % 5),
      executionTimeMs: 5 + ((i * 13) % 40),
      slippageBps: (i % 9) - 4,
      executionId: `x${i % 50}`,
      ...(i % 10 === 9 ? { pnl: i % 20 === 9 ? 2.5 : -1.25 } : {}),
      ...(i % 6 === 0 ? { additionalData: { n: i, tags: ['a', null, 1.5] } } : {}),
    });
    if (i % 5 === 0) m.logPerformanceMetric(i % 10 === 0 ? 'api_ms' : 'fill_ms', i * 1.5, 'milliseconds', { venue: `v${i % 2}` });
    if (i % 7 === 0)
      m.logLiquidityAnalysis({ symbol, spread: 0.001 * i, bidSize: i, askSize: i + 1, marketDepth: 1e6, bidPrice: 99, askPrice: 101 });
    if (i % 4 === 0) {
      m.startLoopExecution(i % 8 === 0 ? 'main' : 'hedge');
      clock.advance(10 + i);
      m.endLoopExecution(i % 8 === 0 ? 'main' : 'hedge', { success: i % 12 !== 0, tradesExecuted: i % 3 });
    }
    if (i % 11 === 0)
      m.logError(new Error(`failure ${i}`), { errorType: ErrorType.NETWORK_TIMEOUT, severity: i % 22 === 0 ? 'critical' : 'low', symbol });
    if (i % 13 === 0) m.logError(`plain ${i}`, {});
    if (i % 20 === 19) m.updateAccountBalance(10_000 + i * 3);
    clock.advance(3 * 60_000 + 17);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A plain copy without what differs by nature between runs and backends: sizes on disk, process figures, random ids. */
function strip<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (key, v) =>
      /size_?bytes|sizeBytes|memory|uptime|rss|heap|cpu|eventLoop|stack_?trace/i.test(key) || (typeof v === 'string' && UUID.test(v))
        ? undefined
        : v,
    ),
  );
}

/** Every read a user or a dashboard makes. */
function answers(m: MonitoringSystem, since: number) {
  const c = m.metricsCollector;
  return {
    trades: strip(c.getTradeMetrics({ limit: 1000 })),
    tradesBtc: strip(c.getTradeMetrics({ symbol: 'BTC/USDT', since: since + HOUR, limit: 7 })),
    tradesUntil: strip(c.getTradeMetrics({ until: since + 2 * HOUR })),
    performance: strip(c.getPerformanceMetrics({ metricName: 'api_ms' })),
    liquidity: strip(c.getLiquidityMetrics({ symbol: 'ETH/USDT' })),
    growth: strip(c.getGrowthMetrics()),
    loops: strip(c.getLoopExecutions({ loopName: 'main', success: true })),
    failedLoops: strip(c.getLoopExecutions({ success: false })),
    errors: strip(c.getErrors({ errorType: ErrorType.NETWORK_TIMEOUT, severity: 'critical' })),
    allErrors: strip(c.getErrors()),
    counts: strip(m.getDatabaseStats()),
    positions: m.getPositions(),
    summary: strip(m.getDashboardSummary()),
    trading: strip(m.getTradingDashboard({ hours: 24 })),
    tradingShort: strip(m.getTradingDashboard({ hours: 1 })),
    performanceDashboard: strip(m.getPerformanceDashboard({ hours: 24 })),
    hourly: strip(m.getHourlyReport(since + HOUR)),
    export: strip(JSON.parse(m.exportDashboardData('json'))),
  };
}

// Two hours before a UTC midnight, so the history spans two day files.
const START = Date.UTC(2026, 0, 15, 22, 0, 0) + 1234;

async function recordedAnswers(b: BackendCase, reopen = false) {
  const clock = new ManualClock(START);
  const dir = dirs.make();
  const m = monitor(b, dir, clock);
  await m.start();
  recordHistory(m, clock);
  await m.flush();
  if (!reopen) return answers(m, START);
  await m.stop();
  const again = monitor(b, dir, clock);
  await again.start();
  return answers(again, START);
}

let reference: Awaited<ReturnType<typeof recordedAnswers>>;
beforeAll(async () => {
  reference = await recordedAnswers(BACKENDS[0]!);
  // A reference that holds nothing would make every comparison pass.
  expect(reference.trades).toHaveLength(60);
  expect(reference.growth.length).toBeGreaterThan(1);
  expect(reference.loops.length).toBeGreaterThan(0);
  expect(reference.errors.length).toBeGreaterThan(0);
  expect(reference.positions.length).toBe(3);
  expect(reference.trading).toMatchObject({ tradingStats: { tradeCount: 60 } });
});

describe.each(BACKENDS.filter((b) => b.name !== 'redis' || REDIS_SERVER !== null))('history backend conformance: $name', (b) => {
  // sqlite is the reference: the case would compare it with itself.
  it.skipIf(b.name === 'sqlite')('answers every history query and dashboard exactly as sqlite does', async () => {
    const got = await recordedAnswers(b);
    for (const key of Object.keys(reference) as (keyof typeof reference)[]) {
      if (key === 'positions' && !b.persistent) continue;
      expect(got[key], key).toEqual(reference[key]);
    }
  });

  it.skipIf(!b.persistent)('answers the history queries and trade figures read back by a new process as sqlite does', async () => {
    const got = await recordedAnswers(b, true);
    for (const key of [
      'trades',
      'tradesBtc',
      'tradesUntil',
      'performance',
      'liquidity',
      'growth',
      'loops',
      'failedLoops',
      'errors',
      'allErrors',
      'counts',
      'positions',
    ] as const) {
      expect(got[key], key).toEqual(reference[key]);
    }
    // Sharpe, Sortino and the equity drawdown take in the hour still open, whose equity is the live
    // process's (the balance it resumed, its positions unmarked until it is given market prices), not history's.
    const { sharpeRatio: _s, sortinoRatio: _r, maxEquityDrawdown: _d, ...stats } = got.trading.tradingStats;
    const { sharpeRatio: _s2, sortinoRatio: _r2, maxEquityDrawdown: _d2, ...expected } = reference.trading.tradingStats;
    expect(stats).toEqual(expected);
    expect(got.trading.recentTrades).toEqual(reference.trading.recentTrades);
  });

  it('retention deletes what is older than the window and keeps the rest', async () => {
    const clock = new ManualClock(T0 - 40 * DAY_MS);
    const dir = dirs.make();
    const m = monitor(b, dir, clock, { metricsRetentionDays: 30, enableHourlyGrowth: false, flushIntervalMs: 3_600_000 });
    await m.start();
    m.logTrade({ symbol: 'OLD', side: 'buy', quantity: 2, price: 10, executionId: 'old' });
    m.logError('old error', {});
    clock.advance(40 * DAY_MS);
    m.logTrade({ symbol: 'NEW', side: 'buy', quantity: 1, price: 20, executionId: 'new' });
    m.logError('new error', {});
    const result = await m.metricsCollector.cleanupOldData(30);
    expect(result.deleted.trades).toBe(1);
    expect(result.deleted.errors).toBe(1);
    expect(m.metricsCollector.getTradeMetrics().map((t) => t.executionId)).toEqual(['new']);
    expect(m.metricsCollector.getErrors().map((e) => e.message)).toEqual(['new error']);
    expect(m.getDatabaseStats()).toMatchObject({ trades: 1, errors: 1 });
    // The deleted buy still counts in the position (carried, not replayed).
    expect(m.getPositions().find((p) => p.symbol === 'OLD')?.quantity).toBe(2);
  });

  it.skipIf(!b.persistent)('a restart restores positions and the open hour from history', async () => {
    const dir = dirs.make();
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 12, 10, 0));
    const first = monitor(b, dir, clock);
    await first.start();
    first.updateAccountBalance(5_000);
    first.logTrade({ symbol: 'BTC', side: 'buy', quantity: 2, price: 100, fee: 0.5 });
    clock.advance(60_000);
    first.logTrade({ symbol: 'BTC', side: 'sell', quantity: 1, price: 130, fee: 0.5 });
    clock.advance(HOUR); // closes hour 12 (a growth row with the balance)
    first.logTrade({ symbol: 'ETH', side: 'sell', quantity: 3, price: 10, pnl: 4 });
    const before = { positions: first.getPositions(), hourly: first.getHourlyReport(clock.now()) };
    await first.stop();
    running.splice(running.indexOf(first), 1);

    clock.advance(5 * 60_000);
    const second = monitor(b, dir, clock);
    await second.start();
    expect(second.getPositions()).toEqual(before.positions);
    // Equity needs market prices, which a new process has not been told yet: the rest of the hour is history's.
    const noEquity = (report: unknown) => JSON.parse(JSON.stringify(report, (k, v) => (/equity/i.test(k) ? undefined : v)));
    expect(noEquity(second.getHourlyReport(clock.now()))).toEqual(noEquity(before.hourly));
    expect(second.getHourlyReport(clock.now()).growthData).toMatchObject({ tradeCount: 1, openingBalance: 5000 });
    second.logTrade({ symbol: 'BTC', side: 'sell', quantity: 1, price: 120 });
    await second.flush();
    expect(second.metricsCollector.getTradeMetrics({ limit: 1 })[0]!.symbol).toBe('BTC');
    expect(second.getTradingDashboard({ hours: 1 }).recentTrades[0]!.realizedPnl).toBeCloseTo(120 - 100.25, 9);
  });

  it('bots() lists the bots with rows in the store, to the bot writing it and to a read-only reader', async () => {
    const dir = dirs.make();
    const clock = new ManualClock(T0);
    const alpha = monitor(b, dir, clock, { botName: 'alpha' });
    await alpha.start();
    expect(alpha.store.bots()).toEqual([]);
    alpha.logError('first', {});
    expect(alpha.store.bots()).toEqual(['alpha']);
    if (!b.persistent) return;
    const beta = monitor(b, dir, clock, { botName: 'beta/../x' });
    await beta.start();
    beta.logTrade({ symbol: 'BTC', side: 'buy', quantity: 5, price: 90 });
    await beta.flush();
    expect(alpha.store.bots()).toEqual(['alpha', 'beta/../x']);
    await alpha.stop();
    await beta.stop();
    const reader = openHistoryReader(new MonitoringConfig({ ...b.options(dir), botName: 'nobody' }));
    try {
      expect(reader.bots()).toEqual(['alpha', 'beta/../x']);
      expect(reader.query('errors', normalizeQuery({}, []))).toEqual([]);
    } finally {
      reader.close();
    }
  });

  it('keeps the last balance and the balance its hour opened with (written with the batch, read back by a new process)', async () => {
    const dir = dirs.make();
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 9, 10));
    const first = monitor(b, dir, clock);
    await first.start();
    expect(first.store.lastBalance()).toBeNull();
    first.updateAccountBalance(1_000);
    clock.advance(10 * 60_000);
    first.updateAccountBalance(1_010);
    // Buffered, then written: the same answer.
    const inHour = { balance: 1_010, at: Date.UTC(2026, 0, 15, 9, 20), openingBalance: 1_000 };
    expect(first.store.lastBalance()).toEqual(inHour);
    expect(first.store.backend.lastBalance()).toEqual(inHour);
    clock.advanceTo(Date.UTC(2026, 0, 15, 10, 5));
    first.updateAccountBalance(1_020);
    first.updateAccountBalance(1_030);
    await first.flush();
    const next = { balance: 1_030, at: Date.UTC(2026, 0, 15, 10, 5), openingBalance: 1_010 };
    expect(first.store.backend.lastBalance()).toEqual(next);
    // A balance update is no row of any table.
    expect(first.getDatabaseStats()).toMatchObject({ growth_metrics: 1, trades: 0 });
    if (!b.persistent) return;
    await first.stop();
    running.splice(running.indexOf(first), 1);
    const second = monitor(b, dir, clock);
    await second.start();
    expect(second.store.lastBalance()).toEqual(next);
    expect(second.accountBalance).toBe(1_030);
  });

  it.skipIf(!b.persistent)('a restart closes the hour the earlier run stopped in, with its trades, P&L and balances', async () => {
    const dir = dirs.make();
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 8, 30));
    const first = monitor(b, dir, clock);
    await first.start();
    first.updateAccountBalance(1_000);
    clock.advanceTo(Date.UTC(2026, 0, 15, 9, 10));
    first.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 100 });
    first.logTrade({ symbol: 'BTC', side: 'sell', quantity: 1, price: 109.8 });
    first.updateAccountBalance(1_009.8);
    clock.advanceTo(Date.UTC(2026, 0, 15, 9, 20));
    await first.stop();
    running.splice(running.indexOf(first), 1);

    clock.advanceTo(Date.UTC(2026, 0, 15, 10, 30));
    const second = monitor(b, dir, clock);
    await second.start();
    second.updateAccountBalance(1_020);
    clock.advanceTo(Date.UTC(2026, 0, 15, 11, 0));
    const rows = second.metricsCollector
      .getGrowthMetrics()
      .reverse()
      .map((g) => [new Date(g.hourStart).getUTCHours(), g.openingBalance, g.closingBalance, g.tradeCount, g.realizedPnl]);
    expect(rows).toEqual([
      [8, 1_000, 1_000, 0, 0],
      [9, 1_000, 1_009.8, 2, expect.closeTo(9.8, 9)],
      [10, 1_009.8, 1_020, 0, 0],
    ]);
  });

  it.skipIf(!b.persistent)('bots sharing one store each see only their own history', async () => {
    const dir = dirs.make();
    const clock = new ManualClock(T0);
    const alpha = monitor(b, dir, clock, { botName: 'alpha' });
    const beta = monitor(b, dir, clock, { botName: 'beta/../x' });
    await alpha.start();
    await beta.start();
    alpha.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 100, executionId: 'a1' });
    beta.logTrade({ symbol: 'BTC', side: 'buy', quantity: 5, price: 90, executionId: 'b1' });
    beta.logError('beta only', {});
    await alpha.flush();
    await beta.flush();
    expect(alpha.metricsCollector.getTradeMetrics().map((t) => t.executionId)).toEqual(['a1']);
    expect(beta.metricsCollector.getTradeMetrics().map((t) => t.executionId)).toEqual(['b1']);
    expect(alpha.metricsCollector.getErrors()).toEqual([]);
    expect(alpha.getTradingDashboard({ hours: 1 })).toMatchObject({ tradingStats: { tradeCount: 1 } });
    await alpha.stop();
    const again = monitor(b, dir, clock, { botName: 'alpha' });
    await again.start();
    expect(again.getPositions()).toEqual([{ symbol: 'BTC', quantity: 1, averageCost: 100, realizedPnl: 0 }]);
  });

  it.skipIf(!b.persistent)(
    'SIGKILL after a flush loses nothing flushed; a clean exit without stop() loses nothing',
    async () => {
      for (const mode of ['flush', 'exit'] as const) {
        const dir = dirs.make();
        const child = spawnChild(b, dir, mode);
        if (mode === 'flush') {
          await child.waitFor(/^flushed 3000$/);
          child.child.kill('SIGKILL');
        }
        await child.exited;
        const lastFlushed = mode === 'exit' ? 2500 : Math.max(...child.lines.map((l) => Number(/^flushed (\d+)$/.exec(l)?.[1] ?? 0)));
        const reader = monitor(b, dir, new ManualClock(T0), { botName: 'crash' });
        await reader.start();
        const ids = reader.metricsCollector
          .getTradeMetrics({ limit: 1_000_000 })
          .map((t) => Number(t.executionId.slice(1)))
          .reverse();
        expect(ids.length, mode).toBeGreaterThanOrEqual(lastFlushed);
        ids.forEach((n, i) => {
          if (n !== i + 1) expect.fail(`${mode}: row ${i} holds trade ${n}`);
        });
        await reader.stop();
        running.splice(running.indexOf(reader), 1);
      }
    },
    60_000,
  );
});

describe('file backend: what only files can get wrong', () => {
  const file = BACKENDS.find((b) => b.name === 'file')!;

  it('a torn last line (a crash mid-append) is ignored, reported, cut off, and the next rows append cleanly', async () => {
    const dir = dirs.make();
    const clock = new ManualClock(T0);
    const first = monitor(file, dir, clock);
    await first.start();
    first.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 100, executionId: 'kept' });
    await first.stop();
    running.splice(running.indexOf(first), 1);
    const botDir = join(dir, 'history', 'bot=alpha');
    const name = readdirSync(botDir).find((n) => n.startsWith('trades-'))!;
    appendFileSync(join(botDir, name), '{"event_type":"trade_execution","timestamp":17');

    const failures: string[] = [];
    const second = monitor(file, dir, clock);
    second.diagnostics.onFailure((where, error) => failures.push(`${where}: ${String(error)}`));
    await second.start();
    expect(failures).toEqual([expect.stringMatching(/^sink:store: .*trades-.*torn last line/)]);
    expect(second.metricsCollector.getTradeMetrics().map((t) => t.executionId)).toEqual(['kept']);
    second.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 100, executionId: 'after' });
    await second.flush();
    const lines = readFileSync(join(botDir, name), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).execution_id)).toEqual(['kept', 'after']);
    expect(second.diagnostics.sinkFailures.get('store')).toBe(1);
  });

  it('start() reads the day summaries and carried positions, not the trade lines', async () => {
    const clock = new ManualClock(START);
    const dir = dirs.make();
    const first = monitor(file, dir, clock);
    await first.start();
    recordHistory(first, clock);
    const before = { counts: first.getDatabaseStats(), positions: first.getPositions() };
    await first.stop();
    running.splice(running.indexOf(first), 1);
    // Every trade line blanked (same size): a start that read them would report them and lose the positions.
    const botDir = join(dir, 'history', 'bot=alpha');
    const tradeFiles = readdirSync(botDir).filter((n) => n.startsWith('trades-') && n.endsWith('.jsonl'));
    expect(tradeFiles.length).toBeGreaterThan(0);
    for (const name of tradeFiles) {
      const text = readFileSync(join(botDir, name), 'utf8');
      writeFileSync(join(botDir, name), text.replace(/[^\n]/g, ' '));
    }
    const failures: string[] = [];
    const second = monitor(file, dir, clock);
    second.diagnostics.onFailure((where, error) => failures.push(`${where}: ${String(error)}`));
    await second.start();
    expect(failures).toEqual([]);
    expect(strip(second.getDatabaseStats())).toEqual(strip(before.counts));
    expect(second.getPositions()).toEqual(before.positions);
  });

  it('summaries, trade times and carried positions lost (a crash before they were replaced) are rebuilt from the lines', async () => {
    const clock = new ManualClock(START);
    const dir = dirs.make();
    const first = monitor(file, dir, clock);
    await first.start();
    recordHistory(first, clock);
    await first.flush();
    const expected = answers(first, START);
    await first.stop();
    running.splice(running.indexOf(first), 1);
    const botDir = join(dir, 'history', 'bot=alpha');
    const derived = readdirSync(botDir).filter((n) => /^summary-|\.times$|^position_carry/.test(n));
    expect(derived.length).toBeGreaterThan(3);
    for (const name of derived) unlinkSync(join(botDir, name));
    const second = monitor(file, dir, clock);
    await second.start();
    const got = answers(second, START);
    for (const key of ['trades', 'counts', 'positions', 'growth', 'errors'] as const) expect(got[key], key).toEqual(expected[key]);
    expect(got.trading.tradingStats.executionTimeMs).toEqual(expected.trading.tradingStats.executionTimeMs);
    expect(got.trading.tradingStats.bySymbol).toEqual(expected.trading.tradingStats.bySymbol);
    expect(
      readdirSync(botDir)
        .filter((n) => /^summary-|\.times$|^position_carry/.test(n))
        .sort(),
    ).toEqual(derived.sort());
  });

  it('a storage path that is a file is refused by start(), naming it, and left untouched', async () => {
    const dir = dirs.make();
    const path = join(dir, 'history');
    writeFileSync(path, 'not a directory');
    const m = monitor(file, dir, new ManualClock(T0));
    await expect(m.start()).rejects.toThrow(/history directory .*history is not a directory/);
    expect(readFileSync(path, 'utf8')).toBe('not a directory');
  });

  it.each(['/proc/poseidon-history', '/sys/kernel/poseidon'])(
    'a storage path under a kernel pseudo-filesystem (%s) is refused by start() at once',
    async (path) => {
      const m = monitor(file, dirs.make(), new ManualClock(T0), { storagePath: path });
      await expect(m.start()).rejects.toThrow(/history directory \/(proc|sys)\/.* is under \/(proc|sys), a kernel pseudo-filesystem/);
    },
  );

  it('a full disk while running: a counted, reported write failure; rows kept, retried, stored once when space returns', async () => {
    const dir = dirs.make();
    const clock = new ManualClock(T0);
    const m = monitor(file, dir, clock, { flushIntervalMs: 1000 });
    const reported: string[] = [];
    m.diagnostics.onFailure((where, error) => reported.push(`${where}: ${String(error)}`));
    await m.start();
    const botDir = join(dir, 'history', 'bot=alpha');
    const day = join(botDir, 'trades-2026-01-15.jsonl');
    // Every write to /dev/full fails with ENOSPC, as a full disk does.
    symlinkSync('/dev/full', day);
    m.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 100, executionId: 'f1' });
    clock.advance(1000);
    expect(m.metricsCollector.stats()).toMatchObject({ writeFailures: 1, bufferedRows: 1, rowsWritten: 0 });
    expect(reported.some((r) => /ENOSPC/.test(r))).toBe(true);
    await m.flush().catch(() => undefined);
    expect(m.metricsCollector.stats()).toMatchObject({ bufferedRows: 1, rowsWritten: 0 });
    unlinkSync(day);
    m.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 100, executionId: 'f2' });
    clock.advance(1000);
    await m.flush();
    expect(
      readFileSync(day, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).execution_id),
    ).toEqual(['f1', 'f2']);
    expect(m.metricsCollector.stats()).toMatchObject({ bufferedRows: 0, rowsWritten: 2 });
  });

  it('a trade line written by hand is exactly the JSON of its record', () => {
    const clock = new ManualClock(T0);
    const m = monitor(file, dirs.make(), clock);
    const t = m.logTrade({
      symbol: 'ü"\\/x',
      side: 'sell',
      quantity: 0.1 + 0.2,
      price: 5e-324,
      fee: 1e21,
      executionId: 'e"1',
      orderId: 'o',
      additionalData: { a: [1, null, 'x'] },
    });
    const owner = { bot: 'b"', strategy: '', exchange: 'x' };
    for (const [realized, source] of [
      [null, null],
      [-0.5, 'ledger'],
      [3, 'caller'],
    ] as const) {
      expect(tradeLine(t, ownerFields(owner), realized, source)).toBe(JSON.stringify(toRecord(t, owner, realized, source)));
    }
  });

  it('writes one file per table per UTC day, records in the snake_case columns, bot folder confined', async () => {
    const dir = dirs.make();
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 23, 59, 59));
    const m = monitor(file, dir, clock, { botName: '../evil' });
    await m.start();
    m.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 100, executionId: 'd1' });
    clock.advance(2_000);
    m.logTrade({ symbol: 'BTC', side: 'sell', quantity: 1, price: 110, executionId: 'd2' });
    await m.flush();
    expect(readdirSync(join(dir, 'history'))).toEqual(['bot=..%2Fevil']);
    const botDir = join(dir, 'history', 'bot=..%2Fevil');
    expect(
      readdirSync(botDir)
        .filter((n) => n.endsWith('.jsonl'))
        .sort(),
    ).toEqual(['trades-2026-01-15.jsonl', 'trades-2026-01-16.jsonl']);
    const second = JSON.parse(readFileSync(join(botDir, 'trades-2026-01-16.jsonl'), 'utf8'));
    expect(second).toMatchObject({
      event_type: 'trade_execution',
      time: '2026-01-16T00:00:01.000Z',
      symbol: 'BTC',
      side: 'sell',
      notional_value: 110,
      execution_id: 'd2',
      realized_pnl: 10,
      pnl_source: 'ledger',
      bot: '../evil',
    });
  });
});

function spawnChild(b: BackendCase, dir: string, mode: 'flush' | 'exit'): FixtureRun {
  return runFixture(CHILD, ROOT, { POSEIDON_TEST_OPTIONS: JSON.stringify(b.options(dir)), POSEIDON_TEST_MODE: mode });
}

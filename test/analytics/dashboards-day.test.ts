// A scripted day of trading on a manual clock, into a real SQLite file: every dashboard object is
// checked number by number in-process, then fetched over real HTTP and compared with the same call.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { ErrorType } from '../../src/events/types.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { QUIET_OPTIONS } from '../helpers/monitor.js';

const DAY_START = Date.UTC(2026, 10, 23, 22, 0, 0); // 22:00 UTC, two hours before a day boundary
const at = (hhmm: string, day = hhmm < '22:00' ? 24 : 23) => {
  const [h, m] = hhmm.split(':').map(Number);
  return Date.UTC(2026, 10, day, h!, m!, 0);
};
const iso = (t: number) => new Date(t).toISOString();

let dir: string;
let clock: ManualClock;
let monitor: MonitoringSystem;
const tradeIds: string[] = [];

function open(start: number): MonitoringSystem {
  clock = new ManualClock(start);
  return new MonitoringSystem({
    ...QUIET_OPTIONS,
    clock,
    storage: 'sqlite',
    dbUrl: `sqlite:///${join(dir, 'day.db')}`,
    enableMetricsServer: true,
    metricsHost: '127.0.0.1',
    metricsPort: 0,
    botName: 'day-bot',
  });
}

/** One loop run from `start` lasting `ms`, successful or not. */
function loopRun(start: string, ms: number, success: boolean) {
  clock.advanceTo(at(start));
  monitor.startLoopExecution('main_trading_loop');
  clock.advance(ms);
  monitor.endLoopExecution('main_trading_loop', success ? { success } : { success, errorMessage: 'order book stale' });
}

function trade(
  time: string,
  symbol: string,
  side: 'buy' | 'sell',
  quantity: number,
  price: number,
  fee: number,
  exec: number,
  slip: number,
) {
  clock.advanceTo(at(time));
  tradeIds.push(monitor.logTrade({ symbol, side, quantity, price, fee, executionTimeMs: exec, slippageBps: slip }).executionId);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'poseidon-day-'));
  monitor = open(DAY_START);
  await monitor.start();
  // 22h: buy BTC and ETH, one timeout, BTC marked up.
  monitor.updateAccountBalance(10_000);
  loopRun('22:05', 200, true);
  trade('22:06', 'BTCUSDT', 'buy', 0.1, 50_000, 5, 100, 2);
  trade('22:10', 'ETHUSDT', 'buy', 1, 3_000, 3, 200, 1);
  clock.advanceTo(at('22:20'));
  monitor.logError('GET /ticker timed out', { errorType: ErrorType.NETWORK_TIMEOUT, severity: 'medium' });
  clock.advanceTo(at('22:30'));
  monitor.updateMarketPrice('BTCUSDT', 51_000);
  clock.advanceTo(at('22:40'));
  monitor.updateAccountBalance(10_050);
  // 23h: both positions closed, BTC at a profit and ETH at a loss; a failed loop.
  trade('23:10', 'BTCUSDT', 'sell', 0.1, 52_000, 5.2, 300, 3);
  loopRun('23:15', 1_000, false);
  trade('23:20', 'ETHUSDT', 'sell', 1, 2_900, 2.9, 400, 5);
  clock.advanceTo(at('23:30'));
  monitor.updateAccountBalance(10_100);
  // 00h (the next day): a bigger BTC buy, a critical error, BTC marked down.
  trade('00:10', 'BTCUSDT', 'buy', 0.2, 51_000, 10.2, 150, 1.5);
  clock.advanceTo(at('00:20'));
  monitor.logError('exchange rejected all orders', { errorType: ErrorType.EXCHANGE_ERROR, severity: 'critical', symbol: 'BTCUSDT' });
  clock.advanceTo(at('00:30'));
  monitor.updateMarketPrice('BTCUSDT', 50_000);
  clock.advanceTo(at('00:45'));
  monitor.updateAccountBalance(9_950);
  // 01h: a quiet hour; BTC recovers.
  loopRun('01:30', 300, true);
  clock.advanceTo(at('01:40'));
  monitor.updateMarketPrice('BTCUSDT', 52_000);
  // 02h (still open): half the BTC sold at a profit.
  trade('02:10', 'BTCUSDT', 'sell', 0.1, 52_500, 5.25, 250, 2);
  clock.advanceTo(at('02:20'));
  monitor.updateAccountBalance(10_020);
  monitor.updateMarketPrice('BTCUSDT', 52_500);
  clock.advanceTo(at('02:30'));
});

afterAll(async () => {
  await monitor.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${monitor.baseUrl}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** The process figures differ from one reading to the next; everything else must match exactly. */
function withoutResources<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (key, v) => (key === 'resourceUtilization' ? undefined : v)) as T;
}

const HOUR_22 = {
  hour: '2026-11-23T22:00:00.000Z',
  openingBalance: 10_000,
  closingBalance: 10_050,
  growthRatio: 0.005,
  openingEquity: 10_000,
  closingEquity: 10_145, // 10,050 + (51,000 − 50,050) × 0.1 on the open BTC; ETH has no price yet
  equityGrowthRatio: 0.0145,
  tradeCount: 2,
  realizedPnl: 0,
  fees: 8,
  volume: 8_000,
  inProgress: false,
};
const HOUR_23 = {
  hour: '2026-11-23T23:00:00.000Z',
  openingBalance: 10_050,
  closingBalance: 10_100,
  growthRatio: 0.004975124,
  openingEquity: 10_145,
  closingEquity: 10_100,
  equityGrowthRatio: -0.004435683,
  tradeCount: 2,
  realizedPnl: 83.9, // 189.8 on BTC, −105.9 on ETH
  fees: 8.1,
  volume: 8_100,
  inProgress: false,
};
const HOUR_00 = {
  hour: '2026-11-24T00:00:00.000Z',
  openingBalance: 10_100,
  closingBalance: 9_950,
  growthRatio: -0.014851485,
  openingEquity: 10_100,
  closingEquity: 9_739.8, // 9,950 + (50,000 − 51,051) × 0.2
  equityGrowthRatio: -0.035663366,
  tradeCount: 1,
  realizedPnl: 0,
  fees: 10.2,
  volume: 10_200,
  inProgress: false,
};
const HOUR_01 = {
  hour: '2026-11-24T01:00:00.000Z',
  openingBalance: 9_950,
  closingBalance: 9_950,
  growthRatio: 0,
  openingEquity: 9_739.8,
  closingEquity: 10_139.8, // 9,950 + (52,000 − 51,051) × 0.2
  equityGrowthRatio: 0.041068605,
  tradeCount: 0,
  realizedPnl: 0,
  fees: 0,
  volume: 0,
  inProgress: false,
};
const HOUR_02 = {
  hour: '2026-11-24T02:00:00.000Z',
  openingBalance: 9_950,
  closingBalance: 10_020,
  growthRatio: 0.007035176,
  openingEquity: 10_139.8,
  closingEquity: 10_164.9, // 10,020 + (52,500 − 51,051) × 0.1
  equityGrowthRatio: 0.002475394,
  tradeCount: 1,
  realizedPnl: 139.65,
  fees: 5.25,
  volume: 5_250,
  inProgress: true,
};

describe('dashboards on a scripted day (real SQLite, manual clock)', () => {
  it('summary', () => {
    expect(monitor.getDashboardSummary()).toEqual({
      timestamp: '2026-11-24T02:30:00.000Z',
      systemStatus: 'healthy', // the critical error was at 00:20, more than an hour ago
      statusReasons: [],
      uptimeSeconds: 4.5 * 3600,
      totalTrades24h: 6,
      totalVolume24h: 31_550,
      totalPnl24h: 223.55,
      growth24h: 0.002,
      errorCount24h: 2,
      accountBalance: 10_020,
      unrealizedPnl: 144.9,
      equity: 10_164.9,
      equityGrowth24h: 0.01649,
      activeLoops: 0,
    });
  });

  it('trading dashboard: statistics, per symbol, hourly growth across the day boundary', () => {
    const d = monitor.getTradingDashboard({ hours: 24 });
    expect(d.timestamp).toBe('2026-11-24T02:30:00.000Z');
    expect(d.windowHours).toBe(24);
    expect(d.hourlyGrowth).toEqual([HOUR_22, HOUR_23, HOUR_00, HOUR_01, HOUR_02]);
    expect(d.tradingStats).toEqual({
      since: '2026-11-23T02:30:00.000Z',
      until: '2026-11-24T02:30:00.000Z',
      tradeCount: 6,
      buyCount: 3,
      sellCount: 3,
      volume: 31_550,
      fees: 31.55,
      realizedPnl: 223.55,
      closedTrades: 3,
      wins: 2,
      losses: 1,
      winRate: 0.666666667,
      avgExecutionTimeMs: 233.333333333,
      avgSlippageBps: 2.416666667,
      profitFactor: 3.11095373, // 329.45 / 105.9
      grossProfit: 329.45,
      grossLoss: 105.9,
      executionTimeMs: { p50: 200, p95: 400, p99: 400 },
      expectancy: 74.516666667,
      expectancyRatio: 0.703651243,
      maxDrawdown: { absolute: 150, ratio: 0.014851485, peakAt: '2026-11-24T00:00:00.000Z', troughAt: '2026-11-24T01:00:00.000Z' },
      maxEquityDrawdown: { absolute: 405.2, ratio: 0.039940858, peakAt: '2026-11-23T23:00:00.000Z', troughAt: '2026-11-24T01:00:00.000Z' },
      sharpeRatio: 12.008020055,
      sortinoRatio: 20.900348653,
      cagr: null, // under a day of equity
      bySymbol: [
        {
          symbol: 'BTCUSDT',
          tradeCount: 4,
          volume: 25_650,
          fees: 25.65,
          realizedPnl: 329.45,
          wins: 2,
          losses: 0,
          winRate: 1,
          avgExecutionTimeMs: 200,
          avgSlippageBps: 2.125,
        },
        {
          symbol: 'ETHUSDT',
          tradeCount: 2,
          volume: 5_900,
          fees: 5.9,
          realizedPnl: -105.9,
          wins: 0,
          losses: 1,
          winRate: 0,
          avgExecutionTimeMs: 300,
          avgSlippageBps: 3,
        },
      ],
    });
    // Newest first, each with its realized P&L (null for the buys that closed nothing).
    expect(d.recentTrades.map((t) => [t.executionId, t.timestamp, t.realizedPnl])).toEqual([
      [tradeIds[5], '2026-11-24T02:10:00.000Z', 139.65],
      [tradeIds[4], '2026-11-24T00:10:00.000Z', null],
      [tradeIds[3], '2026-11-23T23:20:00.000Z', -105.9],
      [tradeIds[2], '2026-11-23T23:10:00.000Z', 189.8],
      [tradeIds[1], '2026-11-23T22:10:00.000Z', null],
      [tradeIds[0], '2026-11-23T22:06:00.000Z', null],
    ]);
  });

  it('a shorter window counts only its own hours', () => {
    const d = monitor.getTradingDashboard({ hours: 2 });
    expect(d.hourlyGrowth).toEqual([HOUR_00, HOUR_01, HOUR_02]);
    expect(d.tradingStats).toMatchObject({ tradeCount: 1, sellCount: 1, realizedPnl: 139.65, wins: 1, losses: 0, profitFactor: null });
  });

  it('performance dashboard: loops and errors', () => {
    const d = monitor.getPerformanceDashboard({ hours: 24 });
    expect(d.loopPerformance).toEqual([
      {
        loopName: 'main_trading_loop',
        runs: 3,
        successes: 2,
        failures: 1,
        successRate: 0.666666667,
        avgDurationMs: 500,
        p95DurationMs: 1_000,
        maxDurationMs: 1_000,
        lastSuccessAt: '2026-11-24T01:30:00.300Z',
      },
    ]);
    expect(d.errorRates).toEqual({
      total: 2,
      byType: [
        { errorType: 'exchange_error', count: 1, perHour: 0.041666667 },
        { errorType: 'network_timeout', count: 1, perHour: 0.041666667 },
      ],
      bySeverity: [
        { severity: 'critical', count: 1 },
        { severity: 'medium', count: 1 },
      ],
      byHour: [
        { hour: '2026-11-23T22:00:00.000Z', count: 1 },
        { hour: '2026-11-24T00:00:00.000Z', count: 1 },
      ],
    });
    const r = d.resourceUtilization;
    expect(r.rssBytes).toBeGreaterThan(0);
    expect(r.heapUsedBytes).toBeGreaterThan(0);
    expect(r.dbSizeBytes).toBeGreaterThan(0);
  });

  it('real-time metrics', () => {
    expect(monitor.getRealTimeMetrics()).toEqual({
      timestamp: '2026-11-24T02:30:00.000Z',
      eventsPerMinute: 0, // nothing happened between 02:29 and 02:30
      tradesLastHour: 1,
      errorRate: 0,
      activeLoops: 0,
      accountBalance: 10_020,
    });
  });

  it('hourly report of a given hour, and of the last full hour by default', () => {
    const r = monitor.getHourlyReport('2026-11-23T23');
    expect(r.reportHour).toBe('2026-11-23T23:00:00.000Z');
    expect(r.growthData).toEqual(HOUR_23);
    expect(r.tradesSummary).toMatchObject({
      since: '2026-11-23T23:00:00.000Z',
      until: '2026-11-23T23:59:59.999Z',
      tradeCount: 2,
      buyCount: 0,
      sellCount: 2,
      volume: 8_100,
      fees: 8.1,
      realizedPnl: 83.9,
      wins: 1,
      losses: 1,
      winRate: 0.5,
      profitFactor: 1.792256846, // 189.8 / 105.9
      executionTimeMs: { p50: 300, p95: 400, p99: 400 },
    });
    expect(r.errors.total).toBe(0);
    expect(r.loops).toMatchObject([{ loopName: 'main_trading_loop', runs: 1, successes: 0, failures: 1, maxDurationMs: 1_000 }]);

    const last = monitor.getHourlyReport();
    expect(last.reportHour).toBe('2026-11-24T01:00:00.000Z');
    expect(last.growthData).toEqual(HOUR_01);
    expect(last.tradesSummary.tradeCount).toBe(0);
    expect(last.loops).toMatchObject([{ runs: 1, successes: 1, avgDurationMs: 300 }]);
    const midnight = monitor.getHourlyReport(new Date(at('00:40')));
    expect(midnight.errors.bySeverity).toEqual([{ severity: 'critical', count: 1 }]);
  });

  it('the export holds every view with its schema version, as JSON and as CSV', () => {
    const data = JSON.parse(monitor.exportDashboardData('json'));
    expect(data.schemaVersion).toBe(1);
    expect(data.summary).toEqual(monitor.getDashboardSummary());
    expect(data.hourlyReport.reportHour).toBe('2026-11-24T01:00:00.000Z');
    const csv = monitor.exportDashboardData('csv');
    const section = (name: string) => {
      const lines = csv.split('\n');
      const i = lines.indexOf(`# ${name}`);
      return { header: lines[i + 1]!.split(','), rows: lines.slice(i + 2, lines.indexOf('', i)).map((l) => l.split(',')) };
    };
    const growth = section('hourly_growth');
    expect(growth.rows).toHaveLength(5);
    expect(growth.rows[2]![growth.header.indexOf('closingEquity')]).toBe('9739.8');
    const bySymbol = section('trading_by_symbol');
    expect(bySymbol.rows.map((r) => [r[0], r[bySymbol.header.indexOf('realizedPnl')]])).toEqual([
      ['BTCUSDT', '329.45'],
      ['ETHUSDT', '-105.9'],
    ]);
  });

  it('the JSON API answers the same objects over HTTP', async () => {
    expect(await api('/api/summary')).toEqual(monitor.getDashboardSummary());
    expect(await api('/api/trading?hours=24')).toEqual(monitor.getTradingDashboard({ hours: 24 }));
    expect(await api('/api/trading?hours=2')).toEqual(monitor.getTradingDashboard({ hours: 2 }));
    expect(withoutResources(await api('/api/performance?hours=24'))).toEqual(
      withoutResources(monitor.getPerformanceDashboard({ hours: 24 })),
    );
    expect(await api('/api/realtime')).toEqual(monitor.getRealTimeMetrics());
    expect(await api('/api/hourly-report?hour=2026-11-23T23')).toEqual(monitor.getHourlyReport('2026-11-23T23'));
    expect(await api('/api/hourly-report')).toEqual(monitor.getHourlyReport());
    expect(withoutResources(await api('/api/export?format=json'))).toEqual(withoutResources(JSON.parse(monitor.exportDashboardData())));
    const events = await api<{ count: number; events: { eventType: string }[] }>('/api/events?type=trade_execution&limit=3');
    expect(events.count).toBe(3);
    expect(events.events.every((e) => e.eventType === 'trade_execution')).toBe(true);
  });

  it('bad parameters are 400 naming the parameter', async () => {
    for (const [path, parameter] of [
      ['/api/trading?hours=-1', 'hours'],
      ['/api/trading?hours=abc', 'hours'],
      ['/api/trading?days=1', 'days'],
      ['/api/hourly-report?hour=2026-13-01T00', 'hour'],
      ['/api/events?limit=10x', 'limit'],
      ['/api/export?format=xml', 'format'],
    ] as const) {
      const response = await fetch(`${monitor.baseUrl}${path}`);
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { parameter: string }).parameter, path).toBe(parameter);
    }
    expect((await fetch(`${monitor.baseUrl}/api/nothing`)).status).toBe(404);
    expect((await fetch(`${monitor.baseUrl}/api/summary`, { method: 'POST' })).status).toBe(405);
  });

  it('after a restart the open hour resumes from the database', async () => {
    await monitor.stop();
    monitor = open(at('02:40'));
    await monitor.start();
    // The last day's totals come back from the database (the summary keeps them in memory).
    expect(monitor.getDashboardSummary()).toMatchObject({
      totalTrades24h: 6,
      totalVolume24h: 31_550,
      totalPnl24h: 223.55,
      errorCount24h: 2,
      unrealizedPnl: 0, // positions are back, but no price has been seen since the restart
    });
    const open02 = monitor.getTradingDashboard({ hours: 1 }).hourlyGrowth.at(-1)!;
    // Trades, P&L, fees and volume come back from the trades table; the balance from the last stored hour.
    expect(open02).toMatchObject({
      hour: '2026-11-24T02:00:00.000Z',
      inProgress: true,
      openingBalance: 9_950,
      tradeCount: 1,
      realizedPnl: 139.65,
      fees: 5.25,
      volume: 5_250,
    });
    clock.advanceTo(at('02:50'));
    monitor.updateAccountBalance(10_030);
    trade('02:55', 'ETHUSDT', 'buy', 1, 3_000, 3, 100, 1);
    clock.advanceTo(at('03:00'));
    // 24 h back from 03:00 is 03:00 yesterday: the whole scripted day and the new buy.
    expect(monitor.getDashboardSummary()).toMatchObject({ totalTrades24h: 7, totalVolume24h: 34_550, errorCount24h: 2 });
    const closed = monitor.getHourlyReport('2026-11-24T02').growthData;
    expect(closed).toMatchObject({
      inProgress: false,
      openingBalance: 9_950,
      closingBalance: 10_030,
      tradeCount: 2,
      realizedPnl: 139.65,
      fees: 8.25,
      volume: 8_250,
    });
    // Exactly one row per hour, the day boundary included.
    expect(monitor.metricsCollector.getGrowthMetrics({ limit: 100 }).map((g) => iso(g.hourStart))).toEqual([
      '2026-11-24T02:00:00.000Z',
      '2026-11-24T01:00:00.000Z',
      '2026-11-24T00:00:00.000Z',
      '2026-11-23T23:00:00.000Z',
      '2026-11-23T22:00:00.000Z',
    ]);
    // A day later the 22:06 buy has left the window, minute by minute, and the 22:20 error with it.
    clock.advanceTo(at('22:06', 24) + 1);
    expect(monitor.getDashboardSummary()).toMatchObject({ totalTrades24h: 6, totalVolume24h: 29_550, errorCount24h: 2 });
    clock.advanceTo(at('22:20', 24) + 30_000);
    expect(monitor.getDashboardSummary()).toMatchObject({ totalTrades24h: 5, errorCount24h: 1 });
  });
});

// Trial: a month of trades in file storage (logged on a manual clock), reopened by a new monitor: start(), the dashboards, RSS.

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../../src/clock.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { fail, HISTORY_ONLY, numArg, report, spreadOver, tempDir, timeCalls, tradePool } from './shared.js';

const n = numArg('n', 1_000_000);
const days = numArg('days', 30);
const calls = numArg('calls', 20);
const DAY_MS = 86_400_000;

function monitor(dir: string, clock: ManualClock): MonitoringSystem {
  return new MonitoringSystem({
    storage: 'file',
    storagePath: join(dir, 'history'),
    ...HISTORY_ONLY,
    storeMaxBufferRows: 1_000_000,
    flushIntervalMs: 3_600_000,
    clock,
  });
}

const tmp = tempDir('file-dashboard');
try {
  const pool = tradePool(20);
  const end = Date.now();
  const clock = new ManualClock(end - days * DAY_MS);
  const g0 = performance.now();
  const writer = monitor(tmp.dir, clock);
  await writer.start();
  spreadOver(clock, end, n, (i) => writer.logTrade(pool[i % pool.length]!));
  await writer.stop();
  const generateMs = performance.now() - g0;

  // A new process's view: start() reads the summaries and the carried positions, not the trades.
  const rss0 = process.memoryUsage().rss;
  const reader = monitor(tmp.dir, new ManualClock(end));
  const o0 = performance.now();
  await reader.start();
  const openMs = performance.now() - o0;
  const stored = reader.getDatabaseStats().trades;
  if (stored !== n) fail(`read back ${stored} trades of ${n}`);
  const trading = timeCalls(() => reader.getTradingDashboard({ hours: 24 }), calls);
  const summary = timeCalls(() => reader.getDashboardSummary(), calls);
  const trades24h = reader.getTradingDashboard({ hours: 24 }).tradingStats.tradeCount;
  const rssMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
  await reader.stop();
  report({
    tradingMs: trading.median,
    tradingMaxMs: trading.max,
    summaryMs: summary.median,
    summaryMaxMs: summary.max,
    openMs,
    rssGrowthMb: rssMb,
    generateMs,
    trades: n,
    trades24h,
  });
} finally {
  tmp.remove();
}

// Trial: a month of trades held by memory storage (logged on a manual clock), then the dashboards timed in the same process.

import { ManualClock } from '../../src/clock.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { fail, HISTORY_ONLY, numArg, report, spreadOver, timeCalls, tradePool } from './shared.js';

const n = numArg('n', 1_000_000);
const days = numArg('days', 30);
const calls = numArg('calls', 20);
const DAY_MS = 86_400_000;

const pool = tradePool(20);
const end = Date.now();
const clock = new ManualClock(end - days * DAY_MS);
const monitor = new MonitoringSystem({
  storage: 'memory',
  ...HISTORY_ONLY,
  storeMaxBufferRows: 2_000_000,
  flushIntervalMs: 3_600_000,
  clock,
});
await monitor.start();
spreadOver(clock, end, n, (i) => monitor.logTrade(pool[i % pool.length]!));
await monitor.flush();
clock.advance(end - clock.now());
const stored = monitor.getDatabaseStats().trades;
if (stored !== n) fail(`holds ${stored} trades of ${n}`);
const trading = timeCalls(() => monitor.getTradingDashboard({ hours: 24 }), calls);
const summary = timeCalls(() => monitor.getDashboardSummary(), calls);
await monitor.stop();
report({ tradingMs: trading.median, tradingMaxMs: trading.max, summaryMs: summary.median, summaryMaxMs: summary.max, stored });

// Trial (ours): getDashboardSummary / getTradingDashboard({hours: 24}) over N stored trades, timed.

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateHistory } from './history.js';
import { startOurMonitor } from './ourMonitor.js';
import { fail, numArg, report, tempDir } from './shared.js';

const n = numArg('n', 1_000_000);
const days = numArg('days', 30);
const calls = numArg('calls', 20);
const symbolCount = numArg('symbols', 20);

type Dashboards = {
  getDashboardSummary?: () => unknown;
  getTradingDashboard?: (o: { hours: number }) => unknown;
};

async function time(fn: () => unknown): Promise<{ median: number; max: number }> {
  for (let i = 0; i < 3; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1]!, max: times[times.length - 1]! };
}

const tmp = tempDir('dashboards-ours');
try {
  const now = Date.now();
  const generateMs = generateHistory(join(tmp.dir, 'ours.db'), now, n, days, symbolCount);
  // Retention far out: this trial times the dashboards, not the start-up cleanup.
  const ours = await startOurMonitor(tmp.dir, { metricsRetentionDays: 3650 });
  const m = ours.monitor as unknown as Dashboards;
  if (typeof m.getDashboardSummary !== 'function' || typeof m.getTradingDashboard !== 'function') {
    await ours.monitor.stop();
    fail('MonitoringSystem has no getDashboardSummary/getTradingDashboard yet');
  }
  const summary = await time(() => m.getDashboardSummary!());
  const trading = await time(() => m.getTradingDashboard!({ hours: 24 }));
  const sample = (await m.getDashboardSummary!()) as { totalTrades24h?: number };
  await ours.monitor.stop();
  report({
    summaryMs: summary.median,
    summaryMaxMs: summary.max,
    tradingMs: trading.median,
    tradingMaxMs: trading.max,
    trades: n,
    trades24h: sample.totalTrades24h ?? null,
    generateMs,
  });
} finally {
  tmp.remove();
}

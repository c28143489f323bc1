// File storage (JSON Lines): logTrade into files beside the same appends by hand (≥ 100,000 trades/s, count exact), and the dashboards over a stored month (≤ 50 ms).

import { runIfMain, type Suite } from './harness.js';

export function fileSuite(quick: boolean): Suite {
  const n = quick ? 200_000 : 1_000_000;
  const common = [`--n=${n}`, `--warm=${n / 20}`, '--symbols=8'];
  const stored = quick ? 200_000 : 1_000_000;
  return {
    id: 'file',
    title: `File storage: logTrade, ${n.toLocaleString('en-US')} trades + flush(); dashboards over ${stored.toLocaleString('en-US')} stored trades`,
    rounds: quick ? 2 : 3,
    trials: [
      { label: 'ours', script: 'file-ours.ts', args: common },
      { label: 'raw', script: 'file-raw.ts', args: common },
      { label: 'dashboard', script: 'file-dashboard.ts', args: [`--n=${stored}`, '--days=30', `--calls=${quick ? 10 : 20}`] },
    ],
    notes: [
      'ours: `monitor.logTrade()` with `storage: file` (history only: no /metrics server, no log file), on the real clock, a turn of the event loop every 1,000 calls, timed from the first call to the end of flush(); the writer thread appends 10,000 rows per batch and, with `synchronous=normal`, replaces the day summaries and the carried positions and fsyncs once per flush interval. Every trade counted back through getDatabaseStats().',
      'raw: the same trades, a `JSON.stringify` of the same fields per trade, one `writeSync` per 10,000 lines on the same thread, an fsync a second; the lines counted back.',
      'dashboard: a month of trades (30 days, 20 symbols) logged through the monitor on a manual clock, then a new monitor on the folder: start(), getTradingDashboard({hours: 24}) and getDashboardSummary() timed, RSS growth from before start() to after the calls.',
    ],
    metrics: [
      { key: 'tradesPerSec', unit: 'trades/s' },
      { key: 'usPerTrade', unit: 'µs/trade' },
      { key: 'cpuUsPerTrade', unit: 'CPU µs/trade' },
      { key: 'tradingMs', unit: 'ms getTradingDashboard({hours: 24})' },
      { key: 'tradingMaxMs', unit: 'ms max trading' },
      { key: 'summaryMs', unit: 'ms getDashboardSummary()' },
      { key: 'openMs', unit: 'ms start() over the month' },
      { key: 'rssGrowthMb', unit: 'MB RSS growth reading the month' },
    ],
    bounds: [
      { kind: 'abs', name: 'logTrade into files, trades/s (count exact)', key: 'tradesPerSec', trial: 'ours', min: 100_000 },
      { kind: 'ratio', name: 'ours ÷ raw, wall time per trade', key: 'usPerTrade', ours: 'ours', baseline: 'raw' },
      { kind: 'abs', name: 'getTradingDashboard({hours: 24}) median (ms)', key: 'tradingMs', trial: 'dashboard', max: 50 },
    ],
    facts: ['stored', 'trades24h'],
  };
}

await runIfMain(import.meta.url, fileSuite);

// Target 5: dashboard summary and 24 h trading view over 1,000,000 stored trades (≤ 50 ms median), in SQLite and in memory storage.

import { runIfMain, type Suite } from './harness.js';

export function dashboardsSuite(quick: boolean): Suite {
  const n = quick ? 200_000 : 1_000_000;
  const args = [`--n=${n}`, '--days=30', `--calls=${quick ? 10 : 20}`];
  return {
    id: 'dashboards',
    title: `5. Dashboards over ${n.toLocaleString('en-US')} stored trades (30 days)`,
    rounds: quick ? 2 : 3,
    trials: [
      { label: 'ours', script: 'dashboards-ours.ts', args },
      { label: 'raw', script: 'dashboards-raw.ts', args },
      { label: 'memory', script: 'memory-dashboard.ts', args },
    ],
    notes: [
      'Both: the same generated month of history (our schema and indexes; a loop run per 100 trades, an error per 1,000), about 1/30 of it in the last 24 h.',
      'ours: `getDashboardSummary()` and `getTradingDashboard({hours: 24})` through the monitor (whole hours summed from `trade_hours`, the partial hours at the edges and the execution-time percentiles by indexed SQL over `trades`).',
      'memory: the same number of trades over 30 days held by `storage: memory` (logged through the monitor on a manual clock), the same two calls timed in the same process.',
      'raw: the 24 h trading figures by hand with better-sqlite3 — the rows of the last 24 h read through the timestamp index and summed in a JavaScript loop (totals, per symbol, wins/losses, execution-time percentiles by sorting, errors per hour). Compared with our trading dashboard, for context.',
    ],
    metrics: [
      { key: 'summaryMs', unit: 'ms getDashboardSummary()' },
      { key: 'tradingMs', unit: 'ms getTradingDashboard({hours: 24})' },
      { key: 'summaryMaxMs', unit: 'ms max summary' },
      { key: 'tradingMaxMs', unit: 'ms max trading' },
      { key: 'generateMs', unit: 'ms to generate the DB' },
    ],
    bounds: [
      { kind: 'abs', name: 'getDashboardSummary() median (ms)', key: 'summaryMs', trial: 'ours', max: 50 },
      { kind: 'abs', name: 'getTradingDashboard({hours: 24}) median (ms)', key: 'tradingMs', trial: 'ours', max: 50 },
      { kind: 'ratio', name: 'ours trading dashboard ÷ raw 24 h figures', key: 'tradingMs', ours: 'ours', baseline: 'raw' },
      { kind: 'abs', name: 'memory storage: getTradingDashboard({hours: 24}) median (ms)', key: 'tradingMs', trial: 'memory', max: 50 },
    ],
    facts: ['trades', 'trades24h'],
  };
}

await runIfMain(import.meta.url, dashboardsSuite);

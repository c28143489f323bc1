// Target 5: dashboard summary and 24 h trading view over 1,000,000 stored trades (≤ 50 ms median).

import { runIfMain, type Suite } from './harness.js';

export function dashboardsSuite(quick: boolean): Suite {
  const n = quick ? 300_000 : 1_000_000;
  return {
    id: 'dashboards',
    title: `5. Dashboards over ${n.toLocaleString('en-US')} stored trades (30 days)`,
    rounds: quick ? 1 : 3,
    trials: [{ label: 'ours', script: 'dashboards-ours.ts', args: [`--n=${n}`, '--days=30', '--calls=20'] }],
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
    ],
    facts: ['trades', 'trades24h'],
  };
}

await runIfMain(import.meta.url, dashboardsSuite);

// Target: the console at / in a real browser over 1,000,000 stored trades: page weight ≤ 300 KB, first figures painted ≤ 1 s.

import { runIfMain, type Suite } from './harness.js';

export function consoleSuite(quick: boolean): Suite {
  const n = quick ? 200_000 : 1_000_000;
  const loads = `--loads=${quick ? 3 : 5}`;
  const args = [`--n=${n}`, '--days=30', loads];
  return {
    id: 'console',
    title: `Console at / in Chromium over ${n.toLocaleString('en-US')} stored trades (30 days)`,
    rounds: quick ? 1 : 2,
    trials: [
      { label: 'ours', script: 'console-ours.ts', args },
      { label: 'tiny', script: 'console-ours.ts', args: ['--n=1000', '--days=30', loads] },
    ],
    notes: [
      'The same generated month of history as the dashboards suite (about 1/30 of it in the last 24 h), served by a monitor with SQLite history; the system Chromium (headless, fresh profile) loads `/#view` several times per view.',
      'first figures: from navigation start to the mark the page sets after it has rendered the answers of its /api reads (each view reads /api/summary and its own endpoints at once), median of the loads; the next frame is then painted.',
      'tiny: the same with 1,000 stored trades, on the same machine at the same time: what the browser and the load of the machine cost without a large history.',
      'page weight: the bytes of the page, its script and styles and uPlot (everything but /api answers), uncompressed; api bytes: the JSON a view reads on each refresh.',
    ],
    metrics: [
      { key: 'summaryFirstDataMs', unit: 'ms to first figures, Summary' },
      { key: 'tradingFirstDataMs', unit: 'ms to first figures, Trading' },
      { key: 'performanceFirstDataMs', unit: 'ms to first figures, Performance' },
      { key: 'summaryFcpMs', unit: 'ms first contentful paint, Summary' },
      { key: 'pageBytes', unit: 'bytes page weight', digits: 0 },
      { key: 'summaryApiBytes', unit: 'bytes of /api JSON per Summary refresh', digits: 0 },
      { key: 'apiSummaryMs', unit: 'ms /api/summary (from Node)' },
      { key: 'apiTradingMs', unit: 'ms /api/trading?hours=24 (from Node)' },
      { key: 'apiPerformanceMs', unit: 'ms /api/performance?hours=24 (from Node)' },
      { key: 'generateMs', unit: 'ms to generate the DB' },
    ],
    bounds: [
      { kind: 'abs', name: 'Summary: first figures painted (ms)', key: 'summaryFirstDataMs', trial: 'ours', max: 1000 },
      { kind: 'abs', name: 'Trading: first figures painted (ms)', key: 'tradingFirstDataMs', trial: 'ours', max: 1000 },
      { kind: 'abs', name: 'Performance: first figures painted (ms)', key: 'performanceFirstDataMs', trial: 'ours', max: 1000 },
      { kind: 'abs', name: 'page weight (bytes)', key: 'pageBytes', trial: 'ours', max: 300 * 1024 },
      { kind: 'ratio', name: 'Summary first figures: 1,000,000 trades ÷ 1,000', key: 'summaryFirstDataMs', ours: 'ours', baseline: 'tiny' },
    ],
    facts: ['trades'],
  };
}

await runIfMain(import.meta.url, consoleSuite);

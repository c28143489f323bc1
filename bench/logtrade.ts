// Target 1: logTrade with every sink on versus the naive raw composition, per trade (≤ 0.5×).

import { runIfMain, type Suite } from './harness.js';

export function logTradeSuite(quick: boolean): Suite {
  const n = quick ? 50_000 : 200_000;
  const common = [`--n=${n}`, `--warm=${n / 10}`, '--symbols=8'];
  const trials = [
    { label: 'ours', script: 'logtrade-ours.ts', args: common },
    { label: 'raw', script: 'logtrade-raw.ts', args: [...common, '--parts=all'] },
  ];
  // The parts of the baseline alone, as the anchors quote them (full runs only).
  const parts = quick
    ? []
    : ['otel', 'pino', 'sqlite'].map((p) => ({ label: `raw:${p}`, script: 'logtrade-raw.ts', args: [...common, `--parts=${p}`] }));
  return {
    id: 'logtrade',
    title: `1. logTrade, every sink on, ${n.toLocaleString('en-US')} trades + flush()`,
    rounds: quick ? 3 : 5,
    trials: [...trials, ...parts],
    metrics: [
      { key: 'usPerTrade', unit: 'µs/trade' },
      { key: 'cpuUsPerTrade', unit: 'CPU µs/trade' },
      { key: 'tradesPerSec', unit: 'trades/s' },
    ],
    bounds: [{ kind: 'ratio', name: 'ours ÷ raw, wall time per trade', key: 'usPerTrade', ours: 'ours', baseline: 'raw', max: 0.5 }],
    facts: ['sinks', 'metricsServer', 'parts', 'dbRows', 'logBytes'],
  };
}

await runIfMain(import.meta.url, logTradeSuite);

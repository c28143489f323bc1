// Target 3: event-loop delay while logging 20,000 trades/s with a scrape every second (p99 ≤ 5 ms, max ≤ 20 ms).

import { runIfMain, type Suite } from './harness.js';

export function eventLoopSuite(quick: boolean): Suite {
  const seconds = quick ? 3 : 60;
  const common = ['--rate=20000', `--seconds=${seconds}`, '--symbols=20'];
  return {
    id: 'eventloop',
    title: `3. Event-loop delay, 20,000 trades/s for ${seconds} s, scrape every second`,
    rounds: quick ? 2 : 3,
    trials: [
      { label: 'ours', script: 'eventloop-ours.ts', args: common },
      { label: 'raw', script: 'eventloop-raw.ts', args: common },
    ],
    notes: [
      'Trades are paced by elapsed time in 5 ms ticks (a late tick catches up); the first 2 s are not measured. `monitorEventLoopDelay` at 1 ms resolution.',
      'ours: the monitor of suite 1, scraped over loopback HTTP (`GET /metrics`, body read to the end) every second.',
      'raw: the baseline of suite 1, with an OTel collect + Prometheus serialisation every second (no HTTP).',
    ],
    metrics: [
      { key: 'p50Ms', unit: 'ms p50' },
      { key: 'p99Ms', unit: 'ms p99' },
      { key: 'maxMs', unit: 'ms max' },
      { key: 'achievedRate', unit: 'trades/s' },
      { key: 'scrapeMedianMs', unit: 'ms/scrape' },
    ],
    bounds: [
      { kind: 'abs', name: 'ours event-loop delay p99 (ms)', key: 'p99Ms', trial: 'ours', max: 5 },
      { kind: 'abs', name: 'ours event-loop delay max (ms)', key: 'maxMs', trial: 'ours', max: 20 },
      { kind: 'ratio', name: 'ours ÷ raw, p99 delay', key: 'p99Ms', ours: 'ours', baseline: 'raw' },
    ],
    facts: ['sinks', 'metricsServer', 'trades', 'dbRows', 'scrapes', 'scrapeErrors', 'droppedRows', 'lastFlushMs'],
  };
}

await runIfMain(import.meta.url, eventLoopSuite);

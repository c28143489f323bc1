// Target 1: logTrade with every sink on versus the naive raw composition, per trade (≤ 0.35×).

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
    notes: [
      'Both: the same pool of trades (8 symbols, buys and sells alternating), a turn of the event loop every 1,000 calls, timed from the first call to the end of flush() (every row committed, every log line written); CPU time counts every thread.',
      'ours: `monitor.logTrade()` with the /metrics server up, JSON log lines to a file, SQLite history (WAL), the default event ring; per trade: validation, an execution id, 3 running-total counters and 2 fixed-bucket histograms (kept per symbol series, read by the OTel readers through a MetricProducer), one JSON line of 17 fields, one row of 15 columns (its writer thread commits 10,000 rows per transaction); a sell that closes a position adds a P&L event (a second log line, the P&L written into the trade row).',
      'raw: OTel MeterProvider with a Prometheus reader, 3 counters and 2 histograms updated with a `{symbol, side}` object per call; pino to the file (`sync: false`), one line of the same 10 trade fields; better-sqlite3 in WAL mode, `synchronous=NORMAL`, our schema and indexes (our migrations), the same 15 columns, 1,000 rows per transaction, default auto-checkpoint; a `randomUUID()` per trade.',
    ],
    metrics: [
      { key: 'usPerTrade', unit: 'µs/trade' },
      { key: 'cpuUsPerTrade', unit: 'CPU µs/trade' },
      // ours only (Linux): the bot's thread, and the others (the history writer, V8's helpers).
      { key: 'botThreadCpuUs', unit: 'bot thread CPU µs/trade' },
      { key: 'otherThreadsCpuUs', unit: 'other threads CPU µs/trade' },
      { key: 'tradesPerSec', unit: 'trades/s' },
    ],
    bounds: [
      { kind: 'ratio', name: 'ours ÷ raw, wall time per trade', key: 'usPerTrade', ours: 'ours', baseline: 'raw', max: 0.35 },
      { kind: 'ratio', name: 'ours ÷ raw, CPU time per trade (all threads)', key: 'cpuUsPerTrade', ours: 'ours', baseline: 'raw' },
    ],
    facts: ['sinks', 'metricsServer', 'parts', 'dbRows', 'logBytes'],
  };
}

await runIfMain(import.meta.url, logTradeSuite);

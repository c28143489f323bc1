// Target 2: sustained throughput with every sink on (≥ 100,000 trades/s), nothing dropped, DB count exact.

import { runIfMain, type Suite } from './harness.js';

export function throughputSuite(quick: boolean): Suite {
  const n = quick ? 60_000 : 1_000_000;
  const common = [`--n=${n}`, `--warm=${quick ? 10_000 : 20_000}`, '--symbols=20'];
  return {
    id: 'throughput',
    title: `2. Sustained throughput, ${n.toLocaleString('en-US')} trades, every sink on`,
    rounds: quick ? 2 : 3,
    trials: [
      { label: 'ours', script: 'logtrade-ours.ts', args: common },
      { label: 'raw', script: 'logtrade-raw.ts', args: [...common, '--parts=all'] },
      { label: 'ours, one CPU', script: 'logtrade-ours.ts', args: common, oneCpu: true },
      { label: 'raw, one CPU', script: 'logtrade-raw.ts', args: [...common, '--parts=all'], oneCpu: true },
    ],
    notes: [
      'The trials of suite 1 over a longer run and 20 symbols: the database grows to its full size, so index and checkpoint costs show. Each trial fails unless the trades table holds exactly every trade after flush().',
      '"one CPU": the same trial with the whole process (the bot\'s thread, the history writer thread, the garbage collector\'s helpers) held to one CPU by `taskset -c 0`, as on a machine with one core; without it the writer thread runs on the second core.',
    ],
    metrics: [
      { key: 'tradesPerSec', unit: 'trades/s' },
      { key: 'usPerTrade', unit: 'µs/trade' },
      { key: 'cpuUsPerTrade', unit: 'CPU µs/trade' },
      { key: 'droppedRows', unit: 'rows dropped', digits: 0 },
    ],
    bounds: [
      { kind: 'abs', name: 'ours trades/s (DB count checked exact in the trial)', key: 'tradesPerSec', trial: 'ours', min: 100_000 },
      { kind: 'abs', name: 'ours rows dropped', key: 'droppedRows', trial: 'ours', max: 0 },
      { kind: 'abs', name: 'ours on one CPU, trades/s', key: 'tradesPerSec', trial: 'ours, one CPU', min: 100_000 },
      { kind: 'abs', name: 'ours on one CPU, rows dropped', key: 'droppedRows', trial: 'ours, one CPU', max: 0 },
      { kind: 'ratio', name: 'ours ÷ raw, trades/s', key: 'tradesPerSec', ours: 'ours', baseline: 'raw' },
      { kind: 'ratio', name: 'on one CPU, ours ÷ raw, trades/s', key: 'tradesPerSec', ours: 'ours, one CPU', baseline: 'raw, one CPU' },
    ],
    facts: ['sinks', 'dbRows', 'expectedRows'],
  };
}

await runIfMain(import.meta.url, throughputSuite);

// Target 6: RSS after 1,000,000 trades with every sink on and the default ring (≤ 150 MB).

import { runIfMain, type Suite } from './harness.js';

export function memorySuite(quick: boolean): Suite {
  const n = quick ? 300_000 : 1_000_000;
  return {
    id: 'memory',
    title: `6. Memory after ${n.toLocaleString('en-US')} trades, every sink on, default ring`,
    rounds: 1,
    trials: [{ label: 'ours', script: 'memory-ours.ts', args: [`--n=${n}`, '--symbols=20'], nodeFlags: ['--expose-gc'] }],
    metrics: [
      { key: 'rssMb', unit: 'MB RSS after flush' },
      { key: 'peakRssMb', unit: 'MB peak RSS' },
      { key: 'rssAfterGcMb', unit: 'MB RSS after gc' },
      { key: 'rssStartMb', unit: 'MB RSS at start' },
      { key: 'heapUsedMb', unit: 'MB heap after gc' },
      { key: 'peakBufferedRows', unit: 'rows buffered at peak', digits: 0 },
    ],
    bounds: [{ kind: 'abs', name: 'RSS after the run (MB)', key: 'rssMb', trial: 'ours', max: 150 }],
    facts: ['ringSize', 'ringCapacity', 'droppedRows', 'dbRows', 'sinks'],
  };
}

await runIfMain(import.meta.url, memorySuite);

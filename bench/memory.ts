// Target 6: RSS after 1,000,000 trades with every sink on and the default ring (≤ 150 MB).

import { runIfMain, type Suite } from './harness.js';

export function memorySuite(quick: boolean): Suite {
  const n = quick ? 100_000 : 1_000_000;
  const args = [`--n=${n}`, '--symbols=20'];
  return {
    id: 'memory',
    title: `6. Memory after ${n.toLocaleString('en-US')} trades, every sink on, default ring`,
    rounds: 2,
    trials: [
      { label: 'ours', script: 'memory-ours.ts', args, nodeFlags: ['--expose-gc'] },
      { label: 'raw', script: 'memory-raw.ts', args, nodeFlags: ['--expose-gc'] },
    ],
    notes: [
      'RSS of the whole process (every thread) right after flush(), then after a forced GC of the main heap.',
      'ours: the monitor of suite 1 with the default ring (POSEIDON_MAX_DATA_POINTS); raw: the baseline of suite 1, which keeps no ring.',
    ],
    metrics: [
      { key: 'rssMb', unit: 'MB RSS after flush' },
      { key: 'peakRssMb', unit: 'MB peak RSS' },
      { key: 'rssAfterGcMb', unit: 'MB RSS after gc' },
      { key: 'rssStartMb', unit: 'MB RSS at start' },
      { key: 'heapUsedMb', unit: 'MB heap after gc' },
      { key: 'peakBufferedRows', unit: 'rows buffered at peak', digits: 0 },
    ],
    bounds: [
      { kind: 'abs', name: 'RSS after the run (MB)', key: 'rssMb', trial: 'ours', max: 150 },
      { kind: 'ratio', name: 'ours ÷ raw, RSS after the run', key: 'rssMb', ours: 'ours', baseline: 'raw' },
    ],
    facts: ['ringSize', 'ringCapacity', 'droppedRows', 'dbRows', 'sinks'],
  };
}

await runIfMain(import.meta.url, memorySuite);

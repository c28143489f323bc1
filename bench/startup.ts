// start() over 1,000,000 stored trades: positions and the open hour restored from one row per symbol (≤ 0.5 s).

import { runIfMain, type Suite } from './harness.js';

export function startupSuite(quick: boolean): Suite {
  const n = quick ? 200_000 : 1_000_000;
  const args = [`--n=${n}`, '--days=30', `--starts=${quick ? 3 : 5}`];
  return {
    id: 'startup',
    title: `start() over ${n.toLocaleString('en-US')} stored trades (30 days)`,
    rounds: quick ? 2 : 3,
    trials: [
      { label: 'ours', script: 'startup-ours.ts', args },
      { label: 'replay', script: 'startup-replay.ts', args },
    ],
    notes: [
      'Both: the same generated month of history (20 symbols, one bot), its position_carry and trade_hours computed once as the migrations do.',
      'ours: `start()` of a monitor with every sink on (SQLite history, JSON log file, /metrics server), then `stop()`, repeated; the median start. Positions come from position_carry (one row per symbol), the open hour from trade_hours and its own trades.',
      'firstMs: the first start of each process, the cold one (code compiled on first use). firstCpuMs / firstWaitMs: the CPU time of the bot’s thread during it and the time it was ready but waiting for a core (Linux /proc/thread-self/schedstat): on a loaded machine the wall time is mostly the wait.',
      "replay: what a start cost when positions were rebuilt from every stored trade: better-sqlite3 iterating the bot's trades in order into the P&L ledger. For context.",
    ],
    metrics: [
      { key: 'startMs', unit: 'ms start()' },
      { key: 'startMaxMs', unit: 'ms max start()' },
      { key: 'firstMs', unit: 'ms first start() of the process' },
      { key: 'firstCpuMs', unit: 'ms CPU of the first start()' },
      { key: 'firstWaitMs', unit: 'ms of the first start() waiting for a core' },
      { key: 'startCpuMs', unit: 'ms CPU of a start() (median)' },
      { key: 'positions', unit: 'positions restored', digits: 0 },
      { key: 'generateMs', unit: 'ms to generate the DB' },
    ],
    bounds: [
      { kind: 'abs', name: 'start() median (ms)', key: 'startMs', trial: 'ours', max: 500 },
      { kind: 'abs', name: 'first start() of the process (ms)', key: 'firstMs', trial: 'ours', max: 500 },
      { kind: 'ratio', name: 'ours start() ÷ replaying every trade', key: 'startMs', ours: 'ours', baseline: 'replay' },
    ],
  };
}

await runIfMain(import.meta.url, startupSuite);

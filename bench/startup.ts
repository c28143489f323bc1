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
      "replay: what a start cost when positions were rebuilt from every stored trade: better-sqlite3 iterating the bot's trades in order into the P&L ledger. For context.",
    ],
    metrics: [
      { key: 'startMs', unit: 'ms start()' },
      { key: 'startMaxMs', unit: 'ms max start()' },
      { key: 'positions', unit: 'positions restored', digits: 0 },
      { key: 'generateMs', unit: 'ms to generate the DB' },
    ],
    bounds: [
      { kind: 'abs', name: 'start() median (ms)', key: 'startMs', trial: 'ours', max: 500 },
      { kind: 'ratio', name: 'ours start() ÷ replaying every trade', key: 'startMs', ours: 'ours', baseline: 'replay' },
    ],
  };
}

await runIfMain(import.meta.url, startupSuite);

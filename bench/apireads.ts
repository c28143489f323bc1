// Target 7: the bot's event-loop delay while 30 /api/trading and 30 /api/export run at once over 300,000 stored trades (max ≤ 20 ms).

import { runIfMain, type Suite } from './harness.js';

export function apiReadsSuite(quick: boolean): Suite {
  const n = quick ? 100_000 : 300_000;
  const common = [`--n=${n}`, '--days=30', '--each=30'];
  return {
    id: 'apireads',
    title: `7. Event-loop delay while 30 /api/trading + 30 /api/export run at once over ${n.toLocaleString('en-US')} stored trades`,
    rounds: quick ? 1 : 2,
    trials: [
      { label: 'ours', script: 'api-reads.ts', args: [...common, '--mode=ours', '--limit=8'] },
      { label: 'ours, limit 64', script: 'api-reads.ts', args: [...common, '--mode=ours', '--limit=64'] },
      { label: 'in process', script: 'api-reads.ts', args: [...common, '--mode=inprocess'] },
      { label: 'bot alone', script: 'api-reads.ts', args: [...common, '--mode=idle', '--idleMs=3000'] },
    ],
    notes: [
      'All: a month of generated history (20 symbols), the monitor of suite 1 with its writer thread, and a 10 ms timer logging 10 trades a tick standing in for the bot. The 60 requests are sent at once over loopback, each on a new connection, by clients on a thread of their own (their work is not the bot’s), after one warm-up request of each; `monitorEventLoopDelay` at 1 ms resolution over the burst.',
      '`cpuStretchMaxMs`: the most CPU time the bot’s thread spent between two ticks of a 1 ms timer over the burst (Linux /proc/thread-self/schedstat, ns): the delay its own work caused, which waiting for a core on a loaded machine does not inflate as it does `maxMs`. `gcMaxMs`: the longest garbage-collection pause of the bot’s thread over the burst.',
      '`mainCpuMs`: CPU time of the bot’s thread over the burst (Linux per-thread counters, 10 ms ticks), which machine load does not inflate as it does the delay.',
      'ours: the monitor’s API with its default limit of 8 requests in progress (the others answered 503 with Retry-After). ours, limit 64: every request answered by the reader thread.',
      'bot alone: no request, the same bot for 3 s: the delay and CPU the machine and the bot give without any read (the floor).',
      'in process: the same two views computed and stringified on the bot’s thread (`dashboardData.getTradingDashboard()`, `exportDashboardData()`), served by the same HTTP server class: the API before the reader thread.',
    ],
    metrics: [
      { key: 'p99Ms', unit: 'ms p99' },
      { key: 'maxMs', unit: 'ms max' },
      { key: 'cpuStretchMaxMs', unit: 'ms longest CPU stretch of the bot thread' },
      { key: 'gcMaxMs', unit: 'ms longest GC pause' },
      { key: 'burstMs', unit: 'ms until the 60 are answered' },
      { key: 'mainCpuMs', unit: 'ms CPU of the bot thread over the burst' },
      { key: 'answered200', unit: 'answered 200', digits: 0 },
      { key: 'refused503', unit: 'refused 503', digits: 0 },
      { key: 'tickRatio', unit: 'bot ticks ÷ expected' },
    ],
    bounds: [
      { kind: 'abs', name: 'ours event-loop delay max (ms)', key: 'maxMs', trial: 'ours', max: 20 },
      { kind: 'abs', name: 'ours, limit 64: event-loop delay max (ms)', key: 'maxMs', trial: 'ours, limit 64', max: 20 },
      { kind: 'ratio', name: 'ours ÷ in process, max delay', key: 'maxMs', ours: 'ours', baseline: 'in process' },
      {
        kind: 'ratio',
        name: 'ours, limit 64 ÷ in process, bot-thread CPU',
        key: 'mainCpuMs',
        ours: 'ours, limit 64',
        baseline: 'in process',
      },
    ],
    facts: ['tradingBytes', 'exportBytes', 'limit'],
  };
}

await runIfMain(import.meta.url, apiReadsSuite);

// Issue target: one system-metrics collection costs the bot's thread at most 1 ms.

import { runIfMain, type Suite } from './harness.js';

export function systemSuite(quick: boolean): Suite {
  const args = [`--samples=${quick ? 50 : 200}`];
  return {
    id: 'system',
    title: 'System metrics: event-loop time of one collection',
    rounds: quick ? 2 : 3,
    trials: [
      { label: 'ours', script: 'system-ours.ts', args },
      { label: 'systeminformation', script: 'system-si.ts', args },
    ],
    notes: [
      'Both read the same figures: host and process CPU, memory, network bytes of the non-loopback interfaces, process count; each collection is awaited before the next.',
      "ours: `SystemMetrics.collect()` of a started monitor (memory history, no server): the kernel's files read asynchronously, then eleven performance metric rows recorded through the facade.",
      'systeminformation: `currentLoad()`, `mem()`, `networkStats()` and `processes()`, the calls a host-metrics collector built on it makes, with nothing recorded.',
      "The figure is the event loop's active time (performance.eventLoopUtilization) per collection: what the bot's thread pays, whatever runs on other threads or processes.",
    ],
    metrics: [
      { key: 'activeMs', unit: 'ms event-loop time per collection (median)', digits: 3 },
      { key: 'maxActiveMs', unit: 'ms max', digits: 3 },
      { key: 'wallMs', unit: 'ms wall per collection (median)', digits: 3 },
    ],
    bounds: [
      { kind: 'abs', name: "one collection on the bot's thread (ms)", key: 'activeMs', trial: 'ours', max: 1 },
      { kind: 'ratio', name: 'ours ÷ systeminformation', key: 'activeMs', ours: 'ours', baseline: 'systeminformation' },
    ],
  };
}

await runIfMain(import.meta.url, systemSuite);

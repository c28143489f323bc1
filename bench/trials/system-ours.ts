// Trial (ours): SystemMetrics.collect() of a started monitor, timed as the event loop's active time.

import { performance } from 'node:perf_hooks';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { numArg, report } from './shared.js';

const samples = numArg('samples', 200);
const monitor = new MonitoringSystem({
  storage: 'memory',
  enableMetricsServer: false,
  logFile: null,
  logConsole: false,
  installSignalHandlers: false,
  metricsIntervalSeconds: 3_600,
  enableSystemMetrics: true,
});
await monitor.start();
const active: number[] = [];
const wall: number[] = [];
for (let i = 0; i < samples + 5; i++) {
  const elu = performance.eventLoopUtilization();
  const t0 = performance.now();
  await monitor.systemMetrics!.collect();
  const t1 = performance.now();
  // Warm-up collections compile the code on both sides.
  if (i >= 5) {
    active.push(performance.eventLoopUtilization(elu).active);
    wall.push(t1 - t0);
  }
}
await monitor.stop();
active.sort((a, b) => a - b);
wall.sort((a, b) => a - b);
report({ activeMs: active[active.length >> 1]!, maxActiveMs: active[active.length - 1]!, wallMs: wall[wall.length >> 1]! });

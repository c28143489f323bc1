// Trial (baseline): the same figures through systeminformation, timed as the event loop's active time.

import { performance } from 'node:perf_hooks';
import si from 'systeminformation';
import { numArg, report } from './shared.js';

const samples = numArg('samples', 200);
const active: number[] = [];
const wall: number[] = [];
for (let i = 0; i < samples + 5; i++) {
  const elu = performance.eventLoopUtilization();
  const t0 = performance.now();
  await Promise.all([si.currentLoad(), si.mem(), si.networkStats('*'), si.processes()]);
  const t1 = performance.now();
  if (i >= 5) {
    active.push(performance.eventLoopUtilization(elu).active);
    wall.push(t1 - t0);
  }
}
active.sort((a, b) => a - b);
wall.sort((a, b) => a - b);
report({ activeMs: active[active.length >> 1]!, maxActiveMs: active[active.length - 1]!, wallMs: wall[wall.length >> 1]! });

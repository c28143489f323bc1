// Trial (ours): start() of a monitor over N stored trades, timed start by start (each followed by stop()).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateHistory } from './history.js';
import { startOurMonitor } from './ourMonitor.js';
import { numArg, report, tempDir } from './shared.js';

const n = numArg('n', 1_000_000);
const days = numArg('days', 30);
const starts = numArg('starts', 5);
const symbolCount = numArg('symbols', 20);

/**
 * This thread's CPU time and time spent ready but waiting for a core, in ms (Linux:
 * /proc/thread-self/schedstat, nanoseconds), or null elsewhere: on a loaded machine a start's wall
 * time is its own work plus the wait, and these tell them apart.
 */
function threadTimes(): { cpuMs: number; waitMs: number } | null {
  try {
    const [cpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return { cpuMs: cpu! / 1e6, waitMs: wait! / 1e6 };
  } catch {
    return null;
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

const tmp = tempDir('startup-ours');
try {
  const generateMs = generateHistory(join(tmp.dir, 'ours.db'), Date.now(), n, days, symbolCount);
  const times: number[] = [];
  const cpu: number[] = [];
  const waits: number[] = [];
  let positions = 0;
  for (let i = 0; i < starts; i++) {
    const before = threadTimes();
    const t0 = performance.now();
    const ours = await startOurMonitor(tmp.dir);
    times.push(performance.now() - t0);
    const after = threadTimes();
    if (before !== null && after !== null) {
      cpu.push(after.cpuMs - before.cpuMs);
      waits.push(after.waitMs - before.waitMs);
    }
    positions = ours.monitor.getPositions().length;
    await ours.monitor.stop();
  }
  report({
    startMs: median(times),
    startMaxMs: Math.max(...times),
    // The first start of the process is the cold one (code compiled on first use, the threads' first load).
    firstMs: times[0]!,
    firstCpuMs: cpu[0] ?? null,
    firstWaitMs: waits[0] ?? null,
    startCpuMs: cpu.length > 0 ? median(cpu) : null,
    positions,
    generateMs,
  });
} finally {
  tmp.remove();
}

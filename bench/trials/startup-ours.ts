// Trial (ours): start() of a monitor over N stored trades, timed start by start (each followed by stop()).

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateHistory } from './history.js';
import { startOurMonitor } from './ourMonitor.js';
import { numArg, report, tempDir } from './shared.js';

const n = numArg('n', 1_000_000);
const days = numArg('days', 30);
const starts = numArg('starts', 5);
const symbolCount = numArg('symbols', 20);

const tmp = tempDir('startup-ours');
try {
  const generateMs = generateHistory(join(tmp.dir, 'ours.db'), Date.now(), n, days, symbolCount);
  const times: number[] = [];
  let positions = 0;
  for (let i = 0; i < starts; i++) {
    const t0 = performance.now();
    const ours = await startOurMonitor(tmp.dir);
    times.push(performance.now() - t0);
    positions = ours.monitor.getPositions().length;
    await ours.monitor.stop();
  }
  times.sort((a, b) => a - b);
  report({ startMs: times[times.length >> 1]!, startMaxMs: times[times.length - 1]!, positions, generateMs });
} finally {
  tmp.remove();
}

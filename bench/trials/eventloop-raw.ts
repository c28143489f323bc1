// Trial (baseline): the raw composition at the same trade rate, collect+serialise every second.

import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createRawPipeline } from './rawPipeline.js';
import { fail, numArg, report, tempDir, tradePool } from './shared.js';

const rate = numArg('rate', 20_000);
const seconds = numArg('seconds', 60);
const symbols = numArg('symbols', 20);
const tickMs = numArg('tick', 5);
// Not measured: JIT warm-up and the first flushes, so the figures describe the steady state.
const warmSeconds = numArg('warm', 2);

const tmp = tempDir('eventloop-raw');
try {
  const raw = await createRawPipeline(tmp.dir);
  const pool = tradePool(symbols);
  const mask = pool.length - 1;
  const scrapeMs: number[] = [];
  let done = 0;
  const total = rate * (seconds + warmSeconds);
  let measuredFrom = 0;
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
      if (measuredFrom === 0 && performance.now() - t0 >= warmSeconds * 1000) {
        measuredFrom = done;
        histogram.enable();
      }
      while (done < due) raw.logTrade(pool[done++ & mask]!);
      if (done >= total) {
        clearInterval(tick);
        clearInterval(scraper);
        resolve();
      }
    }, tickMs);
    const scraper = setInterval(() => {
      const s0 = performance.now();
      void raw.scrape().then(() => scrapeMs.push(performance.now() - s0));
    }, 1000);
  });
  histogram.disable();
  const elapsedS = (performance.now() - t0) / 1000;
  raw.flush();
  const rows = raw.rowCount();
  await raw.close();
  scrapeMs.sort((a, b) => a - b);
  const result = {
    p50Ms: histogram.percentile(50) / 1e6,
    p99Ms: histogram.percentile(99) / 1e6,
    maxMs: histogram.max / 1e6,
    achievedRate: done / elapsedS,
    measuredTrades: done - measuredFrom,
    trades: done,
    dbRows: rows,
    scrapes: scrapeMs.length,
    scrapeMedianMs: scrapeMs.length > 0 ? scrapeMs[scrapeMs.length >> 1]! : null,
  };
  if (rows !== done) fail(`DB has ${rows} trade rows, expected ${done}`, result);
  report(result);
} finally {
  tmp.remove();
}

// Trial (ours): a steady trade rate with a /metrics scrape every second; event-loop delay measured.

import { get } from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { countTradeRows, startOurMonitor } from './ourMonitor.js';
import { fail, numArg, report, tempDir, tradePool } from './shared.js';

const rate = numArg('rate', 20_000);
const seconds = numArg('seconds', 60);
const symbols = numArg('symbols', 20);
const tickMs = numArg('tick', 5);
// Not measured: JIT warm-up and the first flushes, so the figures describe the steady state.
const warmSeconds = numArg('warm', 2);

/** One scrape over loopback, body read to the end; returns the milliseconds it took. */
function scrape(url: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(performance.now() - t0));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const tmp = tempDir('eventloop-ours');
try {
  const ours = await startOurMonitor(tmp.dir);
  const { monitor } = ours;
  const pool = tradePool(symbols);
  const mask = pool.length - 1;
  const scrapeMs: number[] = [];
  let scrapeErrors = 0;
  let done = 0;
  const total = rate * (seconds + warmSeconds);
  let measuredFrom = 0;
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const t0 = performance.now();
  // Paced by elapsed time, so a late tick catches up as a bot with queued fills would.
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
      if (measuredFrom === 0 && performance.now() - t0 >= warmSeconds * 1000) {
        measuredFrom = done;
        histogram.enable();
      }
      while (done < due) monitor.logTrade(pool[done++ & mask]!);
      if (done >= total) {
        clearInterval(tick);
        clearInterval(scraper);
        resolve();
      }
    }, tickMs);
    const scraper = setInterval(() => {
      if (ours.metricsUrl === null) return;
      scrape(ours.metricsUrl).then(
        (ms) => scrapeMs.push(ms),
        () => scrapeErrors++,
      );
    }, 1000);
  });
  histogram.disable();
  const elapsedS = (performance.now() - t0) / 1000;
  await monitor.flush();
  const stats = monitor.store.stats();
  await monitor.stop();
  const rows = await countTradeRows(ours.dbPath);
  scrapeMs.sort((a, b) => a - b);
  const result = {
    p50Ms: histogram.percentile(50) / 1e6,
    p99Ms: histogram.percentile(99) / 1e6,
    maxMs: histogram.max / 1e6,
    achievedRate: done / elapsedS,
    measuredTrades: done - measuredFrom,
    trades: done,
    dbRows: rows,
    droppedRows: stats.droppedRows,
    scrapes: scrapeMs.length,
    scrapeErrors,
    scrapeMedianMs: scrapeMs.length > 0 ? scrapeMs[scrapeMs.length >> 1]! : null,
    lastFlushMs: stats.lastFlushDurationMs,
    sinks: ours.sinks.join('+'),
    metricsServer: ours.metricsUrl !== null,
  };
  if (rows !== done || stats.droppedRows !== 0) fail(`DB has ${rows} trade rows, expected ${done}`, result);
  report(result);
} finally {
  tmp.remove();
}

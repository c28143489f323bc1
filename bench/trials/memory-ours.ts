// Trial (ours): RSS and heap after N trades with every sink on and the default ring size.

import { countTradeRows, startOurMonitor } from './ourMonitor.js';
import { drive, fail, numArg, report, tempDir, tradePool } from './shared.js';

const n = numArg('n', 1_000_000);
const symbols = numArg('symbols', 20);
const chunk = numArg('chunk', 1000);

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

const tmp = tempDir('memory-ours');
try {
  const ours = await startOurMonitor(tmp.dir);
  const { monitor } = ours;
  const rssStart = process.memoryUsage.rss();
  const pool = tradePool(symbols);
  const mask = pool.length - 1;
  let peakRss = rssStart;
  let peakBuffered = 0;
  await drive(n, chunk, (i) => {
    monitor.logTrade(pool[i & mask]!);
    if ((i & 8191) === 0) {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      peakBuffered = Math.max(peakBuffered, monitor.store.stats().bufferedRows);
    }
  });
  await monitor.flush();
  const rssAfter = process.memoryUsage.rss();
  gc?.();
  const after = process.memoryUsage();
  const health = monitor.getSystemHealth();
  const stats = monitor.store.stats();
  await monitor.stop();
  const rows = await countTradeRows(ours.dbPath);
  const result = {
    rssMb: rssAfter / MB,
    rssAfterGcMb: after.rss / MB,
    peakRssMb: Math.max(peakRss, rssAfter) / MB,
    rssStartMb: rssStart / MB,
    heapUsedMb: after.heapUsed / MB,
    externalMb: after.external / MB,
    ringSize: health.eventLogSize,
    ringCapacity: health.eventLogCapacity,
    peakBufferedRows: peakBuffered,
    droppedRows: stats.droppedRows,
    trades: n,
    dbRows: rows,
    sinks: ours.sinks.join('+'),
  };
  if (rows !== n) fail(`DB has ${rows} trade rows, expected ${n}`, result);
  report(result);
} finally {
  tmp.remove();
}

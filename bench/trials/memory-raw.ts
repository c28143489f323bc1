// Trial (baseline): RSS and heap after N trades through the naive raw composition.

import { createRawPipeline } from './rawPipeline.js';
import { drive, fail, numArg, report, tempDir, tradePool } from './shared.js';

const n = numArg('n', 1_000_000);
const symbols = numArg('symbols', 20);
const chunk = numArg('chunk', 1000);

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

const tmp = tempDir('memory-raw');
try {
  const raw = await createRawPipeline(tmp.dir);
  const rssStart = process.memoryUsage.rss();
  const pool = tradePool(symbols);
  const mask = pool.length - 1;
  let peakRss = rssStart;
  await drive(n, chunk, (i) => {
    raw.logTrade(pool[i & mask]!);
    if ((i & 8191) === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
  });
  raw.flush();
  const rssAfter = process.memoryUsage.rss();
  gc?.();
  const after = process.memoryUsage();
  const rows = raw.rowCount();
  await raw.close();
  const result = {
    rssMb: rssAfter / MB,
    rssAfterGcMb: after.rss / MB,
    peakRssMb: Math.max(peakRss, rssAfter) / MB,
    rssStartMb: rssStart / MB,
    heapUsedMb: after.heapUsed / MB,
    trades: n,
    dbRows: rows,
  };
  if (rows !== n) fail(`DB has ${rows} trade rows, expected ${n}`, result);
  report(result);
} finally {
  tmp.remove();
}

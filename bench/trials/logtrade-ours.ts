// Trial (ours): logTrade with every sink on, N trades then flush(), timed; checks the DB count.

import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { countTradeRows, startOurMonitor } from './ourMonitor.js';
import { drive, fail, numArg, report, settle, tempDir, threadCpuUs, threadSplit, tradePool } from './shared.js';

const n = numArg('n', 200_000);
const warm = numArg('warm', 20_000);
const symbols = numArg('symbols', 8);
const chunk = numArg('chunk', 1000);

const tmp = tempDir('logtrade-ours');
try {
  const ours = await startOurMonitor(tmp.dir);
  const { monitor } = ours;
  const pool = tradePool(symbols);
  const mask = pool.length - 1;
  await drive(warm, chunk, (i) => monitor.logTrade(pool[i & mask]!));
  await monitor.flush();
  settle();

  const threads0 = threadCpuUs();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await drive(n, chunk, (i) => monitor.logTrade(pool[i & mask]!));
  await monitor.flush();
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const threads = threadSplit(threads0, threadCpuUs(), n);

  const stats = monitor.store.stats();
  const sinkFailures = monitor.diagnostics.totalSinkFailures;
  await monitor.stop();
  const rows = await countTradeRows(ours.dbPath);
  const expected = warm + n;
  const result = {
    usPerTrade: (elapsedMs * 1000) / n,
    tradesPerSec: n / (elapsedMs / 1000),
    cpuUsPerTrade: (cpu.user + cpu.system) / n,
    ...threads,
    n,
    dbRows: rows,
    expectedRows: expected,
    droppedRows: stats.droppedRows,
    sinkFailures,
    // The file and its rotated predecessors (the default rotation size is reached in a long run).
    logBytes: readdirSync(tmp.dir)
      .filter((f) => f.startsWith(basename(ours.logPath)))
      .reduce((sum, f) => sum + statSync(join(tmp.dir, f)).size, 0),
    sinks: ours.sinks.join('+'),
    metricsServer: ours.metricsUrl !== null,
  };
  if (rows !== expected || stats.droppedRows !== 0) fail(`DB has ${rows} trade rows, expected ${expected}`, result);
  report(result);
} finally {
  tmp.remove();
}
